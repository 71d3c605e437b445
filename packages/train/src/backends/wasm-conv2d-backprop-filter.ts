/**
 * Conv2DBackpropFilter for tfjs-backend-wasm, which has none. The filter gradient
 *   dW[i, j, c, o] = Σ_{n,y,x} xPadded[n, y·s + i, x·s + j, c] · dy[n, y, x, o]
 * is itself a convolution: with the batch moved into the channel axis, x becomes a "batch" of `c`
 * images [c, H, W, n] and dy a filter [outH, outW, n, o], dilated by the stride. That is one call of
 * the backend's own Conv2D (XNNPACK), plus two transposes, instead of a scalar loop. (The wasm
 * backend's Conv3DBackpropFilterV2, the usual stand-in, also gives wrong results for strides > 1.)
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { conv2dGeometry, runWasmKernel, type ConvAttrs } from './wasm-kernel-util.js';

const conv2dBackpropFilter: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { filterShape } = attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
  const g = conv2dGeometry(x.shape, filterShape, attrs as unknown as ConvAttrs);
  const [fh, fw, inC, outC] = filterShape;
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
