/**
 * Data-parallel training on the CPU: a step's batch is split into shards, one per thread — the main
 * thread's model takes the first and each worker (data-parallel-worker.ts, a replica on its own wasm
 * backend) one more — and the shard gradients, weighted by shard size, are averaged into the full
 * batch's gradient, which the main model's own optimizer applies. Weights go to the workers and
 * gradients come back through SharedArrayBuffers, so a step costs two small messages per worker. The
 * main model stays the one to save, evaluate and resume; a step returns each head's loss and
 * accuracy, as `model.trainOnBatch` with metrics ['accuracy'] computes them.
 */
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { workerUrl } from '@facekit/core/node';
import { batchNormMode } from '../batch-norm-training.js';
import { seededRandom } from '../data/random.js';
import type { FromWorker, ToWorker, WorkerSetup } from './data-parallel-worker.js';
import {
  headSizes,
  readHeads,
  shardLossOf,
  shardStep,
  type HeadMetrics,
  type ShardLoss,
} from './shard-step.js';

/** One step's figures: means over the batch, per head (output) and overall. */
export interface StepResult {
  /** The heads' losses summed (without their loss weights, if the training has any). */
  readonly loss: number;
  /** The heads' accuracies averaged. */
  readonly accuracy: number;
  readonly heads: readonly HeadMetrics[];
}

/** What the training loop calls per batch, whether one thread or several do the work. */
export interface BatchTrainer {
  readonly threads: number;
  /** One step on inputs `x` and targets `y` (a multi-head model's targets side by side). */
  trainOnBatch(x: tf.Tensor, y: tf.Tensor): Promise<StepResult>;
  /**
   * Seeds the random draws of the steps that follow (dropout masks) on every thread, so that a run is
   * the same run again from its seed — and a resumed one, when reseeded at each epoch.
   */
  reseed(seed: number): void;
  /** Ends the workers and gives Math.random back. */
  dispose(): Promise<void>;
}

/**
 * tfjs draws an unseeded op's randomness (dropout's mask) from Math.random, so seeding this thread's
 * Math.random seeds those draws. `reseed` replaces the generator; `restore` puts the original back.
 */
export class MathRandomSeeder {
  private readonly original = Math.random;

  reseed(seed: number): void {
    Math.random = seededRandom(seed);
  }

  restore(): void {
    Math.random = this.original;
  }
}

export function stepResult(heads: readonly HeadMetrics[]): StepResult {
  return {
    loss: heads.reduce((sum, h) => sum + h.loss, 0),
    accuracy: heads.reduce((sum, h) => sum + h.accuracy, 0) / heads.length,
    heads,
  };
}

type SharedFloats = Float32Array<SharedArrayBuffer>;

interface WorkerHandle {
  worker: Worker;
  x: SharedFloats;
  y: SharedFloats;
  grads: SharedFloats;
  next(): Promise<FromWorker>;
}

type SharedSetup = Omit<WorkerSetup, 'grads' | 'x' | 'y'>;

const floatBuffer = (n: number): SharedFloats => new Float32Array(new SharedArrayBuffer(n * 4));

async function startWorker(setup: SharedSetup, maxRows: number, params: number): Promise<WorkerHandle> {
  const handle: Partial<WorkerHandle> = {};
  handle.x = floatBuffer(maxRows * setup.inputShape.reduce((a, b) => a * b, 1));
  handle.y = floatBuffer(maxRows * setup.outputSize);
  handle.grads = floatBuffer(params);
  const worker = new Worker(workerUrl('data-parallel-worker', import.meta.url), {
    workerData: {
      ...setup,
      x: handle.x.buffer,
      y: handle.y.buffer,
      grads: handle.grads.buffer,
    } satisfies WorkerSetup,
  });
  // Replies awaited, oldest first. A worker that fails, or ends without saying why, fails every one
  // of them and every later one: training must not wait on a thread that is gone.
  const waiting: { resolve(m: FromWorker): void; reject(e: Error): void }[] = [];
  let gone: Error | undefined;
  const fail = (error: Error) => {
    gone ??= error;
    for (const w of waiting.splice(0)) w.reject(gone);
  };
  worker.on('message', (m: FromWorker) => waiting.shift()?.resolve(m));
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`training worker exited (code ${code})`)));
  handle.next = () =>
    new Promise<FromWorker>((resolve, reject) => {
      if (gone) reject(gone);
      else waiting.push({ resolve, reject });
    });
  handle.worker = worker;
  const first = await handle.next().catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  if (first.type !== 'ready') {
    await worker.terminate();
    throw new Error(
      `training worker failed to start: ${first.type === 'error' ? first.message : first.type}`,
    );
  }
  return handle as WorkerHandle;
}

/**
 * A BatchTrainer for `model` (compiled: categorical or binary cross-entropy) that spreads each batch
 * over `threads` threads (the main one included). `backend` is the workers' tfjs backend.
 */
export async function createDataParallelTrainer(
  model: tf.LayersModel,
  options: { threads: number; backend: string; maxBatch: number; lossWeights?: readonly number[] },
): Promise<BatchTrainer> {
  const losses: ShardLoss[] | { unsupported: string } = shardLossOf(model);
  if (!Array.isArray(losses))
    throw new Error(`data-parallel training cannot train this model: ${losses.unsupported}`);
  const inputShape = model.inputs[0]!.shape.slice(1) as number[];
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  const outputSize = headSizes(model).reduce((a, b) => a + b, 0);
  const sizes = model.weights.map((w) => tf.util.sizeFromShape(w.shape as number[]));
  const params = sizes.reduce((a, b) => a + b, 0);
  const weights = floatBuffer(params);
  const topology = JSON.stringify(model.toJSON(null, false));
  const setup: SharedSetup = {
    backend: options.backend,
    topology,
    losses,
    ...(options.lossWeights ? { lossWeights: options.lossWeights } : {}),
    batchNorm: batchNormMode(),
    inputShape,
    outputSize,
    weights: weights.buffer,
  };
  const maxRows = Math.ceil(options.maxBatch / options.threads);
  const starting = await Promise.allSettled(
    Array.from({ length: options.threads - 1 }, () => startWorker(setup, maxRows, params)),
  );
  const workers = starting.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = starting.find((s) => s.status === 'rejected');
  if (failed) {
    // Those that did start are ended too, rather than left running with nothing to do.
    await Promise.all(workers.map((h) => h.worker.terminate()));
    throw failed.reason;
  }
  const optimizer = model.optimizer;
  const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const seeder = new MathRandomSeeder();

  return {
    threads: options.threads,
    async trainOnBatch(x, y) {
      const count = x.shape[0]!;
      if (count > options.maxBatch)
        throw new Error(`batch of ${count} exceeds the trainer's maxBatch ${options.maxBatch}`);
      const share = Math.ceil(count / options.threads);
      const starts = Array.from({ length: options.threads + 1 }, (_, i) => Math.min(count, i * share));
      let offset = 0;
      model.weights.forEach((w, i) => {
        weights.set(w.read().dataSync(), offset);
        offset += sizes[i]!;
      });
      const [xs, ys] = [x.dataSync(), y.dataSync()];
      // Shards left empty by a batch smaller than the thread count are not sent.
      const shards = workers
        .map((handle, i) => ({ handle, from: starts[i + 1]!, rows: starts[i + 2]! - starts[i + 1]! }))
        .filter((shard) => shard.rows > 0);
      const pending = shards.map(({ handle, from, rows }) => {
        handle.x.set(xs.subarray(from * inputSize, (from + rows) * inputSize));
        handle.y.set(ys.subarray(from * outputSize, (from + rows) * outputSize));
        const reply = handle.next();
        handle.worker.postMessage({ type: 'step', count: rows } satisfies ToWorker);
        return reply;
      });
      const ownRows = starts[1]!;
      const [own, ownY] = tf.tidy(() => [x.slice(0, ownRows), y.slice(0, ownRows)]);
      const mine = shardStep(model, losses, own!, ownY!, options.lossWeights);
      tf.dispose([own!, ownY!]);
      const replies = await Promise.all(pending);
      // Each head's loss and accuracy, weighted by shard size.
      const sums = (await readHeads(mine)).map((h) => ({
        loss: h.loss * ownRows,
        accuracy: h.accuracy * ownRows,
      }));
      // Trainable weights come first in model.weights, so their gradients open the shared buffer.
      const grads = tf.tidy(() => {
        let total = mine.grads.map((g) => g.mul(ownRows / count));
        replies.forEach((reply, i) => {
          if (reply.type !== 'done') {
            throw new Error(`training worker failed: ${reply.type === 'error' ? reply.message : reply.type}`);
          }
          const { handle, rows } = shards[i]!;
          reply.heads.forEach((h, k) => {
            sums[k]!.loss += h.loss * rows;
            sums[k]!.accuracy += h.accuracy * rows;
          });
          let at = 0;
          total = total.map((g, k) => {
            const part = tf.tensor(handle.grads.subarray(at, at + sizes[k]!), g.shape);
            at += sizes[k]!;
            return g.add(part.mul(rows / count));
          });
        });
        return total;
      });
      tf.dispose(mine.grads);
      optimizer.applyGradients(trainable.map((v, k) => ({ name: v.name, tensor: grads[k]! })));
      tf.dispose(grads);
      return stepResult(sums.map((h) => ({ loss: h.loss / count, accuracy: h.accuracy / count })));
    },
    reseed(seed) {
      seeder.reseed(seed);
      workers.forEach((h, i) =>
        h.worker.postMessage({ type: 'seed', seed: seed + i + 1 } satisfies ToWorker),
      );
    },
    async dispose() {
      seeder.restore();
      for (const h of workers) h.worker.postMessage({ type: 'stop' } satisfies ToWorker);
      await Promise.all(workers.map((h) => h.worker.terminate()));
    },
  };
}
