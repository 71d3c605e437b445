import * as tf from '@tensorflow/tfjs';
import { selectTrainingBackend } from '../src/backends/index.js';
import {
  GRAD_NET_SHAPES,
  gradNetGradients,
  gradNetLoss,
  seededValues,
  type GradNetName,
} from '../src/backends/gradient-check.js';
await selectTrainingBackend('cpu');
const values = seededValues(20240607);
const ref = await gradNetGradients(values);
console.log('loss', ref.loss);
const NAMES = Object.keys(GRAD_NET_SHAPES) as GradNetName[];
const lossAt = (name: GradNetName, index: number, delta: number): number =>
  tf.tidy(() => {
    const perturbed = { ...values, [name]: values[name].slice() };
    perturbed[name][index]! += delta;
    const tensors = Object.fromEntries(
      NAMES.map((n) => [n, tf.tensor(perturbed[n], [...GRAD_NET_SHAPES[n]])]),
    );
    return gradNetLoss(tensors as Record<GradNetName, tf.Tensor>).dataSync()[0]!;
  });
for (const h of [1e-1, 1e-2, 1e-3])
  for (const name of ['x', 'w1', 'w2', 'w3', 'wd'] as const)
    for (const index of [0, 7]) {
      console.log(
        h,
        name,
        index,
        (lossAt(name, index, h) - lossAt(name, index, -h)) / (2 * h),
        ref.grads[name][index],
      );
    }
