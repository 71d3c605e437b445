/**
 * Faster versions of kernels tfjs-backend-wasm already has, for the shapes training produces; any
 * other case is handed to the backend's original kernel. Identity (the engine saves tensors for the
 * backward pass with it) and Cast to the same dtype share the data instead of copying it, as the cpu
 * backend does. Sum over every axis but the last (bias gradients) adds rows in place instead of
 * transposing first. Add and Multiply of same-shape tensors, and Add or Multiply by a per-channel
 * vector, run as SIMD loops; Tile of a per-channel vector over an NHWC shape (batch norm's gradient)
 * copies the row instead of indexing every element. BatchMatMul with a transposed operand (the dense layer's gradients) transposes it explicitly
 * so that the product runs on XNNPACK's fast path, which the backend only takes for untransposed,
 * unbatched operands.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelOverride } from './kernel-install.js';
import { heapAddress, runWasmKernel, wasmMemory } from './wasm-kernel-util.js';
import { simdKernels } from './wasm-simd-kernels.js';

const identity: KernelOverride =
  (original) =>
  ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    if (x.dtype === 'string') return original({ inputs, backend, attrs });
    (backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };

const cast: KernelOverride =
  (original) =>
  ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    if (x.dtype === 'string' || (attrs as { dtype: string }).dtype !== x.dtype)
      return original({ inputs, backend, attrs });
    (backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };

/** Channels rounded up so that whole rows fill whole f32x4 vectors: lcm(c, 4). */
const vectorRow = (c: number): number => (c % 4 === 0 ? c : c % 2 === 0 ? 2 * c : 4 * c);

/** `bias` [c] repeated to fill `floats` floats, as a backend tensor the caller frees. */
function tiledBias(backend: BackendWasm, bias: TensorInfo, floats: number): TensorInfo {
  const out = backend.makeOutput([floats], 'float32');
  const src = backend.typedArrayFromHeap(bias);
  const dst = backend.typedArrayFromHeap(out);
  for (let i = 0; i < floats; i++) dst[i] = src[i % src.length]!;
  return out;
}

/** Add and Multiply: same-shape float32 operands, or an NHWC tensor and a per-channel vector. */
const binary =
  (kind: 'add' | 'mul'): KernelOverride =>
  (original) =>
  ({ inputs, backend: b, attrs }) => {
    const backend = b as BackendWasm;
    const { a, b: bb } = inputs as { a: TensorInfo; b: TensorInfo };
    if (a.dtype !== 'float32' || bb.dtype !== 'float32') return original({ inputs, backend, attrs });
    const [big, small] =
      tf.util.sizeFromShape(a.shape) >= tf.util.sizeFromShape(bb.shape) ? [a, bb] : [bb, a];
    const size = tf.util.sizeFromShape(big.shape);
    const kernels = simdKernels(wasmMemory(backend));
    if (tf.util.arraysEqual(a.shape, bb.shape) && size % 4 === 0) {
      const out = backend.makeOutput(a.shape, 'float32');
      const fn = kind === 'add' ? kernels.add_same : kernels.mul_same;
      fn(heapAddress(backend, a), heapAddress(backend, bb), heapAddress(backend, out), size * 4);
      return out;
    }
    const c = big.shape.at(-1)!;
    const row = vectorRow(c);
    const isBias =
      small.shape.at(-1) === c &&
      tf.util.sizeFromShape(small.shape) === c &&
      big.shape.length >= small.shape.length;
    if (!isBias || size % row !== 0) return original({ inputs, backend, attrs });
    const bias = row === c ? small : tiledBias(backend, small, row);
    const out = backend.makeOutput(big.shape, 'float32');
    const [at, biasAt, outAt] = [
      heapAddress(backend, big),
      heapAddress(backend, bias),
      heapAddress(backend, out),
    ];
    (kind === 'add' ? kernels.add_bias : kernels.mul_bias)(at, biasAt, outAt, size * 4, row * 4);
    if (bias !== small) backend.disposeData(bias.dataId);
    return out;
  };

/** Tile of a [1, …, 1, c] tensor with reps [n, …, 1]: the row repeated, by doubling copies. */
const tile: KernelOverride =
  (original) =>
  ({ inputs, backend: b, attrs }) => {
    const backend = b as BackendWasm;
    const { x } = inputs as { x: TensorInfo };
    const { reps } = attrs as { reps: number[] };
    const c = x.shape.at(-1)!;
    const row = x.dtype === 'float32' && tf.util.sizeFromShape(x.shape) === c && reps.at(-1) === 1;
    if (!row || reps.length !== x.shape.length) return original({ inputs, backend, attrs });
    const out = backend.makeOutput(
      x.shape.map((s, i) => s * reps[i]!),
      'float32',
    );
    const dst = backend.typedArrayFromHeap(out);
    if (dst.length === 0) return out;
    dst.set(backend.typedArrayFromHeap(x));
    for (let filled = c; filled < dst.length; filled *= 2)
      dst.copyWithin(filled, 0, Math.min(filled, dst.length - filled));
    return out;
  };

const sum: KernelOverride =
  (original) =>
  ({ inputs, backend: b, attrs }) => {
    const backend = b as BackendWasm;
    const { x } = inputs as { x: TensorInfo };
    const { axis, keepDims } = attrs as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const leading = axes.length === rank - 1 && axes.every((a, i) => a === i);
    const c = x.shape[rank - 1]!;
    const size = tf.util.sizeFromShape(x.shape);
    const row = vectorRow(c);
    if (!leading || x.dtype !== 'float32' || rank < 2 || size % row !== 0)
      return original({ inputs, backend, attrs });
    const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), c] : [c], 'float32');
    // Sum rows of `row` floats (whole vectors), then fold the row's copies of each channel together.
    const rows = row === c ? out : backend.makeOutput([row], 'float32');
    simdKernels(wasmMemory(backend)).sum_rows(
      heapAddress(backend, x),
      size / row,
      row * 4,
      heapAddress(backend, rows),
    );
    if (rows !== out) {
      const partial = backend.typedArrayFromHeap(rows);
      const total = backend.typedArrayFromHeap(out);
      total.fill(0);
      for (let i = 0; i < row; i++) total[i % c] = total[i % c]! + partial[i]!;
      backend.disposeData(rows.dataId);
    }
    return out;
  };

/** The last two axes of a rank-2 or unbatched rank-3 tensor swapped, as a new backend tensor. */
function transposeLast2(backend: BackendWasm, t: TensorInfo): TensorInfo {
  const rank = t.shape.length;
  const matrix: TensorInfo = { ...t, shape: t.shape.slice(rank - 2) };
  return runWasmKernel(backend, 'Transpose', { x: matrix }, { perm: [1, 0] });
}

const batchMatMul: KernelOverride =
  (original) =>
  ({ inputs, backend: b, attrs }) => {
    const backend = b as BackendWasm;
    const { a, b: bb } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const unbatched = (t: TensorInfo) => t.shape.length === 2 || (t.shape.length === 3 && t.shape[0] === 1);
    if ((!transposeA && !transposeB) || !unbatched(a) || !unbatched(bb))
      return original({ inputs, backend, attrs });
    const a2 = transposeA ? transposeLast2(backend, a) : a;
    const b2 = transposeB ? transposeLast2(backend, bb) : bb;
    const out = original({
      inputs: { a: a2, b: b2 },
      backend,
      attrs: { transposeA: false, transposeB: false },
    });
    if (transposeA) backend.disposeData(a2.dataId);
    if (transposeB) backend.disposeData(b2.dataId);
    return out;
  };

export const WASM_KERNEL_OVERRIDES: Readonly<Record<string, KernelOverride>> = {
  [tf.Identity]: identity,
  [tf.Cast]: cast,
  [tf.Add]: binary('add'),
  [tf.Multiply]: binary('mul'),
  [tf.Sum]: sum,
  [tf.Tile]: tile,
  [tf.BatchMatMul]: batchMatMul,
};
