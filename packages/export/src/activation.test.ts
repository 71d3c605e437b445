import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS } from './convert/activation.js';
import { exportAndVerify, randomizeWeights } from './test-support.js';

describe('activations', () => {
  for (const activation of ACTIVATIONS) {
    it(`fused ${activation} on a conv and as an Activation layer after dense`, async () => {
      const m = tf.sequential();
      m.add(tf.layers.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3, activation }));
      m.add(tf.layers.flatten());
      m.add(tf.layers.dense({ units: 3 }));
      m.add(tf.layers.activation({ activation }));
      m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
      randomizeWeights(m, 11, 2);
      const { report } = await exportAndVerify(m);
      expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
      expect(report.argmaxAgreement).toBe(1);
    });
  }

  it('ReLU (max value), LeakyReLU, ELU and Softmax layers; Softmax layer over the channels of a map', async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 3, kernelSize: 3 }));
    m.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    m.add(tf.layers.conv2d({ filters: 3, kernelSize: 2, activation: 'softmax' }));
    m.add(tf.layers.reLU({ maxValue: 0.4 }));
    m.add(tf.layers.elu({}));
    m.add(tf.layers.softmax({ axis: -1 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 4 }));
    m.add(tf.layers.softmax({}));
    randomizeWeights(m, 13, 2);
    const { report } = await exportAndVerify(m);
    expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
  });
});
