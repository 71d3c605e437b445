import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MirrorImage } from '@facekit/train';
import { exportAndVerify, randomizeWeights } from './test-support.js';

const conv = (filters: number, kernelSize = 3, activation: 'relu' | 'linear' = 'relu') =>
  tf.layers.conv2d({ filters, kernelSize, padding: 'same', activation });

describe('functional models', () => {
  it('a residual block (Add) and a Concatenate of two branches along channels', async () => {
    const input = tf.input({ shape: [10, 10, 1] });
    const stem = conv(4).apply(input) as tf.SymbolicTensor;
    const branch = conv(4, 3, 'linear').apply(conv(4).apply(stem)) as tf.SymbolicTensor;
    const residual = tf.layers
      .activation({ activation: 'relu' })
      .apply(tf.layers.add().apply([stem, branch])) as tf.SymbolicTensor;
    const a = conv(2, 1).apply(residual) as tf.SymbolicTensor;
    const b = tf.layers
      .maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' })
      .apply(residual) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate({ axis: -1 }).apply([a, b]) as tf.SymbolicTensor;
    const pooled = tf.layers.maxPooling2d({ poolSize: 2 }).apply(joined) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(pooled) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 5, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: out });
    randomizeWeights(m, 31);
    const { report } = await exportAndVerify(m);
    expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(report.argmaxAgreement).toBe(1);
  });

  it('Concatenate along height and width, and of flat features', async () => {
    const input = tf.input({ shape: [6, 5, 1] });
    const x = conv(3).apply(input) as tf.SymbolicTensor;
    const y = conv(3, 2).apply(input) as tf.SymbolicTensor;
    const h = tf.layers.concatenate({ axis: 1 }).apply([x, y]) as tf.SymbolicTensor;
    const w = tf.layers.concatenate({ axis: 2 }).apply([x, y]) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
    const gap = tf.layers.globalAveragePooling2d({}).apply(w) as tf.SymbolicTensor;
    const f = tf.layers.concatenate().apply([flat, gap]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(f) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: out });
    randomizeWeights(m, 32);
    const { report } = await exportAndVerify(m);
    expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
  });

  it('Multiply, Average, Maximum and Minimum of three branches', async () => {
    const input = tf.input({ shape: [12] });
    const branches = [0, 1, 2].map(
      () => tf.layers.dense({ units: 4, activation: 'tanh' }).apply(input) as tf.SymbolicTensor,
    );
    const merged = [tf.layers.multiply(), tf.layers.average(), tf.layers.maximum(), tf.layers.minimum()].map(
      (layer) => layer.apply(branches) as tf.SymbolicTensor,
    );
    const out = tf.layers
      .dense({ units: 3, activation: 'softmax' })
      .apply(tf.layers.concatenate().apply(merged)) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: out });
    randomizeWeights(m, 33, 1);
    const { report } = await exportAndVerify(m);
    expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
  });

  it('a layer applied twice, to the face and to its mirror: converted per call, its weights written once', async () => {
    const input = tf.input({ shape: [8, 6, 1] });
    const mirrored = new MirrorImage({ name: 'mirror' }).apply(input) as tf.SymbolicTensor;
    const c = conv(3, 3, 'linear');
    const bn = tf.layers.batchNormalization();
    const head = tf.layers.dense({ units: 4 });
    const flat = tf.layers.flatten();
    const logits = [input, mirrored].map(
      (x) => head.apply(flat.apply(bn.apply(c.apply(x)))) as tf.SymbolicTensor,
    );
    const out = tf.layers
      .activation({ activation: 'softmax' })
      .apply(tf.layers.average().apply(logits)) as tf.SymbolicTensor;
    const twice = tf.model({ inputs: input, outputs: out });
    randomizeWeights(twice, 34);
    const once = tf.model({ inputs: input, outputs: logits[0]! });
    const { exported, report } = await exportAndVerify(twice, { web: true });
    expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(report.argmaxAgreement).toBe(1);
    // The mirror is not the identity here (asymmetric weights), so the check above sees it.
    const x = tf.randomUniform([2, 8, 6, 1], 0, 1, 'float32', 5);
    const plain = (once.predict(x) as tf.Tensor).sub(once.predict(tf.reverse(x, 2)) as tf.Tensor);
    expect(plain.abs().max().dataSync()[0]).toBeGreaterThan(1e-3);
    // One copy of the conv (batch norm folded in) and dense weights, as for the single call.
    const single = await exportAndVerify(once);
    expect(Math.abs(exported.bytes.length - single.exported.bytes.length)).toBeLessThan(1024);
  });
});
