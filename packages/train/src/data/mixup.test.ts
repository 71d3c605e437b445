import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { drawMixup, mixRows, sampleBeta, sampleGamma } from './mixup.js';
import { seededRandom } from './random.js';

const moments = (draws: number[]) => {
  const mean = draws.reduce((s, v) => s + v, 0) / draws.length;
  const variance = draws.reduce((s, v) => s + (v - mean) ** 2, 0) / draws.length;
  return { mean, variance };
};

describe('mixup draws', () => {
  it('Gamma and Beta samples have their distributions’ mean and variance', () => {
    const random = seededRandom(3);
    for (const shape of [0.2, 0.5, 2.5]) {
      const { mean, variance } = moments(Array.from({ length: 40_000 }, () => sampleGamma(shape, random)));
      expect(mean, `Gamma(${shape}) mean`).toBeCloseTo(shape, 1);
      expect(variance / shape, `Gamma(${shape}) variance`).toBeGreaterThan(0.9);
      expect(variance / shape, `Gamma(${shape}) variance`).toBeLessThan(1.1);
    }
    for (const alpha of [0.2, 1]) {
      const draws = Array.from({ length: 40_000 }, () => sampleBeta(alpha, random));
      const { mean, variance } = moments(draws);
      expect(mean).toBeCloseTo(0.5, 2);
      // Beta(α, α): variance 1 / (4 (2α + 1)); α = 0.2 piles the draws near 0 and 1.
      expect(variance).toBeCloseTo(1 / (4 * (2 * alpha + 1)), 2);
      expect(draws.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
  });

  it('pair the batch by a permutation and repeat from the same seed', () => {
    const draw = drawMixup(64, 0.2, seededRandom(9));
    expect([...draw.partners].sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect([...draw.partners]).not.toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(drawMixup(64, 0.2, seededRandom(9))).toEqual(draw);
    expect(drawMixup(64, 0.2, seededRandom(10)).weights).not.toEqual(draw.weights);
    expect(() => drawMixup(4, 0, seededRandom(1))).toThrow(/α must be > 0/);
  });
});

describe('mixRows', () => {
  it('blends each row with its partner by its own weight, on any rank', async () => {
    await tf.setBackend('cpu');
    const draw = { partners: Int32Array.from([2, 0, 1]), weights: Float32Array.from([1, 0.25, 0.5]) };
    const x = tf.tensor4d([1, 2, 10, 20, 100, 200], [3, 1, 2, 1]);
    expect(Array.from(mixRows(x, draw).dataSync())).toEqual([
      1,
      2,
      0.25 * 10 + 0.75 * 1,
      0.25 * 20 + 0.75 * 2,
      55,
      110,
    ]);
    const y = tf.tensor2d([1, 0, 0, 1, 0.5, 0.5], [3, 2]);
    const mixed = mixRows(y, draw).arraySync() as number[][];
    expect(mixed).toEqual([
      [1, 0],
      [0.75, 0.25],
      [0.25, 0.75],
    ]);
    // Targets stay distributions.
    for (const row of mixed) expect(row[0]! + row[1]!).toBeCloseTo(1, 6);
  });
});
