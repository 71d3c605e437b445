/**
 * One data-parallel shard's share of a training step, the same on the main thread and in a worker:
 * the model's loss and accuracy on the shard (computed as tfjs-layers' trainOnBatch computes them,
 * with dropout and the like in training mode) and the gradient of that loss for every trainable
 * weight. Each shard returns mean values; the caller weights them by shard size, so the combined
 * gradient is exactly the full batch's. Batch norm is the exception: each shard is normalised by its
 * own statistics (ghost batch norm) and only the main thread's shard moves the moving mean and variance
 * (batch-norm-shards.test.ts).
 */
import * as tf from '@tensorflow/tfjs';

export type ShardLoss = 'categoricalCrossentropy' | 'binaryCrossentropy';

export interface ShardResult {
  loss: number;
  accuracy: number;
  /** One gradient per trainable weight, in model.trainableWeights order; the caller disposes them. */
  grads: tf.Tensor[];
}

/**
 * The loss a compiled model trains with, or why data-parallel training cannot reproduce its
 * trainOnBatch: it handles one output, categorical or binary cross-entropy, and no weight
 * regularizers (whose penalty trainOnBatch adds to the loss).
 */
export function shardLossOf(model: tf.LayersModel): ShardLoss | { unsupported: string } {
  const loss = model.loss;
  if (model.outputs.length !== 1) return { unsupported: 'the model has more than one output' };
  if (loss !== 'categoricalCrossentropy' && loss !== 'binaryCrossentropy') {
    return { unsupported: `its loss is ${JSON.stringify(loss)}, not categorical or binary cross-entropy` };
  }
  const regularized = model.layers.find((layer) =>
    Object.entries(layer.getConfig()).some(([key, value]) => /[rR]egularizer$/.test(key) && value != null),
  );
  if (regularized) return { unsupported: `layer ${regularized.name} has a regularizer` };
  return loss;
}

export function shardStep(
  model: tf.LayersModel,
  lossName: ShardLoss,
  x: tf.Tensor,
  y: tf.Tensor,
): ShardResult {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const categorical = lossName === 'categoricalCrossentropy';
  let p: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    p = tf.keep(model.apply(x, { training: true }) as tf.Tensor);
    const perSample = categorical
      ? tf.metrics.categoricalCrossentropy(y, p)
      : tf.metrics.binaryCrossentropy(y, p);
    return tf.mean(perSample) as tf.Scalar;
  }, variables);
  const accuracy = tf.tidy(() => {
    const hits = categorical ? tf.metrics.categoricalAccuracy(y, p!) : tf.metrics.binaryAccuracy(y, p!);
    return tf.mean(hits).dataSync()[0]!;
  });
  p!.dispose();
  const loss = value.dataSync()[0]!;
  value.dispose();
  return { loss, accuracy, grads: variables.map((v) => grads[v.name]!) };
}
