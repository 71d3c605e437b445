import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from './data/random.js';
import { applyTemperature, atSearchBound, fitTemperature, retemper, temperedNll } from './temperature.js';

/** Probabilities softmax(z) of random logits, and labels drawn from softmax(z / trueT). */
function overconfident(rows: number, classes: number, trueT: number) {
  const random = seededRandom(7);
  const logits = Float32Array.from({ length: rows * classes }, () => (random() - 0.5) * 8);
  const probabilities = retemper(logits.map(Math.exp), classes, 1);
  const calibrated = retemper(probabilities, classes, 1 / trueT);
  const truth = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    let u = random();
    let k = 0;
    while (k < classes - 1 && (u -= calibrated[i * classes + k]!) > 0) k++;
    truth[i] = k;
  }
  return { probabilities, truth };
}

describe('fitTemperature', () => {
  it('recovers the temperature that generated the labels', () => {
    for (const trueT of [0.6, 1, 2.5]) {
      const { probabilities, truth } = overconfident(20000, 4, trueT);
      const t = fitTemperature(probabilities, 4, truth);
      expect(t).toBeGreaterThan(trueT * 0.9);
      expect(t).toBeLessThan(trueT * 1.1);
      expect(temperedNll(probabilities, 4, truth, t)).toBeLessThanOrEqual(
        temperedNll(probabilities, 4, truth, 1) + 1e-9,
      );
    }
  });

  it('stops at the end of its range for a model far off, and says it is there', () => {
    for (const trueT of [0.6, 1, 2.5]) {
      const { probabilities, truth } = overconfident(2000, 4, trueT);
      expect(atSearchBound(fitTemperature(probabilities, 4, truth)), `T ${trueT}`).toBe(false);
    }
    // Every confident answer wrong: the best T is beyond any the search allows.
    const { probabilities, truth } = overconfident(2000, 4, 1);
    const wrong = truth.map(
      (_, i) =>
        (probabilities
          .subarray(i * 4, i * 4 + 4)
          .indexOf(Math.max(...probabilities.subarray(i * 4, i * 4 + 4))) +
          1) %
        4,
    );
    const t = fitTemperature(probabilities, 4, wrong);
    expect(t).toBeCloseTo(5, 2);
    expect(atSearchBound(t)).toBe(true);
  });

  it('rejects probabilities that do not match the labels', () => {
    expect(() => fitTemperature(new Float32Array(5), 2, new Uint8Array(3))).toThrow(/expected 3 × 2/);
  });
});

describe('retemper', () => {
  it('is the identity at factor 1 and undoes itself', () => {
    const p = Float32Array.from([0.7, 0.2, 0.1, 0.05, 0.9, 0.05]);
    expect(Array.from(retemper(p, 3, 1))).toEqual(Array.from(p).map((v) => expect.closeTo(v, 6)));
    const back = retemper(retemper(p, 3, 1 / 1.7), 3, 1.7);
    back.forEach((v, i) => expect(v).toBeCloseTo(p[i]!, 5));
    const sharper = retemper(p, 3, 2);
    expect(sharper[0]).toBeGreaterThan(p[0]!);
  });
});

describe('applyTemperature', () => {
  it('folds T into a softmax head: the model then gives softmax(log p / T)', async () => {
    await tf.setBackend('cpu');
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })],
    });
    const x = tf.randomNormal([5, 4], 0, 2, 'float32', 3);
    const before = (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
    applyTemperature(model, 1.5);
    const after = (model.predict(x) as tf.Tensor).dataSync();
    const expected = retemper(before, 3, 1 / 1.5);
    after.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });

  it('names the layer it cannot temper', async () => {
    await tf.setBackend('cpu');
    const model = tf.sequential({
      name: 'plain',
      layers: [tf.layers.dense({ units: 3, inputShape: [4] })],
    });
    expect(() => applyTemperature(model, 2)).toThrow(/plain's output layer is Dense \(linear\)/);
  });
});
