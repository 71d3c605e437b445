/**
 * The element-wise and shape ops of a TensorFlow graph on the exporter's layout (rank 4 = NCHW in the
 * graph, TF shapes alongside): AddV2, Relu, Identity, Pad (any axis, the channel one included — a
 * residual branch widened with zero channels), MaxPool, and Reshape, which goes back to NHWC first
 * because TF flattens in NHWC order.
 */
import { intListAttr } from './graph-model.js';
import { requireNhwc, windowAttrs, type GraphValue, type OpConverter } from './op-context.js';

/** NHWC axis → NCHW axis, for rank-4 values. */
const NCHW_AXIS = [0, 2, 3, 1] as const;

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

export const addV2: OpConverter = (ctx) => {
  const [a, b] = [ctx.value(0), ctx.value(1)];
  // Broadcasting would need its own layout rules; the graphs converted here add equal shapes.
  if (!sameShape(a.shape, b.shape))
    ctx.unsupported(
      `operands of shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] (only equal shapes)`,
    );
  return { name: ctx.g.node('Add', [a.name, b.name], ctx.base), shape: a.shape };
};

export const relu: OpConverter = (ctx) => {
  const x = ctx.value(0);
  return { name: ctx.g.node('Relu', [x.name], ctx.base), shape: x.shape };
};

export const identity: OpConverter = (ctx) => ctx.value(0);

/** TF Pad: zeros, `paddings` an int32 [rank, 2] Const of (before, after) per TF axis. */
export const pad: OpConverter = (ctx) => {
  const x = ctx.value(0);
  const paddings = ctx.constant(1);
  const rank = x.shape.length;
  if (paddings.dtype !== 'int32' || paddings.data.length !== rank * 2)
    ctx.unsupported(`paddings ${paddings.dtype} [${paddings.shape.join(', ')}] for a rank-${rank} input`);
  const p = Array.from(paddings.data);
  if (p.some((v) => v < 0)) ctx.unsupported(`negative paddings [${p.join(', ')}]`);
  const onnxAxisOf = (tfAxis: number) => (rank === 4 ? NCHW_AXIS[tfAxis]! : tfAxis);
  const begins = new Array<number>(rank).fill(0);
  const ends = new Array<number>(rank).fill(0);
  for (let a = 0; a < rank; a++) {
    begins[onnxAxisOf(a)] = p[2 * a]!;
    ends[onnxAxisOf(a)] = p[2 * a + 1]!;
  }
  const pads = ctx.g.int64s(`${ctx.base}/pads`, [...begins, ...ends]);
  const y = ctx.g.node('Pad', [x.name, pads], ctx.base, { mode: { string: 'constant' } });
  return { name: y, shape: x.shape.map((d, a) => d + p[2 * a]! + p[2 * a + 1]!) };
};

/** TF MaxPool: SAME padding never wins a max, which is also how ONNX MaxPool treats its pads. */
export const maxPool: OpConverter = (ctx) => {
  requireNhwc(ctx);
  const x = ctx.value(0);
  if (x.shape.length !== 4) ctx.unsupported(`input rank ${x.shape.length} (expected 4)`);
  const ksize = intListAttr(ctx.node, 'ksize');
  if (!ksize || ksize.length !== 4 || ksize[0] !== 1 || ksize[3] !== 1)
    return ctx.unsupported(`ksize ${JSON.stringify(ksize)} (expected [1, h, w, 1])`);
  const window = windowAttrs(ctx, x.shape, [ksize[1]!, ksize[2]!]);
  const y = ctx.g.node('MaxPool', [x.name], ctx.base, window.attrs);
  return { name: y, shape: [x.shape[0]!, ...window.out, x.shape[3]!] };
};

/**
 * TF Reshape on the NHWC element order: a rank-4 input is transposed back to NHWC first, and a rank-4
 * result is transposed to NCHW after, so the values land where TensorFlow puts them.
 */
export const reshape: OpConverter = (ctx) => {
  const x = ctx.value(0);
  const target = ctx.constant(1);
  if (target.dtype !== 'int32' || target.shape.length !== 1) ctx.unsupported('shape is not an int32 vector');
  const size = x.shape.reduce((a, b) => a * b, 1);
  const dims = Array.from(target.data);
  const known = dims.reduce((a, d) => (d === -1 ? a : a * d), 1);
  const shape = dims.map((d) => (d === -1 ? size / known : d));
  if (dims.filter((d) => d === -1).length > 1 || shape.some((d) => !Number.isInteger(d) || d < 0))
    ctx.unsupported(`shape [${dims.join(', ')}] for an input of ${size} values`);
  if (shape.reduce((a, b) => a * b, 1) !== size)
    ctx.unsupported(`shape [${dims.join(', ')}] does not hold the input's ${size} values`);
  let input = x.name;
  if (x.shape.length === 4)
    input = ctx.g.node('Transpose', [input], `${ctx.base}/nhwc`, { perm: { ints: [0, 2, 3, 1] } });
  const dimsName = ctx.g.int64s(`${ctx.base}/shape`, shape);
  let y = ctx.g.node('Reshape', [input, dimsName], ctx.base);
  if (shape.length === 4)
    y = ctx.g.node('Transpose', [y], `${ctx.base}/nchw`, { perm: { ints: [0, 3, 1, 2] } });
  return { name: y, shape } satisfies GraphValue;
};
