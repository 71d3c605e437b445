/**
 * A data-parallel training worker (see data-parallel.ts). It holds a replica of the model on its own
 * tfjs backend; for each step it loads the main thread's current weights from shared memory, computes
 * its shard's loss, accuracy and gradients, writes the gradients to shared memory and reports.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { setBatchNormMode, type BatchNormMode } from '../batch-norm-training.js';
import { MathRandomSeeder } from './data-parallel.js';
import { selectTrainingBackend } from './index.js';
import { readHeads, shardStep, type HeadMetrics, type ShardLoss } from './shard-step.js';

export interface WorkerSetup {
  backend: string;
  topology: string;
  losses: ShardLoss[];
  /** Each output's loss weight (shard-step.ts); all 1 when absent. */
  lossWeights?: readonly number[];
  /** The main thread's batch norm training pass (importing the module registers its layer class). */
  batchNorm: BatchNormMode;
  inputShape: number[];
  /** The width of a row of targets: every head's targets side by side. */
  outputSize: number;
  weights: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  x: SharedArrayBuffer;
  y: SharedArrayBuffer;
}

export type ToWorker = { type: 'step'; count: number } | { type: 'seed'; seed: number } | { type: 'stop' };
export type FromWorker =
  { type: 'ready' } | { type: 'done'; heads: HeadMetrics[] } | { type: 'error'; message: string };

const setup = workerData as WorkerSetup;
const port = parentPort!;
const seeder = new MathRandomSeeder();

async function main(): Promise<void> {
  await selectTrainingBackend(setup.backend);
  setBatchNormMode(setup.batchNorm);
  const model = await tf.models.modelFromJSON(JSON.parse(setup.topology) as tf.io.ModelJSON);
  const weights = new Float32Array(setup.weights);
  const grads = new Float32Array(setup.grads);
  const xs = new Float32Array(setup.x);
  const ys = new Float32Array(setup.y);
  const sizes = model.weights.map((w) => tf.util.sizeFromShape(w.shape as number[]));
  const trainable = new Set(model.trainableWeights);
  port.postMessage({ type: 'ready' } satisfies FromWorker);

  // Steps arrive one at a time: the main thread awaits every worker's reply before the next.
  const handle = async (message: ToWorker): Promise<void> => {
    if (message.type === 'stop') {
      port.close();
      return;
    }
    if (message.type === 'seed') {
      // This thread's dropout masks (MathRandomSeeder).
      seeder.reseed(message.seed);
      return;
    }
    try {
      let offset = 0;
      model.weights.forEach((w, i) => {
        const value = tf.tensor(weights.subarray(offset, offset + sizes[i]!), w.shape as number[]);
        w.write(value);
        value.dispose();
        offset += sizes[i]!;
      });
      const { count } = message;
      const x = tf.tensor(xs.subarray(0, count * setup.inputShape.reduce((a, b) => a * b, 1)), [
        count,
        ...setup.inputShape,
      ]);
      const y = tf.tensor(ys.subarray(0, count * setup.outputSize), [count, setup.outputSize]);
      const result = shardStep(model, setup.losses, x, y, setup.lossWeights);
      offset = 0;
      model.weights.forEach((w, i) => {
        if (!trainable.has(w)) return;
        const g = result.grads.shift()!;
        grads.set(g.dataSync(), offset);
        g.dispose();
        offset += sizes[i]!;
      });
      tf.dispose([x, y]);
      port.postMessage({ type: 'done', heads: await readHeads(result) } satisfies FromWorker);
    } catch (error) {
      port.postMessage({
        type: 'error',
        message: (error as Error).stack ?? String(error),
      } satisfies FromWorker);
    }
  };
  port.on('message', (message: ToWorker) => void handle(message));
}

main().catch((error: unknown) => {
  port.postMessage({ type: 'error', message: (error as Error).stack ?? String(error) } satisfies FromWorker);
});
