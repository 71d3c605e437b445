/**
 * Merge layers of functional models: Add (residual connections), Concatenate, and the element-wise
 * Multiply / Average / Maximum / Minimum. Inputs must share one shape (no broadcasting between
 * ranks); a concatenation axis is translated from NHWC to the graph's NCHW.
 */
import { formatShape, onnxAxis, option, type LayerContext, type LayerConverter } from './context.js';

function sameShapes(ctx: LayerContext): void {
  if (ctx.inputs.length < 2) ctx.unsupported(`${ctx.inputs.length} input(s) (expected at least 2)`);
  const first = JSON.stringify(ctx.inputs[0]!.shape);
  for (const x of ctx.inputs) {
    if (JSON.stringify(x.shape) !== first)
      ctx.unsupported(
        `inputs of different shapes ${ctx.inputs.map((v) => formatShape(v.shape)).join(' and ')}`,
      );
  }
}

function variadic(op: 'Sum' | 'Mean' | 'Max' | 'Min'): LayerConverter {
  return (ctx) => {
    sameShapes(ctx);
    return ctx.g.node(
      op,
      ctx.inputs.map((x) => x.name),
      ctx.layer.name,
    );
  };
}

export const add = variadic('Sum');
export const average = variadic('Mean');
export const maximum = variadic('Max');
export const minimum = variadic('Min');

export const multiply: LayerConverter = (ctx) => {
  sameShapes(ctx);
  let y = ctx.inputs[0]!.name;
  for (const x of ctx.inputs.slice(1)) y = ctx.g.node('Mul', [y, x.name], ctx.layer.name);
  return y;
};

export const concatenate: LayerConverter = (ctx) => {
  if (ctx.inputs.length < 2) ctx.unsupported(`${ctx.inputs.length} input(s) (expected at least 2)`);
  const rank = ctx.inputs[0]!.shape.length;
  if (ctx.inputs.some((x) => x.shape.length !== rank)) ctx.unsupported('inputs of different ranks');
  const axis = onnxAxis(ctx, option<number>(ctx, 'axis') ?? -1, rank);
  return ctx.g.node(
    'Concat',
    ctx.inputs.map((x) => x.name),
    ctx.layer.name,
    { axis: { int: axis } },
  );
};
