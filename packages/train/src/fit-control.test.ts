import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { bestEpochIndex, epochsSinceBest, replayAdamBetaPowers, setLearningRate } from './fit-control.js';
import type { EpochRecord } from './report/metrics-types.js';
import { learningRateFactor } from './schedule.js';

const epoch = (n: number, valLoss?: number): EpochRecord => ({
  epoch: n,
  loss: 1,
  accuracy: 0.5,
  seconds: 1,
  samplesPerSecond: 1,
  ...(valLoss === undefined ? {} : { valLoss, valAccuracy: 0.5 }),
});

describe('fit control', () => {
  it('counts epochs since the lowest validation loss (ties keep the earlier)', () => {
    expect(epochsSinceBest([])).toBe(0);
    expect(epochsSinceBest([epoch(1), epoch(2)])).toBe(0);
    expect(epochsSinceBest([epoch(1, 2), epoch(2, 1), epoch(3, 1.5), epoch(4, 1)])).toBe(2);
    expect(epochsSinceBest([epoch(1, 2), epoch(2, 1.9)])).toBe(0);
  });

  it('never takes a diverged epoch (NaN, or the null state.json keeps of it) for the best', () => {
    const diverged = [epoch(1, NaN), epoch(2, 0.5), epoch(3, 0.4), epoch(4, 0.3)];
    expect(bestEpochIndex(diverged)).toBe(3);
    expect(epochsSinceBest(diverged)).toBe(0);
    const resumed = JSON.parse(
      JSON.stringify([epoch(1, 0.9), epoch(2, NaN), epoch(3, 0.4)]),
    ) as EpochRecord[];
    expect(resumed[1]!.valLoss).toBeNull();
    expect(bestEpochIndex(resumed)).toBe(2);
    expect(bestEpochIndex([epoch(1, Infinity), epoch(2)])).toBe(-1);
    expect(bestEpochIndex([epoch(1, 2), epoch(2, 1), epoch(3, 1)])).toBe(1);
  });

  it('cosine schedule: warm-up, full rate, then down to the floor at the last epoch', () => {
    const s = { kind: 'cosine', warmupEpochs: 1, minFactor: 0.1 } as const;
    expect(learningRateFactor(undefined, 3, 10)).toBe(1);
    expect(learningRateFactor(s, 1, 10)).toBeCloseTo(0.5);
    expect(learningRateFactor(s, 2, 10)).toBeCloseTo(1);
    expect(learningRateFactor(s, 10, 10)).toBeCloseTo(0.1);
    const middle = learningRateFactor(s, 6, 10);
    expect(middle).toBeGreaterThan(0.1);
    expect(middle).toBeLessThan(1);
  });

  it("sets an optimizer's learning rate, which its next step uses", async () => {
    await tf.setBackend('cpu');
    const step = (optimizer: tf.Optimizer) => {
      const v = tf.variable(tf.scalar(0));
      setLearningRate(optimizer, 0.25);
      optimizer.applyGradients({ [v.name]: tf.scalar(1) });
      const moved = v.dataSync()[0]!;
      v.dispose();
      return moved;
    };
    expect(step(tf.train.sgd(1))).toBeCloseTo(-0.25);
    expect(step(tf.train.adam(1))).toBeCloseTo(-0.25, 3); // Adam's first step moves by the rate
  });
});

describe('replayAdamBetaPowers', () => {
  it('gives a reloaded Adam the β powers of the running one, to the bit', async () => {
    const w = tf.variable(tf.tensor1d([1, -2, 3]), true, 'replay/w');
    const running = tf.train.adam(0.01);
    for (let step = 0; step < 500; step++)
      running.applyGradients({ 'replay/w': tf.variable(tf.tensor1d([0.1, -0.2, 0.3])) });
    const betas = (o: tf.Optimizer) => {
      const adam = o as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
      return [adam.accBeta1.dataSync()[0], adam.accBeta2.dataSync()[0]];
    };
    const reloaded = tf.train.adam(0.01);
    await reloaded.setWeights(await running.getWeights());
    // What loading alone gives: β as a power, a rounding away from the product.
    expect(betas(reloaded)).not.toEqual(betas(running));
    replayAdamBetaPowers(reloaded);
    expect(betas(reloaded)).toEqual(betas(running));
    // Other optimizers have no β powers: left alone.
    expect(() => replayAdamBetaPowers(tf.train.sgd(0.1))).not.toThrow();
    w.dispose();
  });
});
