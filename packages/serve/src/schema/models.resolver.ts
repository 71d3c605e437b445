/**
 * The read-only queries: `models` (what is loaded, from the manifest) and `health` (readiness and
 * provider). Both answer while the server is still warming up, which is when a client most needs them.
 */
import { Ctx, Query, Resolver } from 'type-graphql';
import type { ServeContext } from '../state.js';
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

  @Query(() => Health, { description: 'Readiness, the execution provider in use, and the limits in force.' })
  health(@Ctx() { state }: ServeContext): Health {
    return toHealth(state);
  }
}
