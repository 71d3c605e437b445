import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { PIXEL_COUNT } from '@facekit/core';
import { BatchFeeder } from './batches.js';
import type { FaceDataset } from './dataset.js';
import { blendRows, drawMixup, sampleBeta, sampleGamma } from './mixup.js';
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

describe('blendRows', () => {
  it('blends each row with its partner as it was, by its own weight', () => {
    const draw = { partners: Int32Array.from([2, 0, 1]), weights: Float32Array.from([1, 0.25, 0.5]) };
    const x = Float32Array.from([1, 2, 10, 20, 100, 200, 7, 7]);
    blendRows(x, 2, draw);
    // Rows past the draw's count (the feeder's spare buffer) are left alone.
    expect(Array.from(x)).toEqual([1, 2, 0.25 * 10 + 0.75 * 1, 0.25 * 20 + 0.75 * 2, 55, 110, 7, 7]);
    const y = Float32Array.from([1, 0, 0, 1, 0.5, 0.5]);
    blendRows(y, 2, draw);
    expect(Array.from(y)).toEqual([1, 0, 0.75, 0.25, 0.25, 0.75]);
  });
});

describe('BatchFeeder with a mixup draw', () => {
  it('blends the images and every kind of target with the same partners and weights', async () => {
    await tf.setBackend('cpu');
    const faces = 6;
    const pixels = Uint8Array.from({ length: faces * PIXEL_COUNT }, (_, i) => (i * 7 + (i % 13)) % 256);
    const dataset = { pixels, size: faces } as unknown as FaceDataset;
    const labels = Uint8Array.from([0, 1, 2, 1, 0, 2]);
    const rows = Uint32Array.from([5, 3, 1, 0]);
    const draw = drawMixup(4, 0.2, seededRandom(4));
    const softmax = new BatchFeeder(dataset, labels, 3, false, 8);
    const binary = new BatchFeeder(dataset, Uint8Array.from([0, 1, 1, 0, 1, 0]), 1, true, 8);
    // The feeder reuses its buffer (and the cpu backend may keep a view of it): copy each batch at once.
    const copy = (t: tf.Tensor) => Float32Array.from(t.dataSync());
    const blended = (values: Float32Array, rowSize: number) => {
      blendRows(values, rowSize, draw);
      return Array.from(values);
    };
    const plainX = copy(softmax.inputs(rows, 0, 4));
    const mixedX = Array.from(copy(softmax.inputs(rows, 0, 4, undefined, draw)));
    expect(mixedX).not.toEqual(Array.from(plainX));
    expect(mixedX).toEqual(blended(plainX, PIXEL_COUNT));
    const shaping = { smoothing: 0.1 };
    const plainY = copy(softmax.targetsFor(rows, 0, 4, shaping));
    expect(Array.from(copy(softmax.targetsFor(rows, 0, 4, shaping, draw)))).toEqual(blended(plainY, 3));
    const plainB = copy(binary.targetsFor(rows, 0, 4));
    expect(Array.from(copy(binary.targetsFor(rows, 0, 4, undefined, draw)))).toEqual(blended(plainB, 1));
  });
});
