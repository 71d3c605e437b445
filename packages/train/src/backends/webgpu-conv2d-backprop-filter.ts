/**
 * Conv2DBackpropFilter for tfjs-backend-webgpu, with its reduction spread over the GPU.
 *
 * The filter gradient sums over every sample and output position: dW[r, c, i, o] = Σ_{b, y, x}
 * input[b, y·s + r − pad, x·s + c − pad, i] · dy[b, y, x, o]. tfjs-webgpu's own kernel gives each
 * filter element one invocation that walks that whole sum alone — for the first layer of our networks
 * (3×3×1×8: 72 invocations) at batch 128, 295k multiply-adds in a row per invocation, so the GPU runs
 * 72 threads and the kernel's time grows with the batch. On the H200 the seed network's webgpu step
 * did grow in step with the batch (26 ms at 32, 104 ms at 128) and trained slower than wasm.
 *
 * Here the sum is cut into chunks: invocation (element, chunk) adds one chunk's terms — enough
 * invocations to fill the GPU — into a [filter elements, chunks] buffer, and tfjs's Sum (a
 * workgroup-parallel reduction) adds the chunks. Two dispatches instead of one, each fully parallel.
 * Channels-last only (what tfjs-layers trains with); anything else goes to the backend's own kernel.
 * Installed, with the fused Adam step, by webgpu.ts through kernel-install.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { KernelOverride } from './kernel-install.js';
import { FlatProgram, type DispatchUtil } from './webgpu-flat-program.js';

/** About this many invocations per dispatch keep a large GPU busy; small ones just queue them. */
const TARGET_INVOCATIONS = 1 << 17;
/** Fewer terms per invocation than this and the partial sums cost more than they save. */
const MIN_CHUNK = 32;

/** How the sum over `terms` (batch × output rows × output columns) is cut for `elements` outputs. */
export function chunking(terms: number, elements: number): { chunks: number; chunkLength: number } {
  const wanted = Math.max(
    1,
    Math.min(Math.ceil(terms / MIN_CHUNK), Math.ceil(TARGET_INVOCATIONS / elements)),
  );
  const chunkLength = Math.ceil(terms / wanted);
  return { chunks: Math.ceil(terms / chunkLength), chunkLength };
}

/** One invocation per (filter element, chunk); writes the chunk's partial sum at [element, chunk]. */
class FilterGradPartialsProgram extends FlatProgram {
  readonly variableNames = ['x', 'dy'];
  readonly uniforms =
    'pads : vec2<i32>, strides : vec2<i32>, filterWidth : i32, chunks : i32, chunkLength : i32,';
  readonly shaderKey = 'facekitConv2DFilterGradPartials';

  constructor(util: DispatchUtil, elements: number, chunks: number) {
    super(util, [elements, chunks]);
  }

  getUserCode(): string {
    // Neighbouring invocations take neighbouring output channels of one chunk: they read one input
    // value and consecutive dy values.
    return `
    fn main(index : i32) {
      if (index >= uniforms.size) { return; }
      let inH = uniforms.xShape[1];
      let inW = uniforms.xShape[2];
      let inC = uniforms.xShape[3];
      let outH = uniforms.dyShape[1];
      let outW = uniforms.dyShape[2];
      let outC = uniforms.dyShape[3];
      let elements = uniforms.outShape[0];
      let element = index % elements;
      let chunk = index / elements;
      let o = element % outC;
      let i = (element / outC) % inC;
      let c = (element / (outC * inC)) % uniforms.filterWidth;
      let r = element / (outC * inC * uniforms.filterWidth);
      let terms = uniforms.dyShape[0] * outH * outW;
      let start = chunk * uniforms.chunkLength;
      let end = min(start + uniforms.chunkLength, terms);
      var b = start / (outH * outW);
      var yR = (start / outW) % outH;
      var yC = start % outW;
      var sum = 0.0;
      for (var t = start; t < end; t = t + 1) {
        let xR = yR * uniforms.strides.x + r - uniforms.pads.x;
        let xC = yC * uniforms.strides.y + c - uniforms.pads.y;
        if (xR >= 0 && xR < inH && xC >= 0 && xC < inW) {
          sum = sum + x[((b * inH + xR) * inW + xC) * inC + i] * dy[t * outC + o];
        }
        yC = yC + 1;
        if (yC == outW) {
          yC = 0;
          yR = yR + 1;
          if (yR == outH) {
            yR = 0;
            b = b + 1;
          }
        }
      }
      setOutputAtIndex(element * uniforms.chunks + chunk, sum);
    }
  `;
  }
}

/** Given the backend's own Conv2DBackpropFilter, the chunked one (which falls back to it). */
export const chunkedConv2DBackpropFilter =
  (util: DispatchUtil): KernelOverride =>
  (original) =>
  (args) => {
    const { inputs, attrs } = args;
    const backend = args.backend as WebGPUBackend;
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
      attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (dataFormat !== 'NHWC' || x.dtype !== 'float32' || dy.dtype !== 'float32') return original(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const elements = tf.util.sizeFromShape(filterShape);
    const terms = info.batchSize * info.outHeight * info.outWidth;
    const { chunks, chunkLength } = chunking(terms, elements);
    const partials = backend.runWebGPUProgram(
      new FilterGradPartialsProgram(util, elements, chunks),
      [x, dy],
      'float32',
      [
        { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
        { type: 'int32', data: [info.strideHeight, info.strideWidth] },
        { type: 'int32', data: [info.filterWidth] },
        { type: 'int32', data: [chunks] },
        { type: 'int32', data: [chunkLength] },
      ],
    );
    if (chunks === 1) return { dataId: partials.dataId, shape: filterShape, dtype: 'float32' };
    const sum = tf.getKernel('Sum', 'webgpu')!.kernelFunc({
      inputs: { x: partials },
      backend,
      attrs: { axis: [1], keepDims: false },
    }) as TensorInfo;
    backend.disposeData(partials.dataId);
    return { dataId: sum.dataId, shape: filterShape, dtype: 'float32' };
  };
