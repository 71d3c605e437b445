/**
 * What `classify` answers: per task the winning label, its index, the confidence and every label's
 * probability, with the version and sha256 of the model that produced it; the execution provider that
 * ran the models; and the 48×48 grey levels the models saw, so a client (the web demo) can check that
 * its own preprocessing fed the same tensor.
 */
import { Field, Float, Int, ObjectType } from 'type-graphql';
import type { Task } from '@facekit/core';
import type { LoadedModel } from '@facekit/core/node';
import { answerFace } from '../face-answer.js';
import type { FaceResult } from '../inference.js';
import { TaskEnum } from './task.enum.js';

@ObjectType({ description: "One label's probability." })
export class LabelProbability {
  @Field(() => String)
  label!: string;

  @Field(() => Float)
  probability!: number;
}

@ObjectType({ description: "One task's answer for one face." })
export class TaskPrediction {
  @Field(() => TaskEnum)
  task!: Task;

  @Field(() => String, { description: 'The most probable label (for age, a range such as "21-40").' })
  label!: string;

  @Field(() => Int, { description: "The label's index in the model's output." })
  index!: number;

  @Field(() => Float, { description: "The label's probability." })
  confidence!: number;

  @Field(() => [LabelProbability], { description: 'Every label with its probability, in output order.' })
  probabilities!: LabelProbability[];

  @Field(() => String, { description: 'Training run the model came from (its version).' })
  modelVersion!: string;

  @Field(() => String, { description: 'sha256 of the ONNX file that ran.' })
  modelSha256!: string;
}

@ObjectType({ description: 'The answer for one face. Tasks not asked for are null.' })
export class Classification {
  @Field(() => TaskPrediction, { nullable: true })
  age?: TaskPrediction | null;

  @Field(() => TaskPrediction, { nullable: true })
  ethnicity?: TaskPrediction | null;

  @Field(() => TaskPrediction, { nullable: true })
  gender?: TaskPrediction | null;

  @Field(() => String, { description: 'Execution provider that ran the models: cuda, webgpu or cpu.' })
  provider!: string;

  @Field(() => String, {
    description: 'How the face was given: pixels, image, or detected (found in a photo by classifyFaces).',
  })
  source!: string;

  /** The face as the models saw it; only expanded to a list when a client selects inputPixels. */
  face!: Uint8Array;

  @Field(() => [Int], { description: 'The 2304 grey levels (48×48, row-major) the models saw.' })
  get inputPixels(): number[] {
    return Array.from(this.face);
  }
}

/** Builds the GraphQL answer from a face's probability rows (face-answer.ts) and the pixels the models saw. */
export function toClassification(
  result: FaceResult,
  models: ReadonlyMap<Task, LoadedModel>,
  provider: string,
  pixels: Uint8Array,
  source: string,
): Classification {
  return Object.assign(new Classification(), answerFace(result, models, provider, source), { face: pixels });
}
