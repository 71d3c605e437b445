/**
 * What the parity suite asks of a runtime, so the suite is written once and every runtime that can
 * load the models is run through it: open the models (or say why it cannot run here, and the suite
 * skips it with that reason), give each task's probabilities for the first `count` shared inputs in
 * batches of `batchSize`, and optionally time one face through all the models; where it can, run the
 * face detector on the shared detector inputs and time one detector run.
 */
import type { ManifestModel, Task } from '@facekit/core';
import { DETECTOR_ANCHORS, DETECTOR_BOX_VALUES, DETECTOR_INPUT_VALUES, PIXEL_COUNT } from '@facekit/core';
import type { HeadOutputs } from '@facekit/export';
import type { DetectorInputs } from '../../support/detector-inputs.js';
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
  /** The face detector and its inputs, when face-detector.json is there. */
  readonly detector?: ParityDetector;
}

export interface ParityDetector {
  /** face-detector.onnx, sha256 checked against face-detector.json. */
  readonly file: string;
  readonly bytes: Uint8Array;
  /** The source graph model's raw outputs (face-detector.json's `source.rawOutputs`), for tfjs. */
  readonly rawOutputs: HeadOutputs;
  readonly inputs: DetectorInputs;
}

/** The detector's outputs for every input, concatenated: scores [count × 896], boxes [count × 896 × 16]. */
export interface DetectorOutputs {
  readonly scores: Float32Array;
  readonly boxes: Float32Array;
}

export interface Runtime {
  readonly name: string;
  /** A GPU runtime is held to the GPU tolerance. */
  readonly gpu: boolean;
  /** Loads the models; null when ready, else why this runtime cannot run here. */
  open(context: ParityContext): Promise<string | null>;
  /** Probabilities [count × width] of `task` for the first `count` inputs, `batchSize` per run. */
  run(task: Task, count: number, batchSize: number): Promise<Float32Array>;
  /** Milliseconds per face for every model together (batch 1), `runs` faces after `warmUp`. */
  latency?(runs: number, warmUp: WarmUp): Promise<Timings>;
  /**
   * The face detector (batch 1: its input shape is fixed) on the first `count` detector inputs; absent
   * where the runtime cannot run it. Opened by `open` when the context holds a detector.
   */
  detect?(count: number): Promise<DetectorOutputs>;
  /** Milliseconds per detector run (one 256×256 input), `runs` runs after `warmUp`. */
  detectorLatency?(runs: number, warmUp: WarmUp): Promise<Timings>;
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

/**
 * How long a runtime runs untimed before it is timed: at least once, then until `runs` runs or `ms`
 * milliseconds, whichever comes first. V8 runs WebAssembly from its baseline compiler (Liftoff) at
 * first and swaps in optimised code (TurboFan), compiled in the background, once it is hot: in
 * headless Chromium on the project's 2-core box the shipped models took ≈ 7 ms a face for the first
 * ≈ 5 s (≈ 600 runs) and 2.2 ms after, so one warm-up run left the figure mostly the baseline code's.
 */
export interface WarmUp {
  readonly runs: number;
  readonly ms: number;
}

/** Each run's milliseconds: the warm-up's, then the timed ones'. */
export interface Timings {
  readonly warmUp: readonly number[];
  readonly timed: readonly number[];
}

/**
 * Times `once(i)` for the warm-up, then for i = 0 … runs − 1. (The Chromium page runs the same loop in
 * its own script.)
 */
export async function timeEach(
  runs: number,
  warm: WarmUp,
  once: (i: number) => Promise<void>,
): Promise<Timings> {
  const time = async (i: number, into: number[]) => {
    const started = performance.now();
    await once(i);
    into.push(performance.now() - started);
  };
  const warmUp: number[] = [];
  const started = performance.now();
  while (warmUp.length === 0 || (warmUp.length < warm.runs && performance.now() - started < warm.ms))
    await time(warmUp.length, warmUp);
  const timed: number[] = [];
  for (let i = 0; i < runs; i++) await time(i, timed);
  return { warmUp, timed };
}

/** Detector input `i` ([1, 256, 256, 3]). */
export function detectorSlice(inputs: DetectorInputs, i: number): Float32Array {
  return inputs.data.subarray(i * DETECTOR_INPUT_VALUES, (i + 1) * DETECTOR_INPUT_VALUES);
}

/** Runs `once(i)` for every detector input and concatenates its scores and boxes. */
export async function detectEach(
  count: number,
  once: (i: number) => Promise<{ scores: ArrayLike<number>; boxes: ArrayLike<number> }>,
): Promise<DetectorOutputs> {
  const scores = new Float32Array(count * DETECTOR_ANCHORS);
  const boxes = new Float32Array(count * DETECTOR_ANCHORS * DETECTOR_BOX_VALUES);
  for (let i = 0; i < count; i++) {
    const out = await once(i);
    if (out.scores.length !== DETECTOR_ANCHORS || out.boxes.length !== DETECTOR_ANCHORS * DETECTOR_BOX_VALUES)
      throw new Error(`the detector gave ${out.scores.length} scores and ${out.boxes.length} box values`);
    scores.set(out.scores, i * DETECTOR_ANCHORS);
    boxes.set(out.boxes, i * DETECTOR_ANCHORS * DETECTOR_BOX_VALUES);
  }
  return { scores, boxes };
}
