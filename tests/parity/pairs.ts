/**
 * Every pair of runtimes that ran, compared task by task with the exporter's own comparison (max abs
 * difference of probabilities, argmax agreement, worst sample). A pair passes when every probability
 * is within the tolerance — 1e-5 between float32 CPU runtimes, the GPU tolerance when either side ran
 * on a GPU — and every argmax is the same.
 */
import type { Task } from '@facekit/core';
import { percentiles } from '@facekit/core/node';
import { compareOutputs, type Comparison } from '@facekit/export';

export const CPU_TOLERANCE = 1e-5;
/**
 * GPU kernels sum in another order (and may fuse or use other exp/sigmoid approximations). Measured:
 * onnxruntime-node's WebGPU EP against its CPU EP on an H200 (Dawn/Vulkan), the shipped seed models,
 * 1,003 faces in batches of 1, 64 and 256: max |Δp| 1.6e-6, every argmax the same. 1e-4 leaves room
 * for other adapters and drivers while staying far below the percent-level changes of a wrong graph.
 */
export const GPU_TOLERANCE = 1e-4;

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
  /** ms per face, all models, batch 1. */
  readonly latency?: readonly number[];
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

export interface LatencySummary {
  readonly runs: number;
  readonly median: number;
  readonly p95: number;
  readonly mean: number;
}

export function summarize(times: readonly number[]): LatencySummary {
  const at = percentiles(times);
  return {
    runs: times.length,
    median: at(0.5),
    p95: at(0.95),
    mean: times.reduce((s, t) => s + t, 0) / times.length,
  };
}
