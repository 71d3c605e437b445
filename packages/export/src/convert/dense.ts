/**
 * Dense and Flatten. Flatten is where layouts meet: tfjs flattens NHWC in (h, w, c) order, so an
 * NCHW value is transposed back to NHWC before ONNX's Flatten — otherwise the following Dense
 * weights read a scrambled vector (the classic silent bug). The transpose is skipped only when it
 * cannot change the order (one channel, or a 1×1 map). A folded BatchNormalization scales Dense columns.
 */
import { fusedActivation } from './activation.js';
import {
  foldedBias,
  formatShape,
  requireChannelsLast,
  requireRank,
  requireWeight,
  singleInput,
  type LayerConverter,
} from './context.js';

export const flatten: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  requireRank(ctx, x, [2, 4]);
  if (x.shape.length === 2) return x.name;
  requireChannelsLast(ctx);
  const [, h, w, c] = x.shape;
  if (typeof h !== 'number' || typeof w !== 'number' || typeof c !== 'number')
    return ctx.unsupported(`a dynamic spatial shape ${formatShape(x.shape)}`);
  const ordered =
    c === 1 || h * w === 1
      ? x.name
      : ctx.g.node('Transpose', [x.name], `${ctx.layer.name}/to_nhwc`, { perm: { ints: [0, 2, 3, 1] } });
  return ctx.g.node('Flatten', [ordered], ctx.layer.name, { axis: { int: 1 } });
};

export const dense: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  requireRank(ctx, x, [2]);
  const k = requireWeight(ctx, 'kernel');
  const [inputs, units] = k.shape as [number, number];
  const kernel = new Float32Array(k.data);
  let bias = ctx.config.useBias === false ? undefined : requireWeight(ctx, 'bias').data;
  const bn = ctx.claimFollowingBatchNorm();
  if (bn) {
    ctx.note('folded', `${bn.layerName} → ${ctx.layer.name}`);
    for (let i = 0; i < inputs; i++)
      for (let u = 0; u < units; u++) kernel[i * units + u] = kernel[i * units + u]! * bn.scale[u]!;
    bias = foldedBias(bias, bn, units);
  }
  const w = ctx.g.floats(`${ctx.layer.name}/kernel`, [inputs, units], kernel);
  const y = bias
    ? ctx.g.node('Gemm', [x.name, w, ctx.g.floats(`${ctx.layer.name}/bias`, [units], bias)], ctx.layer.name)
    : ctx.g.node('MatMul', [x.name, w], ctx.layer.name);
  return fusedActivation(ctx, y, 2);
};
