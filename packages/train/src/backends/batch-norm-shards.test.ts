import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { batchNormalization } from '../batch-norm-training.js';
import { createBatchTrainer } from './batch-trainer.js';
import { selectTrainingBackend } from './index.js';

// Batch norm under data-parallel training: each shard is normalised by its own batch statistics
// ("ghost" batch norm), and the moving mean and variance that inference uses are updated by the main
// thread's shard (the workers' copies are overwritten by the main weights every step). Checked against
// single-thread trainOnBatch on each shard alone, from the same weights.
function bnModel(): tf.LayersModel {
  const m = tf.sequential({
    layers: [
      tf.layers.conv2d({
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        inputShape: [48, 48, 1],
      }),
      batchNormalization({ momentum: 0.5 }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  m.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

const movingStats = (m: tf.LayersModel) =>
  m.layers[1]!.getWeights()
    .slice(2)
    .map((w) => Array.from(w.dataSync()));

describe('batch norm with data-parallel training', () => {
  it('normalises per shard and updates the moving statistics from the main shard', async () => {
    await selectTrainingBackend('wasm');
    const [parallel, refMain, refWorker] = [bnModel(), bnModel(), bnModel()];
    for (const r of [refMain, refWorker]) r.setWeights(parallel.getWeights());
    const before = movingStats(parallel);
    const two = await createBatchTrainer(parallel, { threads: 2, maxBatch: 20 });
    expect(two.threads).toBe(2);
    try {
      const x = tf
        .randomUniform([20, 48, 48, 1], 0, 1, 'float32', 3)
        .mul(tf.linspace(0.2, 2, 20).reshape([20, 1, 1, 1]));
      const y = tf
        .oneHot(
          tf.tensor1d(
            [...Array(20).keys()].map((i) => i % 3),
            'int32',
          ),
          3,
        )
        .toFloat();
      const { loss } = await two.trainOnBatch(x, y);
      const [x0, x1, y0, y1] = [x.slice(0, 10), x.slice(10, 10), y.slice(0, 10), y.slice(10, 10)];
      const l0 = (await refMain.trainOnBatch(x0, y0)) as number[];
      const l1 = (await refWorker.trainOnBatch(x1, y1)) as number[];
      // Shard losses, each under its own batch statistics, averaged.
      expect(loss).toBeCloseTo((l0[0]! + l1[0]!) / 2, 5);
      const after = movingStats(parallel);
      expect(after).not.toEqual(before);
      const [main, worker] = [movingStats(refMain), movingStats(refWorker)];
      for (const [k, stat] of after.entries()) {
        stat.forEach((v, c) => expect(v).toBeCloseTo(main[k]![c]!, 5));
        // The two halves differ (inputs scaled 0.2→2), so this is not the worker's shard.
        expect(stat.some((v, c) => Math.abs(v - worker[k]![c]!) > 1e-3)).toBe(true);
      }
      tf.dispose([x, y, x0, x1, y0, y1]);
    } finally {
      await two.dispose();
    }
  });
});
