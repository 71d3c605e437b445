import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { AdamW } from './adamw.js';
import { setLearningRate } from './fit-control.js';
import { loadLayersModel, saveLayersModel } from './model-io.js';
import { compileNetwork } from './train-network.js';
import { tempFolder } from '../../../tests/support/temp-folder.js';

/** Two dense layers, the first's kernel all ones; `bias`: the second's initial bias. */
function dense(bias: number): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 2, inputShape: [3], kernelInitializer: tf.initializers.ones() }));
  model.add(
    tf.layers.dense({
      units: 1,
      activation: 'sigmoid',
      biasInitializer: tf.initializers.constant({ value: bias }),
    }),
  );
  return model;
}

describe('AdamW', () => {
  it('shrinks kernels by 1 − rate × decay after the Adam step, and leaves biases to Adam', async () => {
    await tf.setBackend('cpu');
    const model = dense(0.5);
    const optimizer = new AdamW(0.1, 0.5);
    const [kernel, bias] = model.layers[0]!.trainableWeights.map((w) => w.read() as tf.Variable);
    // A zero gradient: Adam leaves everything where it is, so only the decay moves the weights.
    optimizer.applyGradients([
      { name: kernel!.name, tensor: tf.zerosLike(kernel!) },
      { name: bias!.name, tensor: tf.zerosLike(bias!) },
    ]);
    expect([...kernel!.dataSync()].every((v) => Math.abs(v - 0.95) < 1e-6)).toBe(true);
    expect([...bias!.dataSync()]).toEqual([0, 0]);
    // The decay follows the scheduled rate.
    setLearningRate(optimizer, 0.01);
    optimizer.applyGradients([{ name: kernel!.name, tensor: tf.zerosLike(kernel!) }]);
    expect(kernel!.dataSync()[0]).toBeCloseTo(0.95 * 0.995, 6);
  });

  it('without decay, steps exactly as Adam', async () => {
    await tf.setBackend('cpu');
    const [a, b] = [tf.variable(tf.tensor1d([1, -2])), tf.variable(tf.tensor1d([1, -2]))];
    const grad = tf.tensor1d([0.3, -0.1]);
    new AdamW(0.1, 0).applyGradients([{ name: a.name, tensor: grad }]);
    tf.train.adam(0.1).applyGradients([{ name: b.name, tensor: grad }]);
    expect([...a.dataSync()]).toEqual([...b.dataSync()]);
  });

  it('is what compileNetwork gives a preset with weight decay, and a checkpoint resumes with it', async () => {
    await tf.setBackend('cpu');
    const model = dense(0);
    compileNetwork(model, { learningRate: 3e-3, weightDecay: 0.05 });
    // tfjs's Optimizer answers instanceof by duck typing, so the class name is what tells them apart.
    expect(model.optimizer.getClassName()).toBe('AdamW');
    await model.trainOnBatch(tf.ones([4, 3]), tf.ones([4, 1]));
    const dir = await tempFolder('adamw-');
    await saveLayersModel(model, join(dir, 'checkpoint'), { includeOptimizer: true });
    const loaded = await loadLayersModel(join(dir, 'checkpoint'));
    expect(loaded.optimizer.getClassName()).toBe('AdamW');
    expect((loaded.optimizer as AdamW).weightDecay).toBe(0.05);
    compileNetwork(model, { learningRate: 3e-3 });
    expect(model.optimizer.getClassName()).toBe('Adam');
  });

  it('refuses a negative decay', () => {
    expect(() => new AdamW(1e-3, -1)).toThrow(/weight decay/);
  });
});
