/**
 * The read-only queries: `models` (what is loaded, from the manifest), `detector` (the face detector's
 * file and state) and `health` (readiness and provider). Both answer while the server is still warming up, which is when a client most needs them.
 */
import { Ctx, Query, Resolver } from 'type-graphql';
import type { ServeContext } from '../state.js';
import { DetectorInfo, toDetectorInfo } from './detector-info.type.js';
import { Health, toHealth } from './health.type.js';
import { ModelInfo, toModelInfo } from './model-info.type.js';

@Resolver()
export class ModelsResolver {
  @Query(() => [ModelInfo], {
    description: 'The loaded models: tasks, labels, age grouping, provenance and test metrics.',
  })
  models(@Ctx() { state }: ServeContext): ModelInfo[] {
    return state.models.models.map(toModelInfo);
  }

  @Query(() => DetectorInfo, {
    nullable: true,
    description:
      "The face detector's file (sha256, source) and state; null when the models folder holds no face-detector.onnx.",
  })
  detector(@Ctx() { state }: ServeContext): DetectorInfo | null {
    return toDetectorInfo(state);
  }

  @Query(() => Health, { description: 'Readiness, the execution provider in use, and the limits in force.' })
  health(@Ctx() { state }: ServeContext): Health {
    return toHealth(state);
  }
}
