/**
 * MaxPoolGrad for tfjs-backend-wasm, replacing its C++ kernel (a quarter of a training step for the
 * seed networks). Each output's gradient goes to the first maximum of its window, scanned row by row —
 * the cpu backend's rule, so ties resolve identically. 2×2 windows at stride 2 (every preset's
 * pooling) run as wasm code (wasm-simd-kernels.ts) with branch-free masks, four channels per vector
 * when channels come in fours, else one at a time; any other pooling runs the same rule as a plain
 * loop. Both work straight on
 * the backend's heap: no copies in or out.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapAddress, wasmMemory } from './wasm-kernel-util.js';
import { simdKernels } from './wasm-simd-kernels.js';

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const maxPoolGrad: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as BackendWasm;
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
  const dx = backend.makeOutput(input.shape, 'float32');
  const x = backend.typedArrayFromHeap(input);
  const g = backend.typedArrayFromHeap(dy);
  const out = backend.typedArrayFromHeap(dx);
  const simd =
    [info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth].every((v) => v === 2) &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    outHeight === Math.floor(inHeight / 2) &&
    outWidth === Math.floor(inWidth / 2);
  if (simd) {
    // Rows and columns left over by an odd size belong to no window: their gradient is 0.
    if (inHeight % 2 === 1 || inWidth % 2 === 1) out.fill(0);
    const pixel = c * 4;
    const kernels = simdKernels(wasmMemory(backend));
    (c % 4 === 0 ? kernels.max_pool_grad_2x2 : kernels.max_pool_grad_2x2_scalar)(
      ...[heapAddress(backend, input), heapAddress(backend, dy), heapAddress(backend, dx)],
      ...[batchSize, outHeight, outWidth, pixel, inWidth * pixel, inHeight * inWidth * pixel],
    );
    return dx;
  }
  out.fill(0);
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  for (let n = 0; n < batchSize; n++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * info.strideHeight - info.padInfo.top;
      const yStart = Math.max(0, y0);
      const yEnd = Math.min(inHeight, y0 + info.filterHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * info.strideWidth - info.padInfo.left;
        const xStart = Math.max(0, x0);
        const xEnd = Math.min(inWidth, x0 + info.filterWidth);
        best.fill(-Infinity);
        where.fill(-1);
        for (let y = yStart; y < yEnd; y++) {
          for (let xx = xStart; xx < xEnd; xx++) {
            const base = ((n * inHeight + y) * inWidth + xx) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[base + ch]!;
              if (v > best[ch]!) {
                best[ch] = v;
                where[ch] = base + ch;
              }
            }
          }
        }
        const gBase = ((n * outHeight + oy) * outWidth + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          const at = where[ch]!;
          if (at >= 0) out[at] = out[at]! + g[gBase + ch]!;
        }
      }
    }
  }
  return dx;
};

export const maxPoolGradConfig: KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad,
};
