/**
 * Conv2DBackpropInput for tfjs-backend-wasm, replacing its scalar C++ loop (a third of a training
 * step for the seed networks) with the backend's own XNNPACK Conv2D: the input gradient of a
 * convolution is the convolution of dy with the filter rotated by 180° and its channel axes swapped,
 * padded so that the output has the input's size. For strides > 1, dy is first spread out with
 * (stride − 1) zeros between its values, which turns the strided case into the stride-1 one.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { conv2dGeometry, runWasmKernel, type ConvAttrs, type ConvGeometry } from './wasm-kernel-util.js';

/** dy [n, h, w, c] with (stride − 1) zeros between rows and columns: [n, (h−1)·sh+1, (w−1)·sw+1, c]. */
function spread(backend: BackendWasm, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  const [n, h, w, c] = dy.shape as [number, number, number, number];
  const [h2, w2] = [(h - 1) * sh + 1, (w - 1) * sw + 1];
  const out = backend.makeOutput([n, h2, w2, c], 'float32');
  const src = backend.typedArrayFromHeap(dy);
  const dst = backend.typedArrayFromHeap(out);
  dst.fill(0);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const from = ((b * h + y) * w + x) * c;
        dst.set(src.subarray(from, from + c), ((b * h2 + y * sh) * w2 + x * sw) * c);
      }
    }
  }
  return out;
}

/** W [fh, fw, inC, outC] → W' [fh, fw, outC, inC] with W'[i, j, o, c] = W[fh−1−i, fw−1−j, c, o]. */
function rotateFilter(backend: BackendWasm, filter: TensorInfo): TensorInfo {
  const [fh, fw, inC, outC] = filter.shape as [number, number, number, number];
  const out = backend.makeOutput([fh, fw, outC, inC], 'float32');
  const src = backend.typedArrayFromHeap(filter);
  const dst = backend.typedArrayFromHeap(out);
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      const from = ((fh - 1 - i) * fw + (fw - 1 - j)) * inC * outC;
      const to = (i * fw + j) * outC * inC;
      for (let c = 0; c < inC; c++) {
        for (let o = 0; o < outC; o++) dst[to + o * inC + c] = src[from + c * outC + o]!;
      }
    }
  }
  return out;
}

/**
 * dx as `kernel` (the backend's Conv2D or DepthwiseConv2dNative) of dy — spread out for strides > 1 —
 * with the rotated filter, padded so that the output has the input's size. The caller frees `rotated`.
 */
export function convolveBack(
  backend: BackendWasm,
  kernel: 'Conv2D' | 'DepthwiseConv2dNative',
  dy: TensorInfo,
  rotated: TensorInfo,
  g: ConvGeometry,
): TensorInfo {
  const [fh, fw] = rotated.shape as [number, number];
  const strided = g.strideHeight > 1 || g.strideWidth > 1;
  const dySpread = strided ? spread(backend, dy, g.strideHeight, g.strideWidth) : dy;
  const [, spreadH, spreadW] = dySpread.shape as [number, number, number];
  const [top, left] = [fh - 1 - g.padTop, fw - 1 - g.padLeft];
  const dx = runWasmKernel(
    backend,
    kernel,
    { x: dySpread, filter: rotated },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [top, g.inHeight - spreadH + fh - 1 - top],
        [left, g.inWidth - spreadW + fw - 1 - left],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [1, 1],
    },
  );
  if (strided) backend.disposeData(dySpread.dataId);
  return dx;
}

const conv2dBackpropInput: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as BackendWasm;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { inputShape } = attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
  const g = conv2dGeometry(inputShape, filter.shape, attrs as unknown as ConvAttrs);
  const rotated = rotateFilter(backend, filter);
  const dx = convolveBack(backend, 'Conv2D', dy, rotated, g);
  backend.disposeData(rotated.dataId);
  return dx;
};

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput,
};
