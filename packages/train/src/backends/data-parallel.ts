/**
 * Data-parallel training on the CPU: a step's batch is split into shards, one per thread — the main
 * thread's model takes the first and each worker (data-parallel-worker.ts, a replica on its own wasm
 * backend) one more — and the shard gradients, weighted by shard size, are averaged into the full
 * batch's gradient, which the main model's own optimizer applies. Weights go to the workers and
 * gradients come back through SharedArrayBuffers, so a step costs two small messages per worker. The
 * main model stays the one to save, evaluate and resume; a step returns [loss, accuracy] like
 * `model.trainOnBatch` with metrics ['accuracy'].
 */
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { FromWorker, ToWorker, WorkerSetup } from './data-parallel-worker.js';
import { shardLossOf, shardStep, type ShardLoss } from './shard-step.js';

/** What the training loop calls per batch, whether one thread or several do the work. */
export interface BatchTrainer {
  readonly threads: number;
  trainOnBatch(x: tf.Tensor, y: tf.Tensor): Promise<[loss: number, accuracy: number]>;
  dispose(): Promise<void>;
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

/** The worker's entry; from TypeScript sources, a bootstrap that first installs tsx's loader in the worker. */
function workerScript(): URL {
  const worker = new URL(
    `./data-parallel-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`,
    import.meta.url,
  );
  if (worker.pathname.endsWith('.js')) return worker;
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(worker.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

async function startWorker(setup: SharedSetup, maxRows: number, params: number): Promise<WorkerHandle> {
  const handle: Partial<WorkerHandle> = {};
  handle.x = floatBuffer(maxRows * setup.inputShape.reduce((a, b) => a * b, 1));
  handle.y = floatBuffer(maxRows * setup.outputSize);
  handle.grads = floatBuffer(params);
  const worker = new Worker(workerScript(), {
    workerData: {
      ...setup,
      x: handle.x.buffer,
      y: handle.y.buffer,
      grads: handle.grads.buffer,
    } satisfies WorkerSetup,
  });
  const queue: ((m: FromWorker) => void)[] = [];
  const failures: ((e: Error) => void)[] = [];
  worker.on('message', (m: FromWorker) => queue.shift()?.(m));
  worker.on('error', (e) => failures.forEach((f) => f(e)));
  handle.next = () =>
    new Promise<FromWorker>((resolve, reject) => {
      queue.push(resolve);
      failures.push(reject);
    });
  handle.worker = worker;
  const first = await handle.next();
  if (first.type !== 'ready')
    throw new Error(
      `training worker failed to start: ${first.type === 'error' ? first.message : first.type}`,
    );
  return handle as WorkerHandle;
}

/**
 * A BatchTrainer for `model` (compiled: categorical or binary cross-entropy) that spreads each batch
 * over `threads` threads (the main one included). `backend` is the workers' tfjs backend.
 */
export async function createDataParallelTrainer(
  model: tf.LayersModel,
  options: { threads: number; backend: string; maxBatch: number },
): Promise<BatchTrainer> {
  const loss: ShardLoss | { unsupported: string } = shardLossOf(model);
  if (typeof loss !== 'string')
    throw new Error(`data-parallel training cannot train this model: ${loss.unsupported}`);
  const inputShape = model.inputs[0]!.shape.slice(1) as number[];
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  const outputSize = model.outputs[0]!.shape[1]!;
  const sizes = model.weights.map((w) => tf.util.sizeFromShape(w.shape as number[]));
  const params = sizes.reduce((a, b) => a + b, 0);
  const weights = floatBuffer(params);
  const topology = JSON.stringify(model.toJSON(null, false));
  const setup: SharedSetup = {
    backend: options.backend,
    topology,
    loss,
    inputShape,
    outputSize,
    weights: weights.buffer,
  };
  const maxRows = Math.ceil(options.maxBatch / options.threads);
  const workers = await Promise.all(
    Array.from({ length: options.threads - 1 }, () => startWorker(setup, maxRows, params)),
  );
  const optimizer = model.optimizer;
  const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);

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
      const mine = shardStep(model, loss, own!, ownY!);
      tf.dispose([own!, ownY!]);
      const replies = await Promise.all(pending);
      let [lossSum, accSum] = [mine.loss * ownRows, mine.accuracy * ownRows];
      // Trainable weights come first in model.weights, so their gradients open the shared buffer.
      const grads = tf.tidy(() => {
        let total = mine.grads.map((g) => g.mul(ownRows / count));
        replies.forEach((reply, i) => {
          if (reply.type !== 'done') {
            throw new Error(`training worker failed: ${reply.type === 'error' ? reply.message : reply.type}`);
          }
          const { handle, rows } = shards[i]!;
          lossSum += reply.loss * rows;
          accSum += reply.accuracy * rows;
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
      return [lossSum / count, accSum / count];
    },
    async dispose() {
      for (const h of workers) h.worker.postMessage({ type: 'stop' } satisfies ToWorker);
      await Promise.all(workers.map((h) => h.worker.terminate()));
    },
  };
}
