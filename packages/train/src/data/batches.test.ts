import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { PIXEL_COUNT } from '@facekit/core';
import { Augmenter } from './augment.js';
import { BatchFeeder, classWeights } from './batches.js';
import type { FaceDataset } from './dataset.js';
import { seededRandom } from './random.js';

const rows = 4;
const dataset = {
  size: rows,
  pixels: Uint8Array.from({ length: rows * PIXEL_COUNT }, (_, i) => (i * 13) % 256),
} as unknown as FaceDataset;
const targets = Uint8Array.from([0, 2, 1, 2]);
const order = Uint32Array.from([3, 1, 0, 2]);

describe('BatchFeeder', () => {
  it('shapes softmax targets: label smoothing and class weights', async () => {
    await tf.setBackend('cpu');
    const feeder = new BatchFeeder(dataset, targets, 3, false, 8);
    const plain = feeder.targetsFor(order, 0, 2);
    expect(Array.from(plain.dataSync())).toEqual([0, 0, 1, 0, 0, 1]);
    const smooth = feeder.targetsFor(order, 0, 1, { smoothing: 0.3 });
    const s = smooth.dataSync();
    expect([s[0], s[1], s[2]].map((v) => +v!.toFixed(5))).toEqual([0.1, 0.1, 0.8]);
    const weighted = feeder.targetsFor(order, 1, 2, {
      smoothing: 0.3,
      classWeights: Float32Array.from([1, 2, 0.5]),
    });
    const w = weighted.dataSync();
    // row 1 (class 2, weight 0.5), row 0 (class 0, weight 1)
    expect(Array.from(w).map((v) => +v.toFixed(5))).toEqual([0.05, 0.05, 0.4, 0.8, 0.1, 0.1]);
    tf.dispose([plain, smooth, weighted]);
  });

  it("trains towards each row's own distribution in place of one-hot, smoothed and weighted the same way", async () => {
    await tf.setBackend('cpu');
    const feeder = new BatchFeeder(dataset, targets, 3, false, 8);
    // Row r's distribution: rows 0 and 2 one-hot, rows 1 and 3 shared with a neighbouring class.
    const distributions = Float32Array.from([1, 0, 0, 0, 0.4, 0.6, 0, 1, 0, 0, 0.3, 0.7]);
    const y = feeder.targetsFor(order, 0, 2, { distributions });
    // order starts 3, 1
    expect(Array.from(y.dataSync()).map((v) => +v.toFixed(5))).toEqual([0, 0.3, 0.7, 0, 0.4, 0.6]);
    const shaped = feeder.targetsFor(order, 1, 2, {
      distributions,
      smoothing: 0.3,
      classWeights: Float32Array.from([1, 2, 0.5]),
    });
    // row 1 (class 2, weight 0.5): 0.5 × (0.7 × [0, 0.4, 0.6] + 0.1); row 0 (class 0, weight 1)
    expect(Array.from(shaped.dataSync()).map((v) => +v.toFixed(5))).toEqual([
      0.05, 0.19, 0.26, 0.8, 0.1, 0.1,
    ]);
    tf.dispose([y, shaped]);
  });

  it('feeds plain grey / 255 without an augmenter, and reproducible augmented batches with one', async () => {
    await tf.setBackend('cpu');
    const feeder = new BatchFeeder(dataset, targets, 3, false, 8);
    const x = feeder.inputs(order, 0, 2);
    const data = x.dataSync();
    expect(data[0]).toBeCloseTo(dataset.pixels[3 * PIXEL_COUNT]! / 255, 6);
    expect(data[PIXEL_COUNT + 5]).toBeCloseTo(dataset.pixels[PIXEL_COUNT + 5]! / 255, 6);
    const options = { flip: 0.5, shift: 2, scale: 0.05, brightness: 0.1, contrast: 0.1 };
    const batch = (seed: number) => {
      const t = feeder.inputs(order, 0, 4, new Augmenter(options, seededRandom(seed)));
      const values = Array.from(t.dataSync());
      t.dispose();
      return values;
    };
    expect(batch(1)).toEqual(batch(1));
    expect(batch(1)).not.toEqual(Array.from(feeder.inputs(order, 0, 4).dataSync()));
    x.dispose();
  });
});

describe('classWeights', () => {
  it('favours rare classes and keeps the mean weight 1', () => {
    const targets = Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 1, 2]);
    const rows = Uint32Array.from(targets.keys());
    const w = classWeights(targets, rows, 3, 1);
    expect(w[2]! / w[0]!).toBeCloseTo(6);
    expect(w[1]! / w[0]!).toBeCloseTo(3);
    const mean = [...targets].reduce((s, t) => s + w[t]!, 0) / targets.length;
    expect(mean).toBeCloseTo(1);
  });
});
