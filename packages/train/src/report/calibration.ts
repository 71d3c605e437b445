/**
 * Calibration: does a model that says "90% sure" turn out right nine times in ten? Issue 7 asks for the
 * expected calibration error and a reliability figure (and temperature scaling if it helps, which needs
 * this same number computed on other probabilities), so it lives apart from the classification metrics.
 * Binning follows Guo et al. 2017: equal-width bins over the top-class probability; ECE is the
 * sample-weighted mean of |accuracy − mean confidence| over the bins.
 */
import type { ReliabilityBin } from './metrics-types.js';

export const DEFAULT_CALIBRATION_BINS = 15;

export interface Calibration {
  readonly bins: number;
  readonly expectedCalibrationError: number;
  /** Non-empty bins only, in order. */
  readonly reliability: ReliabilityBin[];
}

/**
 * Calibration of top-class predictions. `confidence[i]` is sample i's highest probability and
 * `correct[i]` whether that class was the true one. Bin b holds confidences in [b/B, (b+1)/B), the last
 * bin also holds 1.
 */
export function calibration(
  confidence: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  bins: number = DEFAULT_CALIBRATION_BINS,
): Calibration {
  if (!Number.isInteger(bins) || bins < 1)
    throw new RangeError(`bins must be a positive integer, got ${bins}`);
  if (confidence.length !== correct.length) {
    throw new RangeError(`confidence has ${confidence.length} entries but correct has ${correct.length}`);
  }
  const count = new Float64Array(bins);
  const sumConfidence = new Float64Array(bins);
  const hits = new Float64Array(bins);
  for (let i = 0; i < confidence.length; i++) {
    const c = confidence[i]!;
    if (!(c >= 0 && c <= 1)) throw new RangeError(`confidence[${i}] = ${c} is not a probability`);
    const b = Math.min(bins - 1, Math.floor(c * bins));
    count[b]!++;
    sumConfidence[b]! += c;
    if (correct[i]) hits[b]!++;
  }
  const total = confidence.length;
  const reliability: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const n = count[b]!;
    if (n === 0) continue;
    const meanConfidence = sumConfidence[b]! / n;
    const accuracy = hits[b]! / n;
    ece += (n / total) * Math.abs(accuracy - meanConfidence);
    reliability.push({
      lower: b / bins,
      upper: (b + 1) / bins,
      count: n,
      confidence: meanConfidence,
      accuracy,
    });
  }
  return { bins, expectedCalibrationError: ece, reliability };
}
