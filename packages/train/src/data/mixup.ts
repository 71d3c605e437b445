/**
 * Mixup (Zhang et al., 2018): each training face of a batch is blended with a partner face of the same
 * batch, and its targets (every head's) with the partner's, by one weight λ ~ Beta(α, α) per face:
 * x' = λ·x + (1 − λ)·x_partner, y' = λ·y + (1 − λ)·y_partner. Cross-entropy against the blended targets
 * asks the network to answer in proportion between the two faces, which regularises a network that fits
 * its training part far better than it generalises. Partners and weights come from one seeded generator
 * per epoch, so a resumed run replays them. Validation and test batches are never mixed.
 */
import { shuffleInPlace } from './random.js';

/** One batch's draw: face b is blended with face partners[b] by weights[b]. */
export interface MixupDraw {
  readonly partners: Int32Array;
  readonly weights: Float32Array;
}

/** A standard normal draw (Box–Muller) from uniform draws in [0, 1). */
function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** A Gamma(shape, 1) draw: Marsaglia and Tsang's method, boosted by U^(1/shape) for shape < 1. */
export function sampleGamma(shape: number, random: () => number): number {
  if (shape < 1) return sampleGamma(shape + 1, random) * (1 - random()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal(random);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    if (Math.log(1 - random()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A Beta(alpha, alpha) draw. */
export function sampleBeta(alpha: number, random: () => number): number {
  const a = sampleGamma(alpha, random);
  const b = sampleGamma(alpha, random);
  return a + b > 0 ? a / (a + b) : 0.5;
}

/** Draws a batch of `count` faces' partners (a random permutation) and weights (Beta(α, α)). */
export function drawMixup(count: number, alpha: number, random: () => number): MixupDraw {
  if (!(alpha > 0)) throw new RangeError(`mixup α must be > 0, got ${alpha}`);
  const partners = shuffleInPlace(
    Int32Array.from({ length: count }, (_, i) => i),
    random,
  );
  const weights = Float32Array.from({ length: count }, () => sampleBeta(alpha, random));
  return { partners, weights };
}

/**
 * Blends the first `draw.weights.length` rows of `values` (row-major, `rowSize` values a row) in place:
 * row b becomes λ_b·row b + (1 − λ_b)·row partners[b], partners read as they were before blending.
 */
export function blendRows(values: Float32Array, rowSize: number, draw: MixupDraw): void {
  const count = draw.weights.length;
  const before = values.slice(0, count * rowSize);
  for (let b = 0; b < count; b++) {
    const lambda = draw.weights[b]!;
    const own = b * rowSize;
    const other = draw.partners[b]! * rowSize;
    for (let i = 0; i < rowSize; i++)
      values[own + i] = lambda * before[own + i]! + (1 - lambda) * before[other + i]!;
  }
}
