/**
 * BatchNormalization in inference mode: y = (x − mean) · gamma / sqrt(variance + epsilon) + beta,
 * per channel. `batchNormParams` turns a layer into that multiplier and offset (used for folding into
 * a preceding conv or dense layer); a BatchNormalization that cannot be folded becomes Mul + Add.
 */
import type * as tf from '@tensorflow/tfjs';
import { requireRank, singleInput, weight, type BatchNormParams, type LayerConverter } from './context.js';

/** Why this BatchNormalization cannot be expressed per channel, or undefined when it can. */
export function batchNormProblem(layer: tf.layers.Layer, rank: number): string | undefined {
  const axis = layer.getConfig().axis as number | number[] | undefined;
  const a = Array.isArray(axis) ? axis : [axis ?? -1];
  if (a.length !== 1 || (a[0] !== -1 && a[0] !== rank - 1))
    return `axis ${JSON.stringify(axis)} (only the channel axis, -1)`;
  return undefined;
}

export function batchNormParams(layer: tf.layers.Layer): BatchNormParams {
  const mean = weight(layer, 'moving_mean');
  const variance = weight(layer, 'moving_variance');
  if (!mean || !variance) throw new Error(`BatchNormalization ${layer.name} has no moving statistics`);
  const gamma = weight(layer, 'gamma')?.data;
  const beta = weight(layer, 'beta')?.data;
  const epsilon = (layer.getConfig().epsilon as number | undefined) ?? 1e-3;
  const n = mean.data.length;
  const scale = new Float64Array(n);
  const shift = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    scale[c] = (gamma?.[c] ?? 1) / Math.sqrt(variance.data[c]! + epsilon);
    shift[c] = (beta?.[c] ?? 0) - mean.data[c]! * scale[c]!;
  }
  return { scale, shift, layerName: layer.name };
}

export const batchNormalization: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  requireRank(ctx, x, [2, 4]);
  const problem = batchNormProblem(ctx.layer, x.shape.length);
  if (problem) ctx.unsupported(problem);
  const { scale, shift } = batchNormParams(ctx.layer);
  const dims = x.shape.length === 4 ? [scale.length, 1, 1] : [scale.length];
  const mul = ctx.g.node(
    'Mul',
    [x.name, ctx.g.floats(`${ctx.layer.name}/scale`, dims, new Float32Array(scale))],
    ctx.layer.name,
  );
  return ctx.g.node(
    'Add',
    [mul, ctx.g.floats(`${ctx.layer.name}/shift`, dims, new Float32Array(shift))],
    ctx.layer.name,
  );
};
