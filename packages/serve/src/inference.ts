/**
 * The inference engine: faces (2304 grey levels and the tasks wanted) go through the micro-batcher,
 * and each batch is run once per model that any of its faces asked for. It returns raw probability rows
 * per task; turning them into labels is the schema's job. `runBatch` is the whole computation for one
 * batch, used directly by the batching-identity test and the in-process benchmark ceiling.
 */
import * as ort from 'onnxruntime-node';
import { INPUT_NAME, inputShape, OUTPUT_NAME, pixelsToModelInput, TASKS, type Task } from '@facekit/core';
import { MicroBatcher, type BatcherOptions } from './batcher.js';
import type { BoundModels } from './onnx-providers.js';

export interface FaceJob {
  /** 2304 validated grey levels. */
  readonly pixels: Uint8Array;
  readonly tasks: readonly Task[];
}

/** Probability rows per task asked for. */
export type FaceResult = ReadonlyMap<Task, Float32Array>;

export class InferenceEngine {
  private readonly batcher: MicroBatcher<FaceJob, FaceResult>;

  constructor(
    readonly bound: BoundModels,
    batching: BatcherOptions,
  ) {
    this.batcher = new MicroBatcher((jobs) => this.runBatch(jobs), batching);
  }

  get provider(): string {
    return this.bound.provider;
  }

  get tasks(): Task[] {
    return TASKS.filter((t) => this.bound.sessions.has(t));
  }

  classify(job: FaceJob): Promise<FaceResult> {
    return this.batcher.submit(job);
  }

  /** Faces that should share one run (a classifyBatch). */
  classifyAll(jobs: readonly FaceJob[]): Promise<FaceResult>[] {
    return this.batcher.submitAll(jobs);
  }

  /** Runs `jobs` as one batch: one session.run per model some job asked for. */
  async runBatch(jobs: readonly FaceJob[]): Promise<FaceResult[]> {
    const results = jobs.map(() => new Map<Task, Float32Array>());
    for (const task of TASKS) {
      const wanted = jobs.flatMap((job, i) => (job.tasks.includes(task) ? [i] : []));
      if (wanted.length === 0) continue;
      const model = this.bound.sessions.get(task);
      if (!model) throw new Error(`no ${task} model is loaded`);
      const data = pixelsToModelInput(wanted.map((i) => jobs[i]!.pixels));
      const output = await model.session.run({
        [INPUT_NAME]: new ort.Tensor('float32', data, inputShape(wanted.length)),
      });
      const probabilities = output[OUTPUT_NAME]!.data as Float32Array;
      const k = probabilities.length / wanted.length;
      wanted.forEach((jobIndex, row) =>
        results[jobIndex]!.set(task, probabilities.slice(row * k, (row + 1) * k)),
      );
    }
    return results;
  }

  /** Resolves when no face is queued or running. */
  idle(): Promise<void> {
    return this.batcher.idle();
  }
}
