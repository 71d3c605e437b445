/**
 * How the training loop runs one batch: `createBatchTrainer` returns a BatchTrainer that either calls
 * `model.trainOnBatch` (one thread; GPU backends, or one core) or splits each batch over several
 * threads (data-parallel.ts) when the active backend computes on the CPU. On webgpu the optimizer's
 * step is fused (webgpu-adam.ts). The choice is logged, so a run says how it trained.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import {
  createDataParallelTrainer,
  MathRandomSeeder,
  stepResult,
  type BatchTrainer,
} from './data-parallel.js';
import { readHeads, shardLossOf, shardStep } from './shard-step.js';
import { fuseAdamSteps } from './webgpu-adam.js';

export type { BatchTrainer, StepResult } from './data-parallel.js';

/** Backends whose kernels run on this thread's CPU, where more threads mean more cores at work. */
const CPU_BACKENDS = new Set(['wasm', 'cpu']);

/**
 * The smallest shard worth a thread. Each step costs every thread a fixed few milliseconds of tfjs
 * bookkeeping, so small shards lose more than they gain: on 2 cores, batch 128 ran 1.36× faster on two
 * threads (shards of 64), batch 32 ran 0.84× as fast (shards of 16) — see bench/PROFILE.md.
 */
export const MIN_SHARD = 64;

export interface BatchTrainerOptions {
  /**
   * Threads to train with, the main one included. Default for CPU backends: every core, but no more
   * than leaves each thread MIN_SHARD samples of a full batch; 1 for other backends.
   */
  threads?: number;
  /** The largest batch that will be passed (sizes the shared buffers). */
  maxBatch: number;
  /**
   * A multi-output model's loss weight per output (shard-step.ts), in output order; all 1 when absent.
   * Ignored for one output, whose loss has no other to be weighed against.
   */
  lossWeights?: readonly number[];
  log?: (line: string) => void;
}

/** A BatchTrainer for the compiled `model` on tfjs's active backend. Call `dispose()` when done. */
export async function createBatchTrainer(
  model: tf.LayersModel,
  options: BatchTrainerOptions,
): Promise<BatchTrainer> {
  const backend = tf.getBackend();
  const cpu = CPU_BACKENDS.has(backend);
  const byBatch = Math.floor(options.maxBatch / MIN_SHARD);
  const threads = Math.max(
    1,
    Math.floor(options.threads ?? (cpu ? Math.min(availableParallelism(), byBatch) : 1)),
  );
  const losses = shardLossOf(model);
  const unsupported = Array.isArray(losses) ? null : losses.unsupported;
  if (threads === 1 || !cpu || unsupported !== null) {
    if (backend === 'webgpu' && fuseAdamSteps(model.optimizer))
      options.log?.('optimizer: one fused Adam kernel per weight (webgpu dispatches are costly)');
    if (threads > 1 && !cpu) options.log?.(`training on 1 thread: ${backend} does not compute on the CPU`);
    else if (threads > 1) options.log?.(`training on 1 thread: ${unsupported}`);
    else options.log?.(`training on 1 thread (${backend})`);
    const seeder = new MathRandomSeeder();
    return {
      threads: 1,
      trainOnBatch: oneThreadStep(model, losses, options.lossWeights),
      reseed: (seed) => seeder.reseed(seed),
      dispose: async () => seeder.restore(),
    };
  }
  const trainer = await createDataParallelTrainer(model, {
    threads,
    backend,
    maxBatch: options.maxBatch,
    ...(options.lossWeights ? { lossWeights: options.lossWeights } : {}),
  });
  options.log?.(
    `training on ${threads} threads (${backend}, data-parallel: each batch split, gradients averaged)`,
  );
  return trainer;
}

/**
 * A step on this thread: tfjs-layers' own trainOnBatch for one output; for several (a shared trunk
 * with a head per task, targets side by side) the shard step over the whole batch, whose summed
 * (weighted) gradient the model's optimizer applies.
 */
function oneThreadStep(
  model: tf.LayersModel,
  losses: ReturnType<typeof shardLossOf>,
  weights: readonly number[] | undefined,
): BatchTrainer['trainOnBatch'] {
  if (model.outputs.length === 1) {
    return async (x, y) => {
      const result = await model.trainOnBatch(x, y);
      if (!Array.isArray(result) || result.length < 2)
        throw new Error("compile the model with metrics: ['accuracy']");
      return stepResult([{ loss: result[0]!, accuracy: result[1]! }]);
    };
  }
  if (!Array.isArray(losses)) throw new Error(`cannot train this multi-output model: ${losses.unsupported}`);
  const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return async (x, y) => {
    const step = shardStep(model, losses, x, y, weights);
    model.optimizer.applyGradients(trainable.map((v, k) => ({ name: v.name, tensor: step.grads[k]! })));
    tf.dispose(step.grads);
    return stepResult(await readHeads(step));
  };
}
