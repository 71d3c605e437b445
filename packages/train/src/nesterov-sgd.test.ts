import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setLearningRate } from './fit-control.js';
import { loadLayersModel, saveLayersModel } from './model-io.js';
import { NesterovSgd } from './nesterov-sgd.js';
import { compileNetwork } from './train-network.js';
import { tempFolder } from '../../../tests/support/temp-folder.js';

describe('NesterovSgd', () => {
  it('without decay, steps exactly as tfjs’s Nesterov momentum', async () => {
    await tf.setBackend('cpu');
    const [a, b] = [tf.variable(tf.tensor1d([1, -2])), tf.variable(tf.tensor1d([1, -2]))];
    const [ours, theirs] = [new NesterovSgd(0.1, 0), tf.train.momentum(0.1, 0.9, true)];
    for (const g of [
      [0.3, -0.1],
      [0.2, 0.4],
    ]) {
      ours.applyGradients([{ name: a.name, tensor: tf.tensor1d(g) }]);
      theirs.applyGradients([{ name: b.name, tensor: tf.tensor1d(g) }]);
    }
    expect([...a.dataSync()]).toEqual([...b.dataSync()]);
  });

  it('adds decay × kernel to a kernel’s gradient (L2), leaves biases alone, and follows the scheduled rate', async () => {
    await tf.setBackend('cpu');
    const layer = tf.layers.dense({ units: 2, inputShape: [3], kernelInitializer: tf.initializers.ones() });
    tf.sequential({ layers: [layer] });
    const [kernel, bias] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const optimizer = new NesterovSgd(0.1, 0.5);
    const zeroGradients = () => [
      { name: kernel!.name, tensor: tf.zerosLike(kernel!) },
      { name: bias!.name, tensor: tf.zerosLike(bias!) },
    ];
    // Gradient 0.5 × 1: momentum 0.5, Nesterov step 0.1 × (0.5 + 0.9 × 0.5) = 0.095.
    optimizer.applyGradients(zeroGradients());
    kernel!.dataSync().forEach((v) => expect(v).toBeCloseTo(1 - 0.095, 6));
    expect([...bias!.dataSync()]).toEqual([0, 0]);
    setLearningRate(optimizer, 0);
    const before = [...kernel!.dataSync()];
    optimizer.applyGradients(zeroGradients());
    expect([...kernel!.dataSync()]).toEqual(before);
  });

  it('is what compileNetwork gives an SGD preset, and a checkpoint resumes with it', async () => {
    await tf.setBackend('cpu');
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 1, inputShape: [3], activation: 'sigmoid' })],
    });
    compileNetwork(model, { learningRate: 0.01, weightDecay: 5e-4, optimizer: 'sgd' });
    expect(model.optimizer.getClassName()).toBe('NesterovSgd');
    await model.trainOnBatch(tf.ones([4, 3]), tf.ones([4, 1]));
    const dir = await tempFolder('sgd-');
    await saveLayersModel(model, join(dir, 'checkpoint'), { includeOptimizer: true });
    const loaded = await loadLayersModel(join(dir, 'checkpoint'));
    expect(loaded.optimizer.getClassName()).toBe('NesterovSgd');
    expect((loaded.optimizer as NesterovSgd).weightDecay).toBe(5e-4);
    expect((loaded.optimizer as NesterovSgd).momentumFactor).toBe(0.9);
  });

  it('refuses a negative decay', () => {
    expect(() => new NesterovSgd(0.01, -1)).toThrow(/weight decay/);
  });
});
