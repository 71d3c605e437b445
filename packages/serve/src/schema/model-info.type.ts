/**
 * What `models` answers: each loaded model as the manifest describes it — task, labels (and age
 * groups with their bounds), file and sha256, opset, the training run it came from, its test metrics and
 * the export verification — so a client can show what it is talking to without reading models/.
 */
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { ageGroups, type Task } from '@facekit/core';
import type { LoadedModel } from '@facekit/core/node';
import { TaskEnum } from './task.enum.js';

@ObjectType({
  description: 'An age group: its label and inclusive bounds (max null for the open-ended last group).',
})
export class AgeGroupInfo {
  @Field(() => String) label!: string;
  @Field(() => Int) min!: number;
  @Field(() => Int, { nullable: true }) max!: number | null;
}

@ObjectType({ description: 'A named number, e.g. a test metric.' })
export class Metric {
  @Field(() => String) name!: string;
  @Field(() => Float) value!: number;
}

@ObjectType({ description: 'The training run a model came from.' })
export class TrainingInfo {
  @Field(() => String) runId!: string;
  @Field(() => String) preset!: string;
  @Field(() => String) backend!: string;
  @Field(() => Int) epochs!: number;
  @Field(() => Int) seed!: number;
  @Field(() => Float) testFraction!: number;
  @Field(() => String) dataSha256!: string;
  @Field(() => Int) dataRows!: number;
}

@ObjectType({ description: 'How the exported ONNX graph was checked against its tfjs source.' })
export class VerificationInfo {
  @Field(() => Int) samples!: number;
  @Field(() => Float) maxAbsDiff!: number;
  @Field(() => Float) argmaxAgreement!: number;
  @Field(() => String) runtime!: string;
}

@ObjectType({ description: 'One loaded model, from the manifest.' })
export class ModelInfo {
  @Field(() => TaskEnum) task!: Task;
  @Field(() => [String]) labels!: string[];
  @Field(() => String, {
    nullable: true,
    description: 'Age grouping in force (six or decades); null for other tasks.',
  })
  ageGrouping!: string | null;
  @Field(() => [AgeGroupInfo], {
    nullable: true,
    description: 'Age groups with their bounds; null for other tasks.',
  })
  ageGroups!: AgeGroupInfo[] | null;
  @Field(() => String, { description: 'Model version: the training run id.' }) version!: string;
  @Field(() => String) file!: string;
  @Field(() => String) sha256!: string;
  @Field(() => Int) bytes!: number;
  @Field(() => Int) opset!: number;
  @Field(() => Int, { nullable: true }) parameters!: number | null;
  @Field(() => TrainingInfo) training!: TrainingInfo;
  @Field(() => [Metric], { description: 'Test-set metrics of the training run.' }) metrics!: Metric[];
  @Field(() => VerificationInfo) verification!: VerificationInfo;
}

export function toModelInfo(model: LoadedModel): ModelInfo {
  const e = model.entry;
  return {
    task: e.task,
    labels: [...e.labels],
    ageGrouping: e.ageGrouping ?? null,
    ageGroups: e.ageGrouping ? ageGroups(e.ageGrouping).map((g) => ({ ...g })) : null,
    version: e.training.runId,
    file: e.file,
    sha256: e.sha256,
    bytes: e.bytes,
    opset: e.opset,
    parameters: e.parameters ?? null,
    training: { ...e.training },
    metrics: Object.entries(e.metrics).map(([name, value]) => ({ name, value })),
    verification: { ...e.verification },
  };
}
