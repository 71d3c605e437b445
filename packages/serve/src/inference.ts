/**
 * The inference engine: faces (2304 grey levels and the tasks wanted) go through the micro-batcher,
 * and each batch is run once per model file that any of its faces asked a task of — a shared network's
 * file once for all its tasks, on the faces that asked for any of them. Each face gets the rows of
 * exactly the tasks it asked for, read from each task's `entry.output.name`; turning them into labels
 * is the schema's job. `runBatch` is the whole computation for one batch, used directly by the
 * batching-identity test and the in-process benchmark ceiling.
 */
import { pixelsToModelInput, TASKS, type Task } from '@facekit/core';
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
  private readonly loaded: readonly Task[];

  constructor(
    readonly bound: BoundModels,
    batching: BatcherOptions,
  ) {
    this.batcher = new MicroBatcher((jobs) => this.runBatch(jobs), batching);
    this.loaded = TASKS.filter((t) => bound.files.some((f) => f.models.some((m) => m.task === t)));
  }

  get provider(): string {
    return this.bound.provider;
  }

  /** The loaded tasks, in the canonical order. */
  get tasks(): Task[] {
    return [...this.loaded];
  }

  /** One face; dropped unrun if `signal` aborts while it waits for a batch. */
  classify(job: FaceJob, signal?: AbortSignal): Promise<FaceResult> {
    return this.batcher.submit(job, signal);
  }

  /** Faces that should share one run (a classifyBatch); dropped unrun if `signal` aborts while they wait. */
  classifyAll(jobs: readonly FaceJob[], signal?: AbortSignal): Promise<FaceResult>[] {
    return this.batcher.submitAll(jobs, signal);
  }

  /** Runs `jobs` as one batch: one run per model file some job asked a task of. */
  async runBatch(jobs: readonly FaceJob[]): Promise<FaceResult[]> {
    const unknown = jobs.flatMap((job) => job.tasks).find((t) => !this.loaded.includes(t));
    if (unknown) throw new Error(`no ${unknown} model is loaded`);
    // Per task: the rows of its output and which job each row belongs to.
    const answered = new Map<Task, { rows: Float32Array; jobs: readonly number[] }>();
    for (const file of this.bound.files) {
      const asks = (job: FaceJob) => file.models.some((m) => job.tasks.includes(m.task));
      const wanted = jobs.flatMap((job, i) => (asks(job) ? [i] : []));
      if (wanted.length === 0) continue;
      const output = await file.run(pixelsToModelInput(wanted.map((i) => jobs[i]!.pixels)), wanted.length);
      for (const { task, entry } of file.models)
        answered.set(task, { rows: output[entry.output.name]!, jobs: wanted });
    }
    const results = jobs.map(() => new Map<Task, Float32Array>());
    for (const task of TASKS) {
      const answer = answered.get(task);
      if (!answer) continue;
      const k = answer.rows.length / answer.jobs.length;
      answer.jobs.forEach((jobIndex, row) => {
        if (jobs[jobIndex]!.tasks.includes(task))
          results[jobIndex]!.set(task, answer.rows.slice(row * k, (row + 1) * k));
      });
    }
    return results;
  }

  /** Resolves when no face is queued or running. */
  idle(): Promise<void> {
    return this.batcher.idle();
  }
}
