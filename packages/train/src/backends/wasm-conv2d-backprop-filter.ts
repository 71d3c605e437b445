/**
 * Conv2DBackpropFilter for tfjs-backend-wasm, which has none. The filter gradient
 *   dW[i, j, c, o] = Σ_{n,y,x} xPadded[n, y·s + i, x·s + j, c] · dy[n, y, x, o]
 * is accumulated by our SIMD kernel (wasm-simd-kernels.ts), four output channels per vector, a row of
 * dy at a time so that it stays in cache; up to 16 output channels per pass over the data. When the
 * output channels do not come in fours, dy is first copied with its channels padded with zeros to the
 * next multiple of 4, and the padding columns of the result are dropped. (The wasm backend's
 * Conv3DBackpropFilterV2, the usual stand-in, gives wrong results for strides > 1.)
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdKernels } from './wasm-simd-kernels.js';
import {
  conv2dGeometry,
  heapAddress,
  wasmMemory,
  type ConvAttrs,
  type ConvGeometry,
} from './wasm-kernel-util.js';

type FilterShape = [number, number, number, number];

/** dW for dy whose channel count is a multiple of 4. */
function simdFilterGrad(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  shape: FilterShape,
  g: ConvGeometry,
) {
  const [fh, fw, inC, outC] = shape;
  const dw = backend.makeOutput(shape, 'float32');
  backend.typedArrayFromHeap(dw).fill(0);
  const kernels = simdKernels(wasmMemory(backend)).conv_dw;
  const [xAt, dyAt, dwAt] = [heapAddress(backend, x), heapAddress(backend, dy), heapAddress(backend, dw)];
  for (let o = 0; o < outC; o += 16) {
    const vectors = Math.min(4, (outC - o) / 4);
    kernels[vectors - 1]!(
      ...[xAt, dyAt, dwAt, x.shape[0]!, g.inHeight, g.inWidth, inC, g.outHeight, g.outWidth, outC],
      ...[fh, fw, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, o],
    );
  }
  return dw;
}

/** A copy of `t` [..., c] with its last axis zero-padded to `c4` channels. */
function padChannels(backend: BackendWasm, t: TensorInfo, c4: number): TensorInfo {
  const c = t.shape.at(-1)!;
  const out = backend.makeOutput([...t.shape.slice(0, -1), c4], 'float32');
  const src = backend.typedArrayFromHeap(t);
  const dst = backend.typedArrayFromHeap(out);
  dst.fill(0);
  for (let p = 0, q = 0; p < src.length; p += c, q += c4) {
    for (let ch = 0; ch < c; ch++) dst[q + ch] = src[p + ch]!;
  }
  return out;
}

const conv2dBackpropFilter: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { filterShape } = attrs as unknown as ConvAttrs & { filterShape: FilterShape };
  const g = conv2dGeometry(x.shape, filterShape, attrs as unknown as ConvAttrs);
  const [fh, fw, inC, outC] = filterShape;
  if (outC % 4 === 0) return simdFilterGrad(backend, x, dy, filterShape, g);
  const outC4 = Math.ceil(outC / 4) * 4;
  const dyPadded = padChannels(backend, dy, outC4);
  const dwPadded = simdFilterGrad(backend, x, dyPadded, [fh, fw, inC, outC4], g);
  const dw = backend.makeOutput(filterShape, 'float32');
  const src = backend.typedArrayFromHeap(dwPadded);
  const dst = backend.typedArrayFromHeap(dw);
  for (let p = 0, q = 0; q < dst.length; p += outC4, q += outC) dst.set(src.subarray(p, p + outC), q);
  backend.disposeData(dyPadded.dataId);
  backend.disposeData(dwPadded.dataId);
  return dw;
};

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter,
};
