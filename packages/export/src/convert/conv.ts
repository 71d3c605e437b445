/**
 * Conv2D, DepthwiseConv2D and SeparableConv2D as ONNX Conv on NCHW values. tfjs keeps kernels as
 * [kh, kw, in, out] (depthwise: [kh, kw, in, multiplier]); ONNX wants [out, in/group, kh, kw], with a
 * depthwise conv being a grouped conv whose output channel c·multiplier + m reads input channel c.
 * A BatchNormalization that follows a linear conv is folded into its weights and bias.
 */
import type { BatchNormParams, LayerContext, LayerConverter, Weight } from './context.js';
import {
  foldedBias,
  pair,
  requireChannelsLast,
  requireRank,
  requireWeight,
  singleInput,
  weight,
} from './context.js';
import { fusedActivation } from './activation.js';
import { paddingAttrs } from './padding.js';

/** [kh, kw, ci, co] → [co, ci, kh, kw]. */
export function toOihw(w: Weight): Float32Array {
  const [kh, kw, ci, co] = w.shape as [number, number, number, number];
  const out = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++)
          out[((o * ci + i) * kh + y) * kw + x] = w.data[((y * kw + x) * ci + i) * co + o]!;
  return out;
}

/** Depthwise [kh, kw, ci, m] → [ci·m, 1, kh, kw]. */
export function depthwiseToOihw(w: Weight): Float32Array {
  const [kh, kw, ci, m] = w.shape as [number, number, number, number];
  const out = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let j = 0; j < m; j++)
          out[((i * m + j) * kh + y) * kw + x] = w.data[((y * kw + x) * ci + i) * m + j]!;
  return out;
}

/** Scales each output channel's weights (outer dimension of OIHW) and shifts the bias. */
export function foldIntoOutputs(
  kernel: Float32Array,
  outChannels: number,
  bias: Float32Array | undefined,
  bn: BatchNormParams,
): Float32Array {
  const per = kernel.length / outChannels;
  for (let o = 0; o < outChannels; o++)
    for (let k = 0; k < per; k++) kernel[o * per + k] = kernel[o * per + k]! * bn.scale[o]!;
  return foldedBias(bias, bn, outChannels);
}

interface ConvSpec {
  readonly input: string;
  readonly kernel: Float32Array;
  readonly dims: readonly [number, number, number, number];
  readonly bias: Float32Array | undefined;
  readonly attrs: Parameters<LayerContext['g']['node']>[3];
  readonly base: string;
}

function emitConv(ctx: LayerContext, spec: ConvSpec): string {
  const w = ctx.g.floats(`${spec.base}/kernel`, spec.dims, spec.kernel);
  const inputs = [spec.input, w];
  if (spec.bias) inputs.push(ctx.g.floats(`${spec.base}/bias`, [spec.dims[0]], spec.bias));
  return ctx.g.node('Conv', inputs, spec.base, spec.attrs);
}

/** The bias to write: the layer's, with a claimed BatchNormalization folded into kernel and bias. */
function finalBias(
  ctx: LayerContext,
  kernel: Float32Array,
  outChannels: number,
  useBias: boolean,
): Float32Array | undefined {
  const bias = useBias ? requireWeight(ctx, 'bias').data : undefined;
  const bn = ctx.claimFollowingBatchNorm();
  if (!bn) return bias;
  ctx.note('folded', `${bn.layerName} → ${ctx.layer.name}`);
  return foldIntoOutputs(kernel, outChannels, bias, bn);
}

function windowAttrs(ctx: LayerContext, kernelHw: [number, number]) {
  const x = ctx.inputs[0]!;
  const strides = pair(ctx, 'strides', 1);
  const dilations = pair(ctx, 'dilationRate', 1);
  if ((strides[0] > 1 || strides[1] > 1) && (dilations[0] > 1 || dilations[1] > 1))
    ctx.unsupported('strides > 1 together with dilationRate > 1');
  return {
    kernel_shape: { ints: kernelHw },
    strides: { ints: strides },
    dilations: { ints: dilations },
    ...paddingAttrs(ctx, x.shape, kernelHw, strides, dilations),
  };
}

function prepare(ctx: LayerContext) {
  const x = singleInput(ctx);
  requireRank(ctx, x, [4]);
  requireChannelsLast(ctx);
  return x;
}

export const conv2d: LayerConverter = (ctx) => {
  const x = prepare(ctx);
  const k = requireWeight(ctx, 'kernel');
  const [kh, kw, ci, co] = k.shape as [number, number, number, number];
  const kernel = toOihw(k);
  const bias = finalBias(ctx, kernel, co, ctx.config.useBias !== false);
  const y = emitConv(ctx, {
    input: x.name,
    kernel,
    dims: [co, ci, kh, kw],
    bias,
    attrs: windowAttrs(ctx, [kh, kw]),
    base: ctx.layer.name,
  });
  return fusedActivation(ctx, y, 4);
};

export const depthwiseConv2d: LayerConverter = (ctx) => {
  const x = prepare(ctx);
  const k = requireWeight(ctx, 'depthwise_kernel');
  const [kh, kw, ci, m] = k.shape as [number, number, number, number];
  const kernel = depthwiseToOihw(k);
  const bias = finalBias(ctx, kernel, ci * m, ctx.config.useBias !== false);
  const attrs = { ...windowAttrs(ctx, [kh, kw]), group: { int: ci } };
  const y = emitConv(ctx, {
    input: x.name,
    kernel,
    dims: [ci * m, 1, kh, kw],
    bias,
    attrs,
    base: ctx.layer.name,
  });
  return fusedActivation(ctx, y, 4);
};

export const separableConv2d: LayerConverter = (ctx) => {
  const x = prepare(ctx);
  const d = requireWeight(ctx, 'depthwise_kernel');
  const [kh, kw, ci, m] = d.shape as [number, number, number, number];
  const depthwise = emitConv(ctx, {
    input: x.name,
    kernel: depthwiseToOihw(d),
    dims: [ci * m, 1, kh, kw],
    bias: undefined,
    attrs: { ...windowAttrs(ctx, [kh, kw]), group: { int: ci } },
    base: `${ctx.layer.name}/depthwise`,
  });
  const p = requireWeight(ctx, 'pointwise_kernel');
  const co = p.shape[3]!;
  const pointwise = toOihw(p);
  const bias = finalBias(
    ctx,
    pointwise,
    co,
    weight(ctx.layer, 'bias') !== undefined && ctx.config.useBias !== false,
  );
  const y = emitConv(ctx, {
    input: depthwise,
    kernel: pointwise,
    dims: [co, ci * m, 1, 1],
    bias,
    attrs: { kernel_shape: { ints: [1, 1] }, strides: { ints: [1, 1] }, pads: { ints: [0, 0, 0, 0] } },
    base: `${ctx.layer.name}/pointwise`,
  });
  return fusedActivation(ctx, y, 4);
};
