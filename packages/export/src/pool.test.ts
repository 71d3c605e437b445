import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { exportAndVerify, randomizeWeights } from './test-support.js';

const cases: { name: string; size: [number, number]; layer: () => tf.layers.Layer; flat?: boolean }[] = [
  {
    name: 'max 2×2 valid (odd size drops the edge)',
    size: [9, 7],
    layer: () => tf.layers.maxPooling2d({ poolSize: 2 }),
  },
  {
    name: 'max 3×3 stride 2 same',
    size: [9, 8],
    layer: () => tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
  },
  { name: 'average 2×2 valid', size: [8, 8], layer: () => tf.layers.averagePooling2d({ poolSize: 2 }) },
  {
    name: 'average 3×3 stride 2 same (padding not counted)',
    size: [7, 9],
    layer: () => tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
  },
  {
    name: 'average [2, 3] stride [1, 2]',
    size: [6, 9],
    layer: () => tf.layers.averagePooling2d({ poolSize: [2, 3], strides: [1, 2] }),
  },
  { name: 'global average', size: [5, 6], layer: () => tf.layers.globalAveragePooling2d({}), flat: true },
  { name: 'global max', size: [5, 6], layer: () => tf.layers.globalMaxPooling2d({}), flat: true },
];

describe('pooling', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const m = tf.sequential();
      m.add(
        tf.layers.conv2d({
          inputShape: [...c.size, 1],
          filters: 3,
          kernelSize: 2,
          padding: 'same',
          activation: 'elu',
        }),
      );
      m.add(c.layer());
      if (!c.flat) m.add(tf.layers.flatten());
      m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
      randomizeWeights(m, 7);
      const { report } = await exportAndVerify(m);
      expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
      expect(report.argmaxAgreement).toBe(1);
    });
  }
});
