import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '../presets.js';
import { buildSharedCompact, type CompactArchitecture } from '../presets-compact.js';
import { createBatchTrainer } from './batch-trainer.js';
import { relativeError } from './gradient-check.js';
import { selectTrainingBackend } from './index.js';

// A shared trunk with a head per task trains on the heads' targets side by side, its loss the sum of
// the heads' cross-entropies — on one thread and split over two, step for step alike. No batch norm
// or dropout, so nothing random and every shard sees the same function.
const TINY: CompactArchitecture = { widths: [2, 4], batchNorm: false, globalPool: true, dropout: 0 };

function twin(): [tf.LayersModel, tf.LayersModel] {
  const models = [0, 1].map(() =>
    buildSharedCompact(TINY, 'tiny', ['age', 'ethnicity', 'gender'], 'six', 7),
  ) as [tf.LayersModel, tf.LayersModel];
  models[1].setWeights(models[0].getWeights());
  for (const m of models)
    m.compile({
      optimizer: tf.train.adam(1e-2),
      loss: m.outputs.map(() => 'categoricalCrossentropy'),
      metrics: ['accuracy'],
    });
  return models;
}

const oneHot = (rows: number, classes: number, seed: number) =>
  tf.oneHot(tf.randomUniform([rows], 0, classes, 'int32', seed) as tf.Tensor1D, classes).toFloat();

describe('multi-head training', () => {
  it('sums the heads’ losses and reports each head, alike on one thread and two', async () => {
    await selectTrainingBackend('wasm');
    const [single, parallel] = twin();
    const one = await createBatchTrainer(single, { threads: 1, maxBatch: 30 });
    const two = await createBatchTrainer(parallel, { threads: 2, maxBatch: 30 });
    try {
      for (const [step, rows] of [29, 29, 1, 29].entries()) {
        const x = tf.randomUniform([rows, 48, 48, 1], 0, 1, 'float32', step);
        const parts = [oneHot(rows, 6, step + 10), oneHot(rows, 5, step + 20), oneHot(rows, 2, step + 30)];
        const y = tf.concat(parts, 1);
        // Each head's loss before the step, from the network's own predictions.
        const predicted = single.predict(x) as tf.Tensor[];
        const expected = predicted.map(
          (p, h) => tf.mean(tf.metrics.categoricalCrossentropy(parts[h]!, p)).dataSync()[0]!,
        );
        const [a, b] = [await one.trainOnBatch(x, y), await two.trainOnBatch(x, y)];
        expect(a.heads.map((h) => h.loss)).toEqual(expected.map((e) => expect.closeTo(e, 5)));
        expect(a.loss).toBeCloseTo(
          expected.reduce((s, e) => s + e, 0),
          5,
        );
        expect(b.heads).toHaveLength(3);
        b.heads.forEach((h, k) => {
          expect(
            Math.abs(h.loss - a.heads[k]!.loss) / a.heads[k]!.loss,
            `head ${k} step ${step}`,
          ).toBeLessThan(1e-5);
          expect(h.accuracy).toBeCloseTo(a.heads[k]!.accuracy, 6);
        });
        tf.dispose([x, y, ...parts, ...predicted]);
      }
      const [wa, wb] = [single.getWeights(), parallel.getWeights()];
      for (const [i, w] of wa.entries()) {
        const err = relativeError((await wb[i]!.data()) as Float32Array, (await w.data()) as Float32Array);
        expect(err, `weight ${i}`).toBeLessThan(1e-5);
      }
      // The step moved every head and the trunk.
      const fresh = twin()[0].getWeights();
      wa.forEach((w, i) =>
        expect(
          relativeError(w.dataSync() as Float32Array, fresh[i]!.dataSync() as Float32Array),
          `weight ${i}`,
        ).toBeGreaterThan(1e-3),
      );
    } finally {
      await two.dispose();
    }
  });

  it('weighs each head’s loss by its loss weight, on one thread and two, and reports it unweighted', async () => {
    await selectTrainingBackend('wasm');
    // Cross-entropy is linear in its target, so age's loss counted twice is age's targets doubled.
    const [weighted, doubled] = twin();
    const [, parallel] = twin();
    const one = await createBatchTrainer(weighted, { threads: 1, maxBatch: 30, lossWeights: [2, 1, 1] });
    const two = await createBatchTrainer(parallel, { threads: 2, maxBatch: 30, lossWeights: [2, 1, 1] });
    const plain = await createBatchTrainer(doubled, { threads: 1, maxBatch: 30 });
    try {
      for (const step of [0, 1, 2]) {
        const x = tf.randomUniform([29, 48, 48, 1], 0, 1, 'float32', step);
        const parts = [oneHot(29, 6, step + 10), oneHot(29, 5, step + 20), oneHot(29, 2, step + 30)];
        const y = tf.concat(parts, 1);
        const yDoubled = tf.concat([parts[0]!.mul(2), parts[1]!, parts[2]!], 1);
        const predicted = weighted.predict(x) as tf.Tensor[];
        const ageLoss = tf.mean(tf.metrics.categoricalCrossentropy(parts[0]!, predicted[0]!)).dataSync()[0]!;
        const [a, b] = [await one.trainOnBatch(x, y), await two.trainOnBatch(x, y)];
        await plain.trainOnBatch(x, yDoubled);
        expect(a.heads[0]!.loss).toBeCloseTo(ageLoss, 5);
        expect(b.heads[0]!.loss).toBeCloseTo(ageLoss, 4);
        tf.dispose([x, y, yDoubled, ...parts, ...predicted]);
      }
      const reference = doubled.getWeights();
      for (const model of [weighted, parallel]) {
        model
          .getWeights()
          .forEach((w, i) =>
            expect(
              relativeError(w.dataSync() as Float32Array, reference[i]!.dataSync() as Float32Array),
              `weight ${i}`,
            ).toBeLessThan(1e-4),
          );
      }
      // And the weight mattered: unweighted steps end elsewhere.
      const [unweighted] = twin();
      const base = await createBatchTrainer(unweighted, { threads: 1, maxBatch: 30 });
      for (const step of [0, 1, 2]) {
        const x = tf.randomUniform([29, 48, 48, 1], 0, 1, 'float32', step);
        const parts = [oneHot(29, 6, step + 10), oneHot(29, 5, step + 20), oneHot(29, 2, step + 30)];
        const y = tf.concat(parts, 1);
        await base.trainOnBatch(x, y);
        tf.dispose([x, y, ...parts]);
      }
      const apart = unweighted
        .getWeights()
        .map((w, i) => relativeError(w.dataSync() as Float32Array, reference[i]!.dataSync() as Float32Array));
      expect(Math.max(...apart)).toBeGreaterThan(1e-3);
    } finally {
      await two.dispose();
    }
  });
});
