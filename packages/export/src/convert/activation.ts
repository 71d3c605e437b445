/**
 * tfjs activations (fused into a layer or as Activation / ReLU / LeakyReLU / ELU / Softmax layers) as
 * ONNX nodes. Each mapping reproduces tfjs's formula exactly, constants included (relu6 is a Clip to
 * [0, 6], hardSigmoid is 0.2·x + 0.5 clipped); anything else is refused rather than approximated.
 */
import type { GraphBuilder } from '../onnx/graph-builder.js';
import { onnxAxis, option, singleInput, type LayerContext, type LayerConverter } from './context.js';

export const ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'sigmoid',
  'hardSigmoid',
  'tanh',
  'softmax',
  'softplus',
  'softsign',
  'swish',
  'mish',
] as const;

/** Applies the tfjs activation `fn` to `input` (a value of `rank`); returns the output name. */
export function applyActivation(
  ctx: LayerContext,
  g: GraphBuilder,
  input: string,
  fn: unknown,
  rank: number,
  base: string,
): string {
  switch (fn ?? 'linear') {
    case 'linear':
      return input;
    case 'relu':
      return g.node('Relu', [input], base);
    case 'relu6':
      return g.node('Clip', [input, g.scalar(0), g.scalar(6)], base);
    case 'elu':
      return g.node('Elu', [input], base, { alpha: { float: 1 } });
    case 'selu':
      return g.node('Selu', [input], base);
    case 'sigmoid':
      return g.node('Sigmoid', [input], base);
    case 'hardSigmoid':
      return g.node('HardSigmoid', [input], base, { alpha: { float: 0.2 }, beta: { float: 0.5 } });
    case 'tanh':
      return g.node('Tanh', [input], base);
    case 'softmax':
      return g.node('Softmax', [input], base, { axis: { int: onnxAxis(ctx, -1, rank) } });
    case 'softplus':
      return g.node('Softplus', [input], base);
    case 'softsign':
      return g.node('Softsign', [input], base);
    case 'swish':
      return g.node('Mul', [input, g.node('Sigmoid', [input], base)], base);
    case 'mish':
      return g.node('Mul', [input, g.node('Tanh', [g.node('Softplus', [input], base)], base)], base);
    default:
      return ctx.unsupported(`activation ${JSON.stringify(fn)}; supported: ${ACTIVATIONS.join(', ')}`);
  }
}

/** The activation a layer fuses after its linear part (`activation` option). */
export function fusedActivation(ctx: LayerContext, input: string, rank: number): string {
  return applyActivation(ctx, ctx.g, input, option(ctx, 'activation'), rank, ctx.layer.name);
}

export const activationLayer: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  return applyActivation(ctx, ctx.g, x.name, option(ctx, 'activation'), x.shape.length, ctx.layer.name);
};

export const reluLayer: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  const max = option<number | null>(ctx, 'maxValue');
  if (max == null) return ctx.g.node('Relu', [x.name], ctx.layer.name);
  return ctx.g.node('Clip', [x.name, ctx.g.scalar(0), ctx.g.scalar(max)], ctx.layer.name);
};

export const leakyReluLayer: LayerConverter = (ctx) =>
  ctx.g.node('LeakyRelu', [singleInput(ctx).name], ctx.layer.name, {
    alpha: { float: option<number>(ctx, 'alpha') ?? 0.3 },
  });

export const eluLayer: LayerConverter = (ctx) =>
  ctx.g.node('Elu', [singleInput(ctx).name], ctx.layer.name, {
    alpha: { float: option<number>(ctx, 'alpha') ?? 1 },
  });

export const softmaxLayer: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  const axis = onnxAxis(ctx, option<number>(ctx, 'axis') ?? 1, x.shape.length);
  return ctx.g.node('Softmax', [x.name], ctx.layer.name, { axis: { int: axis } });
};
