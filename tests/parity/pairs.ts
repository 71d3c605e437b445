/**
 * Every pair of runtimes that ran, compared task by task with the exporter's own comparison (max abs
 * difference of probabilities, argmax agreement, worst sample). A pair passes when every probability
 * is within the tolerance — 1e-5 between float32 CPU runtimes, the GPU tolerance when either side ran
 * on a GPU — and every argmax is the same.
 */
import { DETECTOR_ANCHORS, DETECTOR_BOX_VALUES, readDetections, type Task } from '@facekit/core';
import { percentiles } from '@facekit/core/node';
import { compareOutputs, DETECTOR_TOLERANCE, largestAbsDiff, type Comparison } from '@facekit/export';
import type { DetectorInputs } from '../support/detector-inputs.js';
import type { DetectorOutputs, Timings } from './runtimes/runtime.js';

export const CPU_TOLERANCE = 1e-5;
/**
 * GPU kernels sum in another order (and may fuse or use other exp/sigmoid approximations). Measured:
 * onnxruntime-node's WebGPU EP against its CPU EP on an H200 (Dawn/Vulkan), the shipped seed models,
 * 1,003 faces in batches of 1, 64 and 256: max |Δp| 1.6e-6, every argmax the same. 1e-4 leaves room
 * for other adapters and drivers while staying far below the percent-level changes of a wrong graph.
 */
export const GPU_TOLERANCE = 1e-4;

/**
 * The face detector between float32 CPU runtimes: the export's score tolerance (5e-5), and twice its
 * box tolerance. Measured over 27 letterboxed photos (`pnpm parity -- --faces 64 --singles 8`): max
 * |Δscore| 5.2e-6, max |Δbox| 7.3e-4 px (tfjs ↔ onnxruntime-node cpu) — the export's 1e-3 px, set on
 * 16 images, would leave 1.4× room, and boxes of 128–256 px hold float32 steps of 1.5e-5 px, so 7e-4
 * is ~50 of them after 70 convolutions. 2e-3 px is still 500× below a pixel, a wrong graph is off by
 * whole pixels, and what a user sees is checked on its own: the same faces from every runtime.
 */
export const DETECTOR_CPU_TOLERANCE = { scores: DETECTOR_TOLERANCE.scores, boxes: 2e-3 } as const;
/**
 * The face detector with a GPU runtime on either side: ten times the CPU score tolerance (as for the
 * classifiers), five times the box one. Measured: onnxruntime-node's WebGPU EP and onnxruntime-web's in Chromium, both
 * on SwiftShader, against tfjs and the CPU runtimes on 27 letterboxed photos: max |Δscore| 5.8e-6, max
 * |Δbox| 9.8e-4 px — inside the CPU tolerance already. The room is for real GPUs' kernels (other
 * summation orders, fused or approximated sigmoid); 0.01 px is still far below a wrong graph's whole
 * pixels, and a crop that moves is caught by the faces check anyway. Not yet measured on a real GPU.
 */
export const DETECTOR_GPU_TOLERANCE = { scores: 5e-4, boxes: 1e-2 } as const;

export interface RuntimeRecord {
  readonly name: string;
  readonly gpu: boolean;
  readonly status: 'ran' | 'skipped' | 'failed';
  /** Version and settings when it ran, the reason when it did not. */
  readonly detail: string;
  /** Each task's probabilities for every input (batches of 64). */
  readonly outputs?: ReadonlyMap<Task, Float32Array>;
  /** Within the runtime: largest difference between batch-1 and batch-64 results of the same inputs. */
  readonly batchOneDiff?: number;
  /** ms per face, all models, batch 1: the warm-up's runs and the timed ones. */
  readonly latency?: Timings;
  /** The face detector's outputs for every detector input, when it ran the detector. */
  readonly detector?: DetectorOutputs;
  /** ms per detector run (one 256×256 input): the warm-up's runs and the timed ones. */
  readonly detectorLatency?: Timings;
}

export interface PairResult {
  readonly a: string;
  readonly b: string;
  readonly tolerance: number;
  readonly perTask: ReadonlyMap<Task, Comparison>;
  readonly maxAbsDiff: number;
  readonly samples: number;
  readonly argmaxMismatches: number;
  readonly ok: boolean;
}

export function comparePairs(
  records: readonly RuntimeRecord[],
  widths: ReadonlyMap<Task, number>,
): PairResult[] {
  const ran = records.filter((r) => r.status === 'ran' && r.outputs);
  const pairs: PairResult[] = [];
  for (let i = 0; i < ran.length; i++) {
    for (let j = i + 1; j < ran.length; j++) {
      const [a, b] = [ran[i]!, ran[j]!];
      const tolerance = a.gpu || b.gpu ? GPU_TOLERANCE : CPU_TOLERANCE;
      const perTask = new Map<Task, Comparison>();
      for (const [task, width] of widths)
        perTask.set(task, compareOutputs(a.outputs!.get(task)!, b.outputs!.get(task)!, width));
      const all = [...perTask.values()];
      const maxAbsDiff = Math.max(...all.map((c) => c.maxAbsDiff));
      const argmaxMismatches = all.reduce((s, c) => s + c.argmaxMismatches, 0);
      const samples = all.reduce((s, c) => s + c.samples, 0);
      pairs.push({
        a: a.name,
        b: b.name,
        tolerance,
        perTask,
        maxAbsDiff,
        samples,
        argmaxMismatches,
        ok: maxAbsDiff <= tolerance && argmaxMismatches === 0,
      });
    }
  }
  return pairs;
}

export interface DetectorPairResult {
  readonly a: string;
  readonly b: string;
  readonly tolerance: { readonly scores: number; readonly boxes: number };
  readonly maxScoreDiff: number;
  readonly maxBoxDiff: number;
  /** Faces `readDetections` finds over all inputs, from a's outputs. */
  readonly faces: number;
  /** Inputs whose faces (count, scores ≥ 0.5, crops) differ between a and b, by name. */
  readonly squaresDiffer: readonly string[];
  readonly ok: boolean;
}

/** The faces a user would see for input `i` from `out`: the crops `readDetections` picks, as text. */
export function detectedSquares(out: DetectorOutputs, inputs: DetectorInputs, i: number): string[] {
  const scores = out.scores.subarray(i * DETECTOR_ANCHORS, (i + 1) * DETECTOR_ANCHORS);
  const per = DETECTOR_ANCHORS * DETECTOR_BOX_VALUES;
  const boxes = out.boxes.subarray(i * per, (i + 1) * per);
  return readDetections(scores, boxes, inputs.frames[i]!).map(
    (f) => `${f.crop.x},${f.crop.y},${f.crop.size}`,
  );
}

/**
 * Every pair of runtimes that ran the detector: the largest score and box differences over all anchors
 * of all inputs, and whether `readDetections` gives the same faces (same count, identical crops) for
 * every input. Within tolerance and identical squares passes.
 */
export function compareDetectorPairs(
  records: readonly RuntimeRecord[],
  inputs: DetectorInputs,
): DetectorPairResult[] {
  const ran = records.filter((r) => r.status === 'ran' && r.detector);
  const squares = new Map(
    ran.map((r) => [
      r.name,
      Array.from({ length: inputs.count }, (_, i) => detectedSquares(r.detector!, inputs, i)),
    ]),
  );
  const pairs: DetectorPairResult[] = [];
  for (let i = 0; i < ran.length; i++) {
    for (let j = i + 1; j < ran.length; j++) {
      const [a, b] = [ran[i]!, ran[j]!];
      const tolerance = a.gpu || b.gpu ? DETECTOR_GPU_TOLERANCE : DETECTOR_CPU_TOLERANCE;
      const maxScoreDiff = largestAbsDiff(a.detector!.scores, b.detector!.scores);
      const maxBoxDiff = largestAbsDiff(a.detector!.boxes, b.detector!.boxes);
      const [sa, sb] = [squares.get(a.name)!, squares.get(b.name)!];
      const squaresDiffer = inputs.names.filter((_, k) => sa[k]!.join(' ') !== sb[k]!.join(' '));
      pairs.push({
        a: a.name,
        b: b.name,
        tolerance,
        maxScoreDiff,
        maxBoxDiff,
        faces: sa.reduce((n, f) => n + f.length, 0),
        squaresDiffer,
        ok: maxScoreDiff <= tolerance.scores && maxBoxDiff <= tolerance.boxes && squaresDiffer.length === 0,
      });
    }
  }
  return pairs;
}

/** How many of the warm-up's first runs the cold figure is the median of. */
export const COLD_RUNS = 20;

export interface LatencySummary {
  readonly runs: number;
  readonly median: number;
  readonly p95: number;
  readonly mean: number;
  readonly warmUpRuns: number;
  /** Median of the warm-up's first COLD_RUNS runs (slower while V8 still runs baseline code). */
  readonly cold: number;
}

export function summarize({ warmUp, timed }: Timings): LatencySummary {
  const at = percentiles(timed);
  return {
    runs: timed.length,
    median: at(0.5),
    p95: at(0.95),
    mean: timed.reduce((s, t) => s + t, 0) / timed.length,
    warmUpRuns: warmUp.length,
    cold: percentiles(warmUp.slice(0, COLD_RUNS))(0.5),
  };
}
