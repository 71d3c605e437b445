/**
 * TensorFlow's convolutions as ONNX Conv on NCHW values: `_FusedConv2D` (Grappler's fusion of Conv2D
 * with BiasAdd and, optionally, Relu) and `DepthwiseConv2dNative` (a grouped Conv, one group per
 * input channel). The kernels are TF's HWIO / HW·C·M, reordered by the Layers exporter's own helpers.
 */
import { depthwiseToOihw, toOihw } from '../convert/conv.js';
import { intAttr, stringListAttr } from './graph-model.js';
import { requireNhwc, windowAttrs, type GraphValue, type OpContext, type OpConverter } from './op-context.js';

/** The NHWC input and the 4-D kernel of a convolution node, checked against each other. */
function operands(ctx: OpContext) {
  requireNhwc(ctx);
  const x = ctx.value(0);
  if (x.shape.length !== 4) ctx.unsupported(`input rank ${x.shape.length} (expected 4)`);
  const filter = ctx.constant(1);
  if (filter.shape.length !== 4 || filter.dtype !== 'float32')
    ctx.unsupported(
      `filter ${filter.dtype} [${filter.shape.join(', ')}] (expected float32 [kh, kw, in, out])`,
    );
  if (filter.shape[2] !== x.shape[3])
    ctx.unsupported(`filter for ${filter.shape[2]} channels on an input of ${x.shape[3]}`);
  const kernel = { shape: filter.shape, data: filter.data as Float32Array };
  const [kh, kw] = filter.shape as [number, number];
  return { x, kernel, window: windowAttrs(ctx, x.shape, [kh, kw]) };
}

export const fusedConv2d: OpConverter = (ctx) => {
  const { x, kernel, window } = operands(ctx);
  const [kh, kw, ci, co] = kernel.shape as [number, number, number, number];
  const fused = stringListAttr(ctx.node, 'fused_ops');
  // Only the fusions Grappler makes for a conv + bias (+ relu): anything else would be approximated.
  if (fused[0] !== 'BiasAdd' || fused.length > 2 || (fused.length === 2 && fused[1] !== 'Relu'))
    ctx.unsupported(`fused_ops [${fused.join(', ')}] (supported: BiasAdd, BiasAdd + Relu)`);
  const numArgs = intAttr(ctx.node, 'num_args') ?? 0;
  if (numArgs !== 1 || ctx.inputCount !== 3)
    ctx.unsupported(`num_args ${numArgs} with ${ctx.inputCount} inputs`);
  const bias = ctx.constant(2);
  if (bias.dtype !== 'float32' || bias.data.length !== co)
    ctx.unsupported(`bias of ${bias.data.length} for ${co} filters`);
  const w = ctx.g.floats(`${ctx.base}/kernel`, [co, ci, kh, kw], toOihw(kernel));
  const b = ctx.g.floats(`${ctx.base}/bias`, [co], bias.data as Float32Array);
  let y = ctx.g.node('Conv', [x.name, w, b], ctx.base, window.attrs);
  if (fused[1] === 'Relu') y = ctx.g.node('Relu', [y], ctx.base);
  return { name: y, shape: [x.shape[0]!, ...window.out, co] };
};

export const depthwiseConv2dNative: OpConverter = (ctx) => {
  if (ctx.inputCount !== 2) ctx.unsupported(`${ctx.inputCount} inputs (expected 2)`);
  const { x, kernel, window } = operands(ctx);
  const [kh, kw, ci, m] = kernel.shape as [number, number, number, number];
  const w = ctx.g.floats(`${ctx.base}/kernel`, [ci * m, 1, kh, kw], depthwiseToOihw(kernel));
  const y = ctx.g.node('Conv', [x.name, w], ctx.base, { ...window.attrs, group: { int: ci } });
  return { name: y, shape: [x.shape[0]!, ...window.out, ci * m] } satisfies GraphValue;
};
