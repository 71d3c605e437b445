/**
 * Test-set metrics for one task, from the model's probabilities: the numbers `metrics.json`, the report
 * and the exporter's manifest and model card all show. Everything is computed from the confusion matrix
 * so the figures agree with each other, and a class the model never predicts gets precision 0 (as
 * scikit-learn's `zero_division=0`), never NaN, because NaN does not survive JSON.
 */
import type { Task } from '@facekit/core';
import { calibration, DEFAULT_CALIBRATION_BINS } from './calibration.js';
import { retemper } from '../temperature.js';
import { groupAccuracies, type Demographics } from './group-accuracy.js';
import type { ClassMetrics, TaskMetrics } from './metrics-types.js';

export interface TaskPredictions {
  readonly task: Task;
  /** Labels in output order (for age, those of the grouping in force). */
  readonly labels: readonly string[];
  /** True class index per sample. */
  readonly truth: Uint8Array;
  /**
   * Row-major `rows × labels.length` probabilities. For a two-label task a one-unit sigmoid output
   * (`rows × 1`, the probability of label 1) is accepted too and read as `[1 − p, p]`.
   */
  readonly probabilities: Float32Array;
  /** Mean loss on these samples, as the training loop computed it. */
  readonly loss: number;
  readonly demographics: Demographics;
  /** Confidence bins for calibration; default 15. */
  readonly calibrationBins?: number;
  /**
   * The temperature folded into the model that gave `probabilities` (temperature.ts); the metrics
   * then also carry it and the ECE the untempered model would have had.
   */
  readonly temperature?: number;
}

/** Full `rows × k` probabilities, expanding a sigmoid column to two. */
function probabilityRows(p: TaskPredictions, rows: number, k: number): Float32Array {
  if (p.probabilities.length === rows * k) return p.probabilities;
  if (k === 2 && p.probabilities.length === rows) {
    const full = new Float32Array(rows * 2);
    p.probabilities.forEach((q, i) => {
      full[2 * i] = 1 - q;
      full[2 * i + 1] = q;
    });
    return full;
  }
  throw new RangeError(`probabilities has ${p.probabilities.length} values; expected ${rows} × ${k}`);
}

/** Safe ratio: 0 when the denominator is 0. */
const ratio = (num: number, den: number) => (den === 0 ? 0 : num / den);

/** Per-class precision, recall, F1 and support from a confusion matrix [true][predicted]. */
export function perClassMetrics(
  labels: readonly string[],
  confusion: readonly (readonly number[])[],
): ClassMetrics[] {
  return labels.map((label, c) => {
    const row = confusion[c] ?? [];
    const tp = row[c] ?? 0;
    const support = row.reduce((s, v) => s + v, 0);
    const predicted = confusion.reduce((s, r) => s + (r[c] ?? 0), 0);
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    return { label, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
}

/**
 * Macro-F1: the unweighted mean F1 over the classes that occur in the truth or the predictions
 * (scikit-learn's default label set), so a class absent from both does not count as a 0.
 */
export function macroF1(
  perClass: readonly ClassMetrics[],
  confusion: readonly (readonly number[])[],
): number {
  const present = perClass.filter((m, c) => m.support > 0 || confusion.some((r) => (r[c] ?? 0) > 0));
  return ratio(
    present.reduce((s, m) => s + m.f1, 0),
    present.length,
  );
}

/** Each row's top class and its probability, and whether it is the true class; checks the inputs. */
function topClasses(probs: Float32Array, k: number, truth: Uint8Array) {
  const rows = truth.length;
  const best = new Uint8Array(rows);
  const confidence = new Float64Array(rows);
  const correct = new Array<boolean>(rows);
  for (let i = 0; i < rows; i++) {
    const t = truth[i]!;
    if (t >= k) throw new RangeError(`truth[${i}] = ${t} is not below ${k}`);
    let bestP = -Infinity;
    for (let c = 0; c < k; c++) {
      const q = probs[i * k + c]!;
      if (!Number.isFinite(q)) throw new RangeError(`probabilities of row ${i} are not finite`);
      if (q > bestP) [best[i], bestP] = [c, q];
    }
    confidence[i] = Math.min(1, Math.max(0, bestP));
    correct[i] = best[i] === t;
  }
  return { best, confidence, correct };
}

export function computeTaskMetrics(p: TaskPredictions): TaskMetrics {
  const k = p.labels.length;
  const rows = p.truth.length;
  if (k < 2) throw new RangeError(`a task needs at least two labels, got ${k}`);
  if (rows === 0) throw new RangeError('no samples to evaluate');
  const probs = probabilityRows(p, rows, k);
  const bins = p.calibrationBins ?? DEFAULT_CALIBRATION_BINS;
  const { best, confidence, correct } = topClasses(probs, k, p.truth);
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  best.forEach((b, i) => confusion[p.truth[i]!]![b]!++);
  const perClass = perClassMetrics(p.labels, confusion);
  const calib = calibration(confidence, correct, bins);
  return {
    task: p.task,
    labels: [...p.labels],
    samples: rows,
    accuracy: correct.filter(Boolean).length / rows,
    macroF1: macroF1(perClass, confusion),
    loss: p.loss,
    perClass,
    confusion,
    ...groupAccuracies(correct, p.demographics),
    ageGroupLabels: [...p.demographics.ageLabels],
    expectedCalibrationError: calib.expectedCalibrationError,
    calibrationBins: calib.bins,
    reliability: calib.reliability,
    ...(p.temperature === undefined ? {} : untempered(probs, k, p.truth, p.temperature, bins)),
  };
}

/** The temperature and the ECE the model had before it was tempered (T undone on its probabilities). */
function untempered(probs: Float32Array, k: number, truth: Uint8Array, temperature: number, bins: number) {
  const before = topClasses(retemper(probs, k, temperature), k, truth);
  return {
    temperature,
    untemperedCalibrationError: calibration(before.confidence, before.correct, bins).expectedCalibrationError,
  };
}
