import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { exportAndVerify, randomizeWeights } from './test-support.js';

describe('dense and flatten', () => {
  for (const [h, w, c] of [
    [4, 5, 3],
    [6, 6, 8],
    [1, 1, 5],
    [5, 3, 1],
  ] as const) {
    it(`flatten keeps tfjs (h, w, c) order for a ${h}×${w}×${c} map`, async () => {
      const m = tf.sequential();
      m.add(tf.layers.conv2d({ inputShape: [h + 1, w + 1, 2], filters: c, kernelSize: 2 }));
      m.add(tf.layers.flatten());
      m.add(tf.layers.dense({ units: 6, activation: 'softmax' }));
      randomizeWeights(m, h * 10 + c);
      const { report, exported } = await exportAndVerify(m);
      expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
      expect(report.argmaxAgreement).toBe(1);
      expect(exported.outputs[0]!.shape).toEqual(['N', 6]);
    });
  }

  it('stacked dense layers, with and without bias, on a feature input', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [10], units: 8, activation: 'tanh', useBias: false }));
    m.add(tf.layers.dropout({ rate: 0.5 }));
    m.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
    randomizeWeights(m, 2, 1);
    const { report, exported } = await exportAndVerify(m);
    expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(exported.inputShape).toEqual(['N', 10]);
    expect(exported.dropped).toEqual([expect.stringContaining('(Dropout)')]);
  });

  it('a one-unit sigmoid head becomes [1 − p, p]', async () => {
    const m = tf.sequential();
    m.add(tf.layers.flatten({ inputShape: [4, 4, 2] }));
    m.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
    randomizeWeights(m, 4, 1);
    const { report, exported } = await exportAndVerify(m);
    expect(exported.outputs[0]!.twoClassFromSigmoid).toBe(true);
    expect(report.rowSumError).toBeLessThan(1e-6);
    expect(exported.outputs[0]!.shape).toEqual(['N', 2]);
    expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    const plain = await exportAndVerify(m, { twoClassFromSigmoid: false });
    expect(plain.exported.outputs[0]!.shape).toEqual(['N', 1]);
    expect(plain.report.rowSumError).toBeGreaterThan(0.01);
  });
});
