/**
 * What the parity suite asks of a runtime, so the suite is written once and every runtime that can
 * load the models is run through it: open the models (or say why it cannot run here, and the suite
 * skips it with that reason), give each task's probabilities for the first `count` shared inputs in
 * batches of `batchSize`, and optionally time one face through all the models.
 */
import type { ManifestModel, Task } from '@facekit/core';
import { PIXEL_COUNT } from '@facekit/core';
import type { ParityInputs } from '../../support/faces.js';

export interface ParityModel {
  readonly task: Task;
  readonly entry: ManifestModel;
  /** The checked ONNX bytes. */
  readonly bytes: Uint8Array;
  /** Labels per face. */
  readonly width: number;
}

export interface ParityContext {
  /** Folder holding manifest.json (model paths are relative to it). */
  readonly dir: string;
  readonly models: readonly ParityModel[];
  readonly inputs: ParityInputs;
}

export interface Runtime {
  readonly name: string;
  /** A GPU runtime is held to the GPU tolerance. */
  readonly gpu: boolean;
  /** Loads the models; null when ready, else why this runtime cannot run here. */
  open(context: ParityContext): Promise<string | null>;
  /** Probabilities [count × width] of `task` for the first `count` inputs, `batchSize` per run. */
  run(task: Task, count: number, batchSize: number): Promise<Float32Array>;
  /** Milliseconds per face for every model together (batch 1), `runs` faces after a warm-up. */
  latency?(runs: number): Promise<number[]>;
  /** Version and settings, for the report. */
  describe(): string;
  close(): Promise<void>;
}

/** Runs `count` inputs in batches through `runBatch(start, n)` and concatenates the rows. */
export async function inBatches(
  count: number,
  batchSize: number,
  width: number,
  runBatch: (start: number, n: number) => Promise<ArrayLike<number>>,
): Promise<Float32Array> {
  const out = new Float32Array(count * width);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const rows = await runBatch(start, n);
    if (rows.length !== n * width)
      throw new Error(`a batch of ${n} gave ${rows.length} values, expected ${n * width}`);
    out.set(rows, start * width);
  }
  return out;
}

/** The model input of inputs [start, start + n). */
export function slice(inputs: ParityInputs, start: number, n: number): Float32Array {
  return inputs.data.subarray(start * PIXEL_COUNT, (start + n) * PIXEL_COUNT);
}

/** Times `once(i)` for i = 0 … runs − 1 after one warm-up call. */
export async function timeEach(runs: number, once: (i: number) => Promise<void>): Promise<number[]> {
  await once(0);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await once(i);
    times.push(performance.now() - started);
  }
  return times;
}
