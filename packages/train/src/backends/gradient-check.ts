/**
 * Test support: a small conv net whose loss touches every kernel that training the project's CNNs
 * runs — conv2d 'same' and 'valid' at strides 1 and 2 with several input and output channels,
 * depthwise conv2d (separable layers) at strides 1 and 2 with channel multipliers 1 and 2, bias, ReLU,
 * 2×2 max pooling, a dense layer and softmax cross-entropy — and its gradients with respect to the
 * input and every parameter, computed on whichever tfjs backend is active. Backends are checked
 * against `cpu` with these (gradients.test.ts); inputs come from a seeded generator so every backend
 * sees the same numbers.
 */
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../data/random.js';

export const GRAD_NET_SHAPES = {
  x: [3, 21, 21, 2], // odd size: 'same' at stride 2 pads unevenly
  w1: [3, 3, 2, 3], // 'same', stride 1 → 21×21×3
  b1: [3],
  dw1: [3, 3, 3, 1], // depthwise 'same', stride 1 → 21×21×3
  w2: [3, 3, 3, 4], // 'valid', stride 2 → 10×10×4, then 2×2 max pool → 5×5×4
  dw2: [3, 3, 4, 2], // depthwise, multiplier 2, 'same', stride 2 → 3×3×8
  w3: [3, 3, 8, 5], // 'same', stride 2 → 2×2×5
  w4: [2, 2, 5, 6], // 'valid', stride 1 → 1×1×6 → flatten 6
  wd: [6, 5],
  bd: [5],
} as const satisfies Record<string, readonly number[]>;

export type GradNetName = keyof typeof GRAD_NET_SHAPES;
export type GradNetValues = Record<GradNetName, Float32Array>;

/** Deterministic values in [-1, 1) (mulberry32), the same on every machine and backend. */
export function seededValues(seed: number): GradNetValues {
  const random = seededRandom(seed);
  const next = (): number => random() * 2 - 1;
  const values = {} as GradNetValues;
  for (const [name, shape] of Object.entries(GRAD_NET_SHAPES)) {
    const data = new Float32Array(shape.reduce<number>((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = next();
    values[name as GradNetName] = data;
  }
  return values;
}

export const GRAD_NET_LABELS = [0, 3, 4];

export function gradNetLoss(p: Record<GradNetName, tf.Tensor>): tf.Scalar {
  const x = p.x as tf.Tensor4D;
  let h = tf.relu(tf.add(tf.conv2d(x, p.w1 as tf.Tensor4D, 1, 'same'), p.b1)) as tf.Tensor4D;
  h = tf.relu(tf.depthwiseConv2d(h, p.dw1 as tf.Tensor4D, 1, 'same'));
  h = tf.relu(tf.conv2d(h, p.w2 as tf.Tensor4D, 2, 'valid'));
  h = tf.maxPool(h, 2, 2, 'valid');
  h = tf.relu(tf.depthwiseConv2d(h, p.dw2 as tf.Tensor4D, 2, 'same'));
  h = tf.relu(tf.conv2d(h, p.w3 as tf.Tensor4D, 2, 'same'));
  h = tf.relu(tf.conv2d(h, p.w4 as tf.Tensor4D, 1, 'valid'));
  const logits = tf.add(tf.matMul(tf.reshape(h, [x.shape[0], -1]), p.wd as tf.Tensor2D), p.bd);
  const labels = tf.oneHot(GRAD_NET_LABELS, GRAD_NET_SHAPES.bd[0]);
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
}

export interface GradNetResult {
  loss: number;
  grads: Record<GradNetName, Float32Array>;
  /** Names of the kernels the active backend ran for the loss and its gradients. */
  kernels: string[];
}

/** The loss and the gradient for every input and parameter, on the active backend. */
export async function gradNetGradients(values: GradNetValues): Promise<GradNetResult> {
  const names = Object.keys(GRAD_NET_SHAPES) as GradNetName[];
  const tensors = Object.fromEntries(
    names.map((n) => [n, tf.tensor(values[n], [...GRAD_NET_SHAPES[n]])]),
  ) as Record<GradNetName, tf.Tensor>;
  let result!: { value: tf.Scalar; grads: tf.Tensor[] };
  const profile = await tf.profile(() => {
    result = tf.valueAndGrads((...args: tf.Tensor[]) =>
      gradNetLoss(Object.fromEntries(names.map((n, i) => [n, args[i]!])) as Record<GradNetName, tf.Tensor>),
    )(names.map((n) => tensors[n]));
    return [result.value, ...result.grads];
  });
  const grads = {} as Record<GradNetName, Float32Array>;
  for (const [i, n] of names.entries()) grads[n] = (await result.grads[i]!.data()) as Float32Array;
  const loss = (await result.value.data())[0]!;
  tf.dispose([result.value, ...result.grads, ...Object.values(tensors)]);
  return { loss, grads, kernels: [...new Set(profile.kernelNames)] };
}

/** ‖a − b‖₂ / ‖b‖₂: the relative error of `a` against the reference `b`. */
export function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    ref += b[i]! ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(ref), 1e-30);
}
