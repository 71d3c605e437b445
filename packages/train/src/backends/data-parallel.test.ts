import type * as WorkerThreads from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { getPreset } from '../presets.js';
import { MIN_SHARD, createBatchTrainer } from './batch-trainer.js';
import { selectTrainingBackend } from './index.js';

// Every training worker this file starts, so a test can end one as a crash would.
const started = vi.hoisted(() => [] as Worker[]);
vi.mock('node:worker_threads', async (importOriginal) =>
  (await import('../../../../tests/support/tracked-workers.js')).trackedWorkerThreads(
    await importOriginal<typeof WorkerThreads>(),
    started,
  ),
);

// Data-parallel training must follow the same path as one thread: the seed gender network (no
// dropout, so nothing random) from the same weights on the same batches, with 1 and with 2 threads.
// Shard gradients are summed in a different order, so values agree to float32 rounding, not bits
// (measured: losses within 6e-8, weights within 3e-8 of each other after 4 Adam steps).
function twin(): [tf.LayersModel, tf.LayersModel] {
  // Seeded, so the test is the same every run (unseeded, an unlucky start failed it now and then).
  const models = [
    getPreset('seed').build('gender', 'six', 17),
    getPreset('seed').build('gender', 'six', 17),
  ] as const;
  models[1].setWeights(models[0].getWeights());
  for (const m of models)
    m.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return [models[0], models[1]];
}

describe('data-parallel training', () => {
  it('matches single-thread training step for step (loss, accuracy, weights)', async () => {
    await selectTrainingBackend('wasm');
    const [single, parallel] = twin();
    const one = await createBatchTrainer(single, { threads: 1, maxBatch: 30 });
    const two = await createBatchTrainer(parallel, { threads: 2, maxBatch: 30 });
    expect([one.threads, two.threads]).toEqual([1, 2]);
    try {
      // 29: unequal shards; 1: a last batch smaller than the thread count (the worker gets nothing).
      for (const [step, rows] of [29, 29, 1, 29].entries()) {
        const x = tf.randomUniform([rows, 48, 48, 1], 0, 1, 'float32', step);
        const y = tf.randomUniform([rows, 1], 0, 2, 'int32', step + 10).toFloat();
        const [a, b] = [await one.trainOnBatch(x, y), await two.trainOnBatch(x, y)];
        expect(Math.abs(a.loss - b.loss) / a.loss, `loss at step ${step}`).toBeLessThan(1e-6);
        expect(b.accuracy).toBeCloseTo(a.accuracy, 6);
        tf.dispose([x, y]);
      }
      // Each weight moved by up to 4e-3 (four Adam steps of 1e-3); rounding moves it by far less. Not
      // relative to the weight: a bias that starts at 0 is itself only a few Adam steps from it.
      const [wa, wb] = [single.getWeights(), parallel.getWeights()];
      for (const [i, w] of wa.entries()) {
        const [a, b] = [(await w.data()) as Float32Array, (await wb[i]!.data()) as Float32Array];
        const worst = a.reduce((m, v, k) => Math.max(m, Math.abs(v - b[k]!)), 0);
        expect(worst, `weight ${i}`).toBeLessThan(1e-6);
      }
    } finally {
      await two.dispose();
    }
  });

  it('fails a step, rather than wait for ever, when a worker has ended', async () => {
    await selectTrainingBackend('wasm');
    const trainer = await createBatchTrainer(twin()[0], { threads: 2, maxBatch: 30 });
    try {
      await started.at(-1)!.terminate();
      const x = tf.zeros([20, 48, 48, 1]);
      const y = tf.zeros([20, 1]);
      await expect(trainer.trainOnBatch(x, y)).rejects.toThrow(/training worker exited \(code \d+\)/);
      tf.dispose([x, y]);
    } finally {
      await trainer.dispose();
    }
  });

  it('stays on one thread when asked, or when batches are small', async () => {
    await selectTrainingBackend('wasm');
    const lines: string[] = [];
    const trainer = await createBatchTrainer(twin()[0], {
      threads: 1,
      maxBatch: 8,
      log: (l) => lines.push(l),
    });
    expect(trainer.threads).toBe(1);
    // By default, batches too small to give each thread MIN_SHARD samples stay on one thread.
    const small = await createBatchTrainer(twin()[0], {
      maxBatch: 2 * MIN_SHARD - 1,
      log: (l) => lines.push(l),
    });
    expect(small.threads).toBe(1);
    // Models whose trainOnBatch the shards cannot reproduce stay on one thread, and say why.
    const regularized = tf.sequential({
      layers: [tf.layers.dense({ units: 2, inputShape: [3], kernelRegularizer: tf.regularizers.l2() })],
    });
    regularized.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const fallback = await createBatchTrainer(regularized, {
      threads: 2,
      maxBatch: 256,
      log: (l) => lines.push(l),
    });
    expect(fallback.threads).toBe(1);
    expect(lines).toEqual([
      'training on 1 thread (wasm)',
      'training on 1 thread (wasm)',
      `training on 1 thread: layer ${regularized.layers[0]!.name} has a regularizer`,
    ]);
  });
});
