import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { relativeError } from './gradient-check.js';
import { selectTrainingBackend } from './index.js';
import { WASM_TRAINING_KERNEL_NAMES } from './wasm-kernels.js';

// Each of our wasm kernels, through the public ops that reach it, against the cpu backend on the
// same seeded inputs: the shapes cover the SIMD paths (channels in fours, 1–4 vectors and more than
// 16 output channels), the plain fallbacks, strides 1 and 2, 'same' and 'valid', odd sizes and ties.
const TOLERANCE = 1e-4;

let seed = 1;
function values(n: number, ties = false): Float32Array {
  return Float32Array.from({ length: n }, () => {
    seed = (seed * 16807) % 2147483647;
    const v = (seed / 2147483647) * 2 - 1;
    return ties ? Math.max(0, Math.round(v * 2) / 2) : v; // many equal values
  });
}

/** Runs `f` on cpu and on wasm with the same inputs and returns the relative error of wasm's result. */
async function compare(
  inputs: { data: Float32Array; shape: number[] }[],
  f: (...t: tf.Tensor[]) => tf.Tensor,
) {
  const run = async (backend: string) => {
    await selectTrainingBackend(backend);
    const tensors = inputs.map((i) => tf.tensor(i.data, i.shape));
    const out = f(...tensors);
    const data = (await out.data()) as Float32Array;
    tf.dispose([out, ...tensors]);
    return data;
  };
  const reference = await run('cpu');
  return relativeError(await run('wasm'), reference);
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const input = (shape: number[], ties = false) => ({ data: values(size(shape), ties), shape });

describe('wasm training kernels against cpu', () => {
  it('registers what it claims', async () => {
    await selectTrainingBackend('wasm');
    for (const name of WASM_TRAINING_KERNEL_NAMES) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
  });

  const convCases: [string, number[], number[], number, 'same' | 'valid'][] = [
    ['1→8, 3×3 same s1 (seed conv 1)', [3, 12, 12, 1], [3, 3, 1, 8], 1, 'same'],
    ['8→16, 3×3 same s1 (seed conv 2)', [2, 8, 8, 8], [3, 3, 8, 16], 1, 'same'],
    ['3→12, 3×3 valid s2, odd size', [2, 11, 9, 3], [3, 3, 3, 12], 2, 'valid'],
    ['4→20, 3×3 same s2, odd size', [2, 9, 7, 4], [3, 3, 4, 20], 2, 'same'],
    ['2→36, 5×3 same s1', [1, 7, 6, 2], [5, 3, 2, 36], 1, 'same'],
    ['5→6 (channels padded to 8), 2×2 valid s1', [2, 6, 5, 5], [2, 2, 5, 6], 1, 'valid'],
    ['1→2 (channels padded to 4), 3×3 same s1 (seed gender conv 1)', [3, 10, 8, 1], [3, 3, 1, 2], 1, 'same'],
    ['3→5 (channels padded to 8), 3×3 same s2', [2, 7, 9, 3], [3, 3, 3, 5], 2, 'same'],
  ];
  it.each(convCases)(
    'Conv2DBackpropFilter and Conv2DBackpropInput: %s',
    async (_, xShape, wShape, stride, pad) => {
      const x = input(xShape);
      const w = input(wShape);
      const grads = (wrt: 0 | 1) => (xt: tf.Tensor, wt: tf.Tensor) =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf
            .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)
            .square()
            .sum(),
        )([xt, wt])[wrt]!;
      expect(await compare([x, w], grads(1)), 'filter').toBeLessThan(TOLERANCE);
      expect(await compare([x, w], grads(0)), 'input').toBeLessThan(TOLERANCE);
    },
  );

  const depthwiseCases: [string, number[], number[], number, 'same' | 'valid'][] = [
    ['8 channels, 3×3 same s1 (a separable conv)', [3, 12, 12, 8], [3, 3, 8, 1], 1, 'same'],
    ['3 channels × 2, 3×3 valid s2, odd size', [2, 11, 9, 3], [3, 3, 3, 2], 2, 'valid'],
    ['4 channels × 3, 3×3 same s2, odd size', [2, 9, 7, 4], [3, 3, 4, 3], 2, 'same'],
    ['5 channels, 5×3 same s1', [1, 7, 6, 5], [5, 3, 5, 1], 1, 'same'],
  ];
  it.each(depthwiseCases)(
    'DepthwiseConv2dNativeBackpropFilter and -Input: %s',
    async (_, xShape, wShape, stride, pad) => {
      const x = input(xShape);
      const w = input(wShape);
      const grads = (wrt: 0 | 1) => (xt: tf.Tensor, wt: tf.Tensor) =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf
            .depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)
            .square()
            .sum(),
        )([xt, wt])[wrt]!;
      expect(await compare([x, w], grads(1)), 'filter').toBeLessThan(TOLERANCE);
      expect(await compare([x, w], grads(0)), 'input').toBeLessThan(TOLERANCE);
    },
  );

  const poolCases: [string, number[], number, number, 'same' | 'valid', boolean][] = [
    ['2×2 s2, 8 channels (SIMD)', [2, 8, 6, 8], 2, 2, 'valid', false],
    ['2×2 s2, odd size, ties (SIMD)', [2, 7, 5, 4], 2, 2, 'valid', true],
    ['2×2 s2, 3 channels (scalar wasm)', [2, 6, 6, 3], 2, 2, 'valid', true],
    ['2×2 s2, 2 channels, odd size (scalar wasm)', [3, 9, 7, 2], 2, 2, 'valid', false],
    ['3×3 s2 same, overlapping (plain)', [2, 7, 7, 4], 3, 2, 'same', false],
  ];
  it.each(poolCases)('MaxPoolGrad: %s', async (_, shape, filter, stride, pad, ties) => {
    const g = (x: tf.Tensor) =>
      tf.grad((a: tf.Tensor) => {
        const y = tf.maxPool(a as tf.Tensor4D, filter, stride, pad);
        return y.mul(tf.range(0, y.size).reshape(y.shape).sin()).sum();
      })(x);
    expect(await compare([input(shape, ties)], g)).toBeLessThan(TOLERANCE);
  });

  it('Sum over all but the last axis (SIMD for channels in fours, plain otherwise), and other sums', async () => {
    for (const [shape, axes] of [
      [
        [4, 5, 6, 8],
        [0, 1, 2],
      ],
      [
        [3, 7, 5],
        [0, 1],
      ],
      [
        [4, 5, 6, 8],
        [1, 2],
      ],
    ] as const) {
      expect(await compare([input([...shape])], (x) => tf.sum(x, [...axes])), `${shape}`).toBeLessThan(
        TOLERANCE,
      );
    }
  });

  it('Add (same shape, per-channel bias either side, other broadcasts), Multiply and Cast', async () => {
    const [a, same, bias, other] = [
      input([3, 5, 4, 8]),
      input([3, 5, 4, 8]),
      input([8]),
      input([3, 1, 4, 8]),
    ];
    expect(await compare([a, same], (p, q) => tf.add(p, q))).toBeLessThan(TOLERANCE);
    expect(await compare([a, bias], (p, q) => tf.add(p, q))).toBeLessThan(TOLERANCE);
    expect(await compare([bias, a], (p, q) => tf.add(p, q))).toBeLessThan(TOLERANCE);
    expect(await compare([a, other], (p, q) => tf.add(p, q))).toBeLessThan(TOLERANCE);
    for (const c of [1, 2, 3, 6]) {
      const [t, tb] = [input([4, 3, 4, c]), input([c])];
      expect(await compare([t, tb], (p, q) => tf.add(p, q)), `bias of ${c}`).toBeLessThan(TOLERANCE);
    }
    expect(await compare([a, same], (p, q) => tf.mul(p, q))).toBeLessThan(TOLERANCE);
    expect(await compare([a, bias], (p, q) => tf.mul(p, q))).toBeLessThan(TOLERANCE);
    expect(await compare([bias, a], (p, q) => tf.mul(p, q))).toBeLessThan(TOLERANCE);
    for (const c of [1, 2, 3, 6]) {
      const [t, tb] = [input([4, 3, 4, c]), input([1, 1, 1, c])];
      expect(await compare([t, tb], (p, q) => tf.mul(p, q)), `scale of ${c}`).toBeLessThan(TOLERANCE);
    }
    expect(
      await compare([input([3, 7])], (p) => tf.cast(p, 'float32').add(tf.cast(tf.greater(p, 0), 'float32'))),
    ).toBeLessThan(TOLERANCE);
  });

  it("Tile of a per-channel vector (batch norm's gradient) and other tiles", async () => {
    for (const c of [1, 3, 8]) {
      const v = input([1, 1, 1, c]);
      expect(await compare([v], (p) => tf.tile(p, [3, 5, 4, 1])), `vector of ${c}`).toBeLessThan(TOLERANCE);
    }
    expect(await compare([input([1, 7])], (p) => tf.tile(p, [1, 1]))).toBeLessThan(TOLERANCE);
    expect(await compare([input([2, 3])], (p) => tf.tile(p, [2, 2]))).toBeLessThan(TOLERANCE);
    expect(await compare([input([1, 1, 4])], (p) => tf.tile(p, [2, 3, 2]))).toBeLessThan(TOLERANCE);
  });

  it('BatchMatMul with either operand transposed, and Identity', async () => {
    const [a, b] = [input([7, 5]), input([7, 3])];
    expect(
      await compare([a, b], (p, q) => tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D, true, false)),
    ).toBeLessThan(TOLERANCE);
    const [c, d] = [input([6, 5]), input([4, 5])];
    expect(
      await compare([c, d], (p, q) => tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D, false, true)),
    ).toBeLessThan(TOLERANCE);
    const e = input([5, 6]);
    expect(
      await compare([e, d], (p, q) => tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D, true, true)),
    ).toBeLessThan(TOLERANCE);
    expect(await compare([c], (p) => tf.clone(p).add(1))).toBeLessThan(TOLERANCE);
  });
});
