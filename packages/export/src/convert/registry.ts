/**
 * Which tfjs layer class is converted by what. Layers that only act while training (dropout and
 * noise) are dropped; everything not listed here is refused by name, so an export never silently
 * produces a graph that computes something else.
 */
import { activationLayer, eluLayer, leakyReluLayer, reluLayer, softmaxLayer } from './activation.js';
import { option, requireChannelsLast, requireRank, singleInput, type LayerConverter } from './context.js';
import { conv2d, depthwiseConv2d, separableConv2d } from './conv.js';
import { dense, flatten } from './dense.js';
import { add, average, concatenate, maximum, minimum, multiply } from './merge.js';
import { batchNormalization } from './normalization.js';
import { averagePooling2d, globalAveragePooling2d, globalMaxPooling2d, maxPooling2d } from './pool.js';

/** Layers that are the identity at inference. */
export const INFERENCE_IDENTITY = new Set([
  'Dropout',
  'SpatialDropout1D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
]);

const zeroPadding2d: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  requireRank(ctx, x, [4]);
  requireChannelsLast(ctx);
  const p = option<number[][]>(ctx, 'padding');
  if (!Array.isArray(p) || p.length !== 2) return ctx.unsupported(`padding ${JSON.stringify(p)}`);
  const [[top, bottom], [left, right]] = p as [[number, number], [number, number]];
  const pads = ctx.g.int64s(`${ctx.layer.name}/pads`, [0, 0, top, left, 0, 0, bottom, right]);
  return ctx.g.node('Pad', [x.name, pads], ctx.layer.name, { mode: { string: 'constant' } });
};

/**
 * MirrorImage (train's mirror-layer.ts): the width axis reversed, as a Gather of the columns W−1 … 0
 * on NCHW's W. Not a Slice with step −1: onnxruntime-web's WebGPU kernels mis-size that slice (one
 * column short), and the mirrored member's first dense layer then fails with "dimension mismatch".
 */
const mirrorImage: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  requireRank(ctx, x, [4]);
  const width = x.shape[2];
  if (typeof width !== 'number') return ctx.unsupported('an image of unknown width');
  const columns = ctx.g.int64s(
    `${ctx.layer.name}/columns`,
    Array.from({ length: width }, (_, i) => width - 1 - i),
  );
  return ctx.g.node('Gather', [x.name, columns], ctx.layer.name, { axis: { int: 3 } });
};

export const CONVERTERS: Readonly<Record<string, LayerConverter>> = {
  MirrorImage: mirrorImage,
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
  MaxPooling2D: maxPooling2d,
  AveragePooling2D: averagePooling2d,
  GlobalAveragePooling2D: globalAveragePooling2d,
  GlobalMaxPooling2D: globalMaxPooling2d,
  ZeroPadding2D: zeroPadding2d,
  BatchNormalization: batchNormalization,
  Dense: dense,
  Flatten: flatten,
  Activation: activationLayer,
  ReLU: reluLayer,
  LeakyReLU: leakyReluLayer,
  ELU: eluLayer,
  Softmax: softmaxLayer,
  Add: add,
  Concatenate: concatenate,
  Multiply: multiply,
  Average: average,
  Maximum: maximum,
  Minimum: minimum,
};

export const SUPPORTED_LAYERS: readonly string[] = [...Object.keys(CONVERTERS), ...INFERENCE_IDENTITY].sort();
