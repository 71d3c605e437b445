/**
 * One data-parallel shard's share of a training step, the same on the main thread and in a worker:
 * the model's loss and accuracy on the shard (computed as tfjs-layers' trainOnBatch computes them,
 * with dropout and the like in training mode) and the gradient of that loss for every trainable
 * weight. Each shard returns mean values; the caller weights them by shard size, so the combined
 * gradient is exactly the full batch's. Batch norm is the exception: each shard is normalised by its
 * own statistics (ghost batch norm) and only the main thread's shard moves the moving mean and variance
 * (batch-norm-shards.test.ts).
 *
 * A model with several outputs (a shared trunk with one head per task) takes its targets as one
 * tensor, the heads' targets side by side in output order; its loss is the sum of the heads' losses,
 * each times its weight when `weights` gives one (per-task loss weights; the figures reported stay
 * each head's own loss).
 */
import * as tf from '@tensorflow/tfjs';

export type ShardLoss = 'categoricalCrossentropy' | 'binaryCrossentropy';

/** Loss and accuracy of one head (output), means over the shard. */
export interface HeadMetrics {
  loss: number;
  accuracy: number;
}

export interface ShardResult {
  /**
   * Each head's loss and accuracy as one [heads, 2] tensor (the loss trained on is the losses summed):
   * one small read instead of two per head; `readHeads` reads and disposes it.
   */
  metrics: tf.Tensor2D;
  /** One gradient per trainable weight, in model.trainableWeights order; the caller disposes them. */
  grads: tf.Tensor[];
}

/**
 * A shard's head figures, read asynchronously: tfjs's webgpu backend has no synchronous read in Node
 * (its `dataSync` needs an OffscreenCanvas), so a dataSync here made webgpu steps throw.
 */
export async function readHeads(result: ShardResult): Promise<HeadMetrics[]> {
  const values = await result.metrics.data();
  result.metrics.dispose();
  return Array.from({ length: values.length / 2 }, (_, h) => ({
    loss: values[2 * h]!,
    accuracy: values[2 * h + 1]!,
  }));
}

/**
 * The loss of each output of a compiled model, or why data-parallel training cannot reproduce its
 * trainOnBatch: categorical or binary cross-entropy per output, and no weight regularizers (whose
 * penalty trainOnBatch adds to the loss).
 */
export function shardLossOf(model: tf.LayersModel): ShardLoss[] | { unsupported: string } {
  const losses = Array.isArray(model.loss) ? model.loss : model.outputs.map(() => model.loss);
  const wrong = losses.find((l) => l !== 'categoricalCrossentropy' && l !== 'binaryCrossentropy');
  if (wrong !== undefined || losses.length !== model.outputs.length) {
    return {
      unsupported: `its loss is ${JSON.stringify(wrong ?? model.loss)}, not categorical or binary cross-entropy`,
    };
  }
  const regularized = model.layers.find((layer) =>
    Object.entries(layer.getConfig()).some(([key, value]) => /[rR]egularizer$/.test(key) && value != null),
  );
  if (regularized) return { unsupported: `layer ${regularized.name} has a regularizer` };
  return losses as ShardLoss[];
}

/** Per-sample cross-entropy and hit of each loss the shard step knows, as trainOnBatch computes them. */
const METRICS: Record<
  ShardLoss,
  { loss: typeof tf.metrics.binaryCrossentropy; hits: typeof tf.metrics.binaryAccuracy }
> = {
  categoricalCrossentropy: { loss: tf.metrics.categoricalCrossentropy, hits: tf.metrics.categoricalAccuracy },
  binaryCrossentropy: { loss: tf.metrics.binaryCrossentropy, hits: tf.metrics.binaryAccuracy },
};

/** Each output's width: where its targets sit in the side-by-side target tensor. */
export const headSizes = (model: tf.LayersModel): number[] => model.outputs.map((o) => o.shape[1]!);

export function shardStep(
  model: tf.LayersModel,
  losses: readonly ShardLoss[],
  x: tf.Tensor,
  y: tf.Tensor,
  weights?: readonly number[],
): ShardResult {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const sizes = headSizes(model);
  let outputs: tf.Tensor[] = [];
  let targets: tf.Tensor[] = [];
  const headLosses: tf.Scalar[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const out = model.apply(x, { training: true });
    outputs = (Array.isArray(out) ? out : [out]) as tf.Tensor[];
    outputs.forEach((p) => tf.keep(p));
    targets = sizes.length === 1 ? [y] : tf.split(y, sizes, 1).map((t) => tf.keep(t));
    const perHead = outputs.map((p, h) => {
      const mean = tf.mean(METRICS[losses[h]!].loss(targets[h]!, p)) as tf.Scalar;
      headLosses.push(tf.keep(mean.clone()));
      const weight = weights?.[h] ?? 1;
      return weight === 1 ? mean : (tf.mul(mean, weight) as tf.Scalar);
    });
    return perHead.length === 1 ? perHead[0]! : (tf.addN(perHead) as tf.Scalar);
  }, variables);
  const metrics = tf.tidy(() =>
    tf.stack(
      outputs.map((p, h) => tf.stack([headLosses[h]!, tf.mean(METRICS[losses[h]!].hits(targets[h]!, p))])),
    ),
  ) as tf.Tensor2D;
  tf.dispose([value, ...outputs, ...headLosses, ...(sizes.length === 1 ? [] : targets)]);
  return { metrics, grads: variables.map((v) => grads[v.name]!) };
}
