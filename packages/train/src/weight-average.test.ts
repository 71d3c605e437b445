import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { WeightAverage } from './weight-average.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A one-layer network whose kernel is set by hand, step by step. */
function tinyModel(): tf.LayersModel {
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 2, inputShape: [1], useBias: false, kernelInitializer: 'zeros' })],
  });
  return model;
}

const kernel = (model: tf.LayersModel) => Array.from(model.weights[0]!.read().dataSync());
const setKernel = (model: tf.LayersModel, values: number[]) => model.weights[0]!.write(tf.tensor2d([values]));

describe('WeightAverage', () => {
  it('moves the average towards each step’s weights, with short decays over the first steps', async () => {
    const model = tinyModel();
    const average = new WeightAverage(model, 0.9);
    let expected = [0, 0];
    for (const [t, values] of [
      [1, 2],
      [3, -1],
      [5, 5],
    ].entries()) {
      setKernel(model, values!);
      average.update();
      const d = Math.min(0.9, (1 + t) / (10 + t));
      expected = expected.map((e, i) => d * e + (1 - d) * values![i]!);
    }
    expect(average.stepCount).toBe(3);
    const seen = await average.swappedIn(async () => kernel(model));
    seen.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    // The live weights are back afterwards.
    expect(kernel(model)).toEqual([5, 5]);
    average.keep();
    kernel(model).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    average.dispose();
  });

  it('puts the live weights back when the work on the average fails', async () => {
    const model = tinyModel();
    const average = new WeightAverage(model, 0.5, [tf.tensor2d([[7, 7]])]);
    setKernel(model, [1, 2]);
    await expect(
      average.swappedIn(async () => {
        expect(kernel(model)).toEqual([7, 7]);
        throw new Error('validation failed');
      }),
    ).rejects.toThrow('validation failed');
    expect(kernel(model)).toEqual([1, 2]);
    average.dispose();
  });

  it('refuses a decay outside (0, 1) and a start of the wrong length', () => {
    const model = tinyModel();
    expect(() => new WeightAverage(model, 1)).toThrow(/decay must be in \(0, 1\), got 1/);
    expect(() => new WeightAverage(model, 0.9, [])).toThrow(/0 tensors for 1 weights/);
  });
});
