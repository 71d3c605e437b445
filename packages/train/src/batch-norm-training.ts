/**
 * Batch normalisation in training mode as one differentiable op. tfjs-layers normalises a batch with
 * `moments` and `batchNorm` and lets autodiff walk back through both: 44 kernels a layer for the
 * forward and backward pass and the moving statistics. With the closed-form gradient it takes 28:
 *   x̂ = (x − μ) / σ,  dβ = Σ dy,  dγ = Σ dy·x̂,  dx = a·dy − (x̂·a·dγ + a·dβ) / n  with a = γ / σ,
 * the bracket being one `batchNorm` of x with per-channel scale a·dγ/n and offset a·dβ/n. On webgpu,
 * where every kernel is a dispatch that costs the recording thread 45–80 µs, that is 16 fewer a layer;
 * on wasm the step of `shared-flat` is about 12 % faster (bench/PROFILE.md).
 *
 * `FusedTrainingBatchNorm` is tfjs-layers' BatchNormalization with that op in training mode; it is
 * registered under the same class name, so saved models load as it and export as before. The forward
 * values are the stock layer's exactly (the same `moments` and `batchNorm`); gradients differ from
 * autodiff's by float rounding (batch-norm-training.test.ts).
 */
import * as tf from '@tensorflow/tfjs';

/** 'stock': tfjs-layers' own training pass, kept for comparisons (`bench/kernel-profile.ts --batch-norm`). */
export type BatchNormMode = 'fused' | 'stock';

let mode: BatchNormMode = 'fused';

/** Sets how every thread's batch norm layers train from now on (data-parallel workers are told too). */
export function setBatchNormMode(next: BatchNormMode): void {
  mode = next;
}

export const batchNormMode = (): BatchNormMode => mode;

interface NormalizedBatch {
  readonly y: tf.Tensor;
  /** The batch's per-channel mean and (biased) variance, for the moving statistics; kept: dispose them. */
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
}

/** Normalises `x` over every axis but the last (channels) and scales and shifts it by γ and β. */
function normalizeBatch(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
): NormalizedBatch {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  let moments: { mean: tf.Tensor; variance: tf.Tensor } | undefined;
  const op = tf.customGrad((input, scale, offset, save) => {
    const [xs, g, b] = [input, scale, offset] as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
    // The op's forward runs in a tidy of its own: keep the moments the caller reads (it disposes them).
    const { mean, variance } = tf.moments(xs, axes);
    moments = { mean: tf.keep(mean), variance: tf.keep(variance) };
    (save as tf.GradSaveFunc)([xs, mean, variance, g]);
    return {
      value: tf.batchNorm(xs, mean, variance, b, g, epsilon),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xSaved, m, v, gSaved] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const n = dy.size / dy.shape[dy.shape.length - 1]!;
        const xHat = tf.batchNorm(xSaved, m, v, undefined, undefined, epsilon);
        const dBeta = tf.sum(dy, axes) as tf.Tensor1D;
        const dGamma = tf.sum(tf.mul(dy, xHat), axes) as tf.Tensor1D;
        const a = tf.mul(gSaved, tf.rsqrt(tf.add(v, epsilon))) as tf.Tensor1D;
        const correction = tf.batchNorm(
          xSaved,
          m,
          v,
          tf.div(tf.mul(a, dBeta), n) as tf.Tensor1D,
          tf.div(tf.mul(a, dGamma), n) as tf.Tensor1D,
          epsilon,
        );
        return [tf.sub(tf.mul(dy, a), correction), dGamma, dBeta];
      },
    };
  });
  const y = op(x, gamma, beta);
  return { y, mean: moments!.mean as tf.Tensor1D, variance: moments!.variance as tf.Tensor1D };
}

/** What the stock layer keeps that the fused path reads. */
interface BatchNormFields {
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly gamma: tf.LayerVariable;
  readonly beta: tf.LayerVariable;
  readonly movingMean: tf.LayerVariable;
  readonly movingVariance: tf.LayerVariable;
}

type Kwargs = Record<string, unknown>;

// tfjs does not export the layer's class; one instance leads to it.
const StockBatchNorm = Object.getPrototypeOf(tf.layers.batchNormalization({})).constructor as new (
  args: object,
) => tf.layers.Layer & BatchNormFields;

export class FusedTrainingBatchNorm extends StockBatchNorm {
  static readonly className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const lastAxis = this.axis === -1 || this.axis === x.rank - 1;
    if (kwargs['training'] !== true || mode === 'stock' || !lastAxis || !this.center || !this.scale)
      return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const { y, mean, variance } = normalizeBatch(
        x,
        this.gamma.read() as tf.Tensor1D,
        this.beta.read() as tf.Tensor1D,
        this.epsilon,
      );
      // The stock layer's moving-average update: value − (value − batch) · (1 − momentum).
      for (const [moving, batch] of [
        [this.movingMean, mean],
        [this.movingVariance, variance],
      ] as const) {
        tf.tidy(() => {
          const value = moving.read();
          moving.write(tf.sub(value, tf.mul(tf.sub(value, batch), 1 - this.momentum)));
        });
      }
      tf.dispose([mean, variance]);
      return y;
    });
  }
}
tf.serialization.registerClass(
  FusedTrainingBatchNorm as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>,
);

/** The BatchNormalization layer every preset builds (config as `tf.layers.batchNormalization`'s). */
export const batchNormalization = (config: Parameters<typeof tf.layers.batchNormalization>[0] = {}) =>
  new FusedTrainingBatchNorm(config);
