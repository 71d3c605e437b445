/**
 * Conv2DBackpropFilter for tfjs-backend-wasm, which has none. The filter gradient is
 *   dW[i, j, c, o] = Σ_{n,y,x} xPadded[n, y·s + i, x·s + j, c] · dy[n, y, x, o].
 * When the output channels come in fours, our SIMD kernel (wasm-simd-kernels.ts) accumulates it
 * directly, four output channels per vector, a row of dy at a time so that it stays in cache.
 * Otherwise it is computed as a convolution: with the batch moved into the channel axis, x becomes a
 * "batch" of `c` images [c, H, W, n] and dy a filter [outH, outW, n, o], dilated by the stride — one
 * call of the backend's XNNPACK Conv2D plus two transposes. (The wasm backend's Conv3DBackpropFilterV2,
 * the usual stand-in, gives wrong results for strides > 1.)
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdKernels } from './wasm-simd-kernels.js';
import {
  conv2dGeometry,
  heapAddress,
  runWasmKernel,
  wasmMemory,
  type ConvAttrs,
  type ConvGeometry,
} from './wasm-kernel-util.js';

type FilterShape = [number, number, number, number];

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

const conv2dBackpropFilter: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { filterShape } = attrs as unknown as ConvAttrs & { filterShape: FilterShape };
  const g = conv2dGeometry(x.shape, filterShape, attrs as unknown as ConvAttrs);
  const [fh, fw, inC, outC] = filterShape;
  if (outC % 4 === 0) return simdFilterGrad(backend, x, dy, filterShape, g);
  // Rows/columns the dilated dy needs beyond the top/left padding; extra input rows are left unread.
  const bottom = Math.max(0, fh + (g.outHeight - 1) * g.strideHeight - g.inHeight - g.padTop);
  const right = Math.max(0, fw + (g.outWidth - 1) * g.strideWidth - g.inWidth - g.padLeft);
  const xT = runWasmKernel(backend, 'Transpose', { x }, { perm: [3, 1, 2, 0] });
  const dyT = runWasmKernel(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const conv = runWasmKernel(
    backend,
    'Conv2D',
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [g.padTop, bottom],
        [g.padLeft, right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [g.strideHeight, g.strideWidth],
    },
  );
  backend.disposeData(xT.dataId);
  backend.disposeData(dyT.dataId);
  // conv is [inC, ≥fh, ≥fw, outC]; dW is [fh, fw, inC, outC].
  const [, convH, convW] = conv.shape as [number, number, number, number];
  const dw = backend.makeOutput(filterShape, 'float32');
  const src = backend.typedArrayFromHeap(conv);
  const dst = backend.typedArrayFromHeap(dw);
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      for (let c = 0; c < inC; c++) {
        const from = ((c * convH + i) * convW + j) * outC;
        dst.set(src.subarray(from, from + outC), ((i * fw + j) * inC + c) * outC);
      }
    }
  }
  backend.disposeData(conv.dataId);
  return dw;
};

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter,
};
