/**
 * Pooling layers on NCHW values. tfjs pools with TensorFlow's rules: 'same' max pooling ignores the
 * padding and 'same' average pooling divides by the number of real pixels under the window, which
 * is ONNX's MaxPool and AveragePool with count_include_pad = 0; global pools end flat ([N, C]).
 */
import {
  pair,
  requireChannelsLast,
  requireRank,
  singleInput,
  type LayerContext,
  type LayerConverter,
} from './context.js';
import { paddingAttrs } from './padding.js';

function pool(op: 'MaxPool' | 'AveragePool'): LayerConverter {
  return (ctx: LayerContext) => {
    const x = singleInput(ctx);
    requireRank(ctx, x, [4]);
    requireChannelsLast(ctx);
    const size = pair(ctx, 'poolSize', 2);
    const strides = pair(ctx, 'strides', size[0]);
    const attrs = {
      kernel_shape: { ints: size },
      strides: { ints: strides },
      ...paddingAttrs(ctx, x.shape, size, strides),
    };
    if (op === 'AveragePool') Object.assign(attrs, { count_include_pad: { int: 0 } });
    return ctx.g.node(op, [x.name], ctx.layer.name, attrs);
  };
}

function globalPool(op: 'GlobalAveragePool' | 'GlobalMaxPool'): LayerConverter {
  return (ctx: LayerContext) => {
    const x = singleInput(ctx);
    requireRank(ctx, x, [4]);
    requireChannelsLast(ctx);
    if (ctx.config.keepDims === true) ctx.unsupported('keepDims: true');
    const pooled = ctx.g.node(op, [x.name], ctx.layer.name);
    return ctx.g.node('Flatten', [pooled], ctx.layer.name, { axis: { int: 1 } });
  };
}

export const maxPooling2d = pool('MaxPool');
export const averagePooling2d = pool('AveragePool');
export const globalAveragePooling2d = globalPool('GlobalAveragePool');
export const globalMaxPooling2d = globalPool('GlobalMaxPool');
