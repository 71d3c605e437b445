/**
 * The two gradients of a depthwise convolution for tfjs-backend-wasm, which has neither (so a
 * depthwise or separable conv layer could not train on it). Filter W is [fh, fw, c, m]: output channel
 * c·m + k is input channel c convolved with W[·, ·, c, k].
 *   input:  dx is the depthwise convolution of dy with the filter rotated by 180°, run by the
 *           backend's own XNNPACK kernel as for a plain conv (convolveBack in
 *           wasm-conv2d-backprop-input.ts), one output channel per dy channel; for m > 1 each input
 *           channel's m results are then summed.
 *   filter: dW[i, j, c, k] = Σ_{n,y,x} x[n, y·s + i − p, x·s + j − p, c] · dy[n, y, x, c·m + k],
 *           a plain loop: these filters hold 9 weights a channel, so the sum is a few million
 *           multiply-adds a batch, small beside the pointwise convolutions around it.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convolveBack } from './wasm-conv2d-backprop-input.js';
import { conv2dGeometry, type ConvAttrs } from './wasm-kernel-util.js';

type Shape4 = [number, number, number, number];
/** The kernels' attributes (always NHWC, so without a dataFormat); tfjs's gradient refuses dilations. */
type DepthwiseAttrs = Omit<ConvAttrs, 'dataFormat'>;
const nhwc = (a: DepthwiseAttrs): ConvAttrs => ({ ...a, dataFormat: 'NHWC' });

/** W [fh, fw, c, m] → W' [fh, fw, c·m, 1] with W'[i, j, c·m + k] = W[fh−1−i, fw−1−j, c, k]. */
function rotateDepthwiseFilter(backend: BackendWasm, filter: TensorInfo): TensorInfo {
  const [fh, fw, c, m] = filter.shape as Shape4;
  const out = backend.makeOutput([fh, fw, c * m, 1], 'float32');
  const src = backend.typedArrayFromHeap(filter);
  const dst = backend.typedArrayFromHeap(out);
  const taps = c * m;
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      const from = ((fh - 1 - i) * fw + (fw - 1 - j)) * taps;
      dst.set(src.subarray(from, from + taps), (i * fw + j) * taps);
    }
  }
  return out;
}

/** t [..., c·m] → [..., c], each channel the sum of its m consecutive channels. */
function sumChannelGroups(backend: BackendWasm, t: TensorInfo, m: number): TensorInfo {
  const cm = t.shape.at(-1)!;
  const out = backend.makeOutput([...t.shape.slice(0, -1), cm / m], 'float32');
  const src = backend.typedArrayFromHeap(t);
  const dst = backend.typedArrayFromHeap(out);
  for (let p = 0, q = 0; p < src.length; p += m, q++) {
    let sum = 0;
    for (let k = 0; k < m; k++) sum += src[p + k]!;
    dst[q] = sum;
  }
  return out;
}

const depthwiseBackpropInput: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as BackendWasm;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as DepthwiseAttrs & { inputShape: Shape4 };
  const g = conv2dGeometry(a.inputShape, filter.shape, nhwc(a), true);
  const rotated = rotateDepthwiseFilter(backend, filter);
  const perTap = convolveBack(backend, 'DepthwiseConv2dNative', dy, rotated, g);
  backend.disposeData(rotated.dataId);
  const m = filter.shape[3]!;
  if (m === 1) return perTap;
  const dx = sumChannelGroups(backend, perTap, m);
  backend.disposeData(perTap.dataId);
  return dx;
};

const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as DepthwiseAttrs & { filterShape: Shape4 };
  const g = conv2dGeometry(x.shape, a.filterShape, nhwc(a), true);
  const [fh, fw, c, m] = a.filterShape;
  const n = x.shape[0]!;
  const cm = c * m;
  const xs = backend.typedArrayFromHeap(x);
  const dys = backend.typedArrayFromHeap(dy);
  const out = backend.makeOutput(a.filterShape, 'float32');
  const dw = backend.typedArrayFromHeap(out);
  dw.fill(0);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < g.outHeight; y++) {
      for (let xo = 0; xo < g.outWidth; xo++) {
        const dyAt = ((b * g.outHeight + y) * g.outWidth + xo) * cm;
        for (let i = 0; i < fh; i++) {
          const iy = y * g.strideHeight + i - g.padTop;
          if (iy < 0 || iy >= g.inHeight) continue;
          for (let j = 0; j < fw; j++) {
            const ix = xo * g.strideWidth + j - g.padLeft;
            if (ix < 0 || ix >= g.inWidth) continue;
            const xAt = ((b * g.inHeight + iy) * g.inWidth + ix) * c;
            const wAt = (i * fw + j) * cm;
            if (m === 1) {
              for (let ch = 0; ch < c; ch++) dw[wAt + ch]! += xs[xAt + ch]! * dys[dyAt + ch]!;
            } else {
              for (let ch = 0; ch < c; ch++) {
                const xv = xs[xAt + ch]!;
                for (let k = 0; k < m; k++) dw[wAt + ch * m + k]! += xv * dys[dyAt + ch * m + k]!;
              }
            }
          }
        }
      }
    }
  }
  return out;
};

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput,
};

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter,
};
