import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { exportAndVerify, randomizeWeights } from './test-support.js';

describe('batch normalization', () => {
  it('folds into the conv, depthwise, separable and dense layer before it', async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same' }));
    m.add(tf.layers.batchNormalization({}));
    m.add(tf.layers.activation({ activation: 'relu' }));
    m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, useBias: false }));
    m.add(tf.layers.batchNormalization({ epsilon: 0.01 }));
    m.add(tf.layers.separableConv2d({ filters: 3, kernelSize: 2 }));
    m.add(tf.layers.batchNormalization({ center: false }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 5 }));
    m.add(tf.layers.batchNormalization({ scale: false }));
    m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
    randomizeWeights(m, 21);
    const { report, exported } = await exportAndVerify(m);
    expect(exported.folded).toHaveLength(4);
    expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(report.argmaxAgreement).toBe(1);
  });

  it('stays a separate Mul + Add where folding would be wrong (after a nonlinearity, after pooling, feeding two layers)', async () => {
    const input = tf.input({ shape: [7, 7, 2] });
    const conv = tf.layers
      .conv2d({ filters: 3, kernelSize: 2, activation: 'relu' })
      .apply(input) as tf.SymbolicTensor;
    const bn1 = tf.layers.batchNormalization({}).apply(conv) as tf.SymbolicTensor;
    const pooled = tf.layers.maxPooling2d({ poolSize: 2 }).apply(bn1) as tf.SymbolicTensor;
    const bn2 = tf.layers.batchNormalization({}).apply(pooled) as tf.SymbolicTensor;
    const linear = tf.layers.conv2d({ filters: 3, kernelSize: 1 }).apply(bn2) as tf.SymbolicTensor;
    const bn3 = tf.layers.batchNormalization({}).apply(linear) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([bn3, linear]) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(sum) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: out });
    randomizeWeights(m, 22);
    const { report, exported } = await exportAndVerify(m);
    expect(exported.folded).toEqual([]);
    expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
  });
});
