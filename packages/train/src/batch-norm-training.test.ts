import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { relativeError } from './backends/gradient-check.js';
import { batchNormalization, FusedTrainingBatchNorm, setBatchNormMode } from './batch-norm-training.js';

// A conv, the batch norm, ReLU and a softmax head: the layer in the setting the presets use it.
function net(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        filters: 5,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        inputShape: [9, 9, 2],
        kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
      }),
      batchNormalization({
        momentum: 0.9,
        gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 4 }),
        betaInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 5 }),
      }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({
        units: 3,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }),
      }),
    ],
  });
}

const x = () => tf.randomNormal([6, 9, 9, 2], 0.3, 1.7, 'float32', 7) as tf.Tensor4D;
const y = () => tf.oneHot(tf.tensor1d([0, 1, 2, 2, 1, 0], 'int32'), 3).toFloat();

/** One training-mode pass: the loss, its gradient for every weight and the input, the moving statistics after. */
function step(model: tf.Sequential) {
  const input = tf.variable(x());
  const weights = [input, ...model.trainableWeights.map((w) => w.read() as tf.Variable)];
  const { value, grads } = tf.variableGrads(
    () =>
      tf.losses.softmaxCrossEntropy(y(), model.apply(input, { training: true }) as tf.Tensor) as tf.Scalar,
    weights,
  );
  const out = {
    loss: value.dataSync()[0]!,
    grads: weights.map((w) => grads[w.name]!.dataSync() as Float32Array),
    moving: model.layers[1]!.getWeights()
      .slice(2)
      .map((w) => w.dataSync() as Float32Array),
  };
  tf.dispose([input, value, ...Object.values(grads)]);
  return out;
}

function kernelsOfStep(model: tf.Sequential): Promise<number> {
  return tf
    .profile(() => {
      step(model);
    })
    .then((info) => info.kernels.filter((k) => !['Identity', 'Reshape', 'Cast'].includes(k.name)).length);
}

describe('batch norm in training mode as one op', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterEach(() => setBatchNormMode('fused'));

  it('computes what the stock layer computes: outputs, every gradient and the moving statistics', () => {
    setBatchNormMode('stock');
    const stock = net();
    const reference = step(stock);
    setBatchNormMode('fused');
    const fused = net();
    fused.setWeights(stock.getWeights().map((w) => w.clone()));
    // setWeights copied the already-updated moving statistics; start the fused net from the initial ones.
    fused.layers[1]!.setWeights([...fused.layers[1]!.getWeights().slice(0, 2), tf.zeros([5]), tf.ones([5])]);
    const result = step(fused);
    expect(Math.abs(result.loss - reference.loss)).toBeLessThan(1e-6 * reference.loss);
    result.grads.forEach((g, i) =>
      expect(relativeError(g, reference.grads[i]!), `gradient ${i}`).toBeLessThan(1e-5),
    );
    result.moving.forEach((m, i) => expect(Array.from(m)).toEqual(Array.from(reference.moving[i]!)));
    expect(reference.moving[0]!.some((v) => v !== 0)).toBe(true);
  });

  it('runs far fewer kernels than autodiff through moments and batchNorm', async () => {
    setBatchNormMode('stock');
    const stock = await kernelsOfStep(net());
    setBatchNormMode('fused');
    const fused = await kernelsOfStep(net());
    // 44 kernels a layer for forward, backward and the moving statistics, against 28.
    expect(stock - fused).toBeGreaterThanOrEqual(14);
  });

  it('leaves inference alone, and loads saved models as itself under the stock class name', async () => {
    setBatchNormMode('fused');
    const model = net();
    expect(model.layers[1]!.getClassName()).toBe('BatchNormalization');
    const loaded = await tf.models.modelFromJSON(
      model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] as never,
    );
    expect(loaded.layers[1]).toBeInstanceOf(FusedTrainingBatchNorm);
    loaded.setWeights(model.getWeights());
    const [a, b] = [model, loaded].map((m) => m.predict(x()) as tf.Tensor);
    expect(Array.from(b!.dataSync())).toEqual(Array.from(a!.dataSync()));
  });
});
