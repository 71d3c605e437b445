import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  GRAD_NET_SHAPES,
  gradNetGradients,
  gradNetLoss,
  relativeError,
  seededValues,
  type GradNetName,
  type GradNetResult,
} from './gradient-check.js';
import { listTrainingBackends, selectTrainingBackend } from './index.js';

// float32 kernels that differ only in summation order agree to ~1e-6; 1e-4 leaves room for that
// and still catches a wrong stride, padding or transposition (those give errors of order 1).
const TOLERANCE = 1e-4;
const NAMES = Object.keys(GRAD_NET_SHAPES) as GradNetName[];
const values = seededValues(20240607);

async function on(backend: string): Promise<GradNetResult> {
  await selectTrainingBackend(backend);
  return gradNetGradients(values);
}

describe('training backends: gradients of a small conv net against cpu', async () => {
  const statuses = await listTrainingBackends();
  const reference = await on('cpu');

  it('cpu gradients match central finite differences', async () => {
    await selectTrainingBackend('cpu');
    const h = 1e-3;
    const lossAt = (name: GradNetName, index: number, delta: number): number =>
      tf.tidy(() => {
        const perturbed = { ...values, [name]: values[name].slice() };
        perturbed[name][index]! += delta;
        const tensors = Object.fromEntries(
          NAMES.map((n) => [n, tf.tensor(perturbed[n], [...GRAD_NET_SHAPES[n]])]),
        );
        return gradNetLoss(tensors as Record<GradNetName, tf.Tensor>).dataSync()[0]!;
      });
    for (const name of ['x', 'w1', 'b1', 'dw1', 'w2', 'dw2', 'w3', 'w4', 'wd'] as const) {
      for (const index of new Set([0, Math.min(7, values[name].length - 1), values[name].length - 1])) {
        // A ReLU or max-pool kink within h of the point bends one side: then the central difference
        // averages two slopes, and the analytic gradient is the slope of the side without the kink.
        const [up, at, down] = [lossAt(name, index, h), lossAt(name, index, 0), lossAt(name, index, -h)];
        const analytic = reference.grads[name][index]!;
        const error = Math.min(
          ...[(up - down) / (2 * h), (up - at) / h, (at - down) / h].map((n) => Math.abs(n - analytic)),
        );
        expect(error, `${name}[${index}]`).toBeLessThan(3e-3 + 1e-2 * Math.abs(analytic));
      }
    }
  });

  const others = statuses.filter((s) => s.available && s.name !== 'cpu').map((s) => s.name);
  it.each(others)(
    `%s: loss and every gradient within relative error ${TOLERANCE} of cpu`,
    async (backend) => {
      const result = await on(backend);
      expect(Math.abs(result.loss - reference.loss) / reference.loss).toBeLessThan(TOLERANCE);
      const errors = Object.fromEntries(
        NAMES.map((n) => [n, relativeError(result.grads[n], reference.grads[n])]),
      );
      console.log(`${backend} vs cpu, relative error per gradient:`, errors);
      for (const name of NAMES) expect(errors[name], name).toBeLessThan(TOLERANCE);
    },
  );

  it('the net exercises the kernels the wasm backend gets from us', async () => {
    expect(others).toContain('wasm'); // wasm must initialise on any machine this project supports
    const { kernels } = await on('wasm');
    for (const k of [
      'Conv2D',
      'Conv2DBackpropFilter',
      'Conv2DBackpropInput',
      'DepthwiseConv2dNative',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'MaxPool',
      'MaxPoolGrad',
    ]) {
      expect(kernels).toContain(k);
    }
  });
});
