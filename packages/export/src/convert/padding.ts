/**
 * tfjs 'same' / 'valid' padding as ONNX pads. TensorFlow's 'same' pads so that out = ceil(in / stride)
 * and puts the odd extra pixel after (bottom/right). With static spatial sizes the exact pads are
 * written; with dynamic ones ONNX's SAME_UPPER means the same thing, but onnxruntime refuses it for a
 * dilated window at run time, so that case is refused here.
 */
import type { AttrValue } from '../onnx/proto.js';
import type { LayerContext, Shape } from './context.js';

/** TensorFlow 'same' pads of one spatial axis: [before, after], the odd pixel after. */
export function samePads(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Padding attributes for a window of `kernel` over the NHWC `input`. */
export function paddingAttrs(
  ctx: LayerContext,
  input: Shape,
  kernel: readonly [number, number],
  strides: readonly [number, number],
  dilations: readonly [number, number] = [1, 1],
): Record<string, AttrValue> {
  const padding = ctx.config.padding ?? 'valid';
  if (padding === 'valid') return { pads: { ints: [0, 0, 0, 0] } };
  if (padding !== 'same')
    return ctx.unsupported(`padding ${JSON.stringify(padding)} (only "same" and "valid")`);
  const [h, w] = [input[1], input[2]];
  if (typeof h !== 'number' || typeof w !== 'number') {
    if (dilations.some((d) => d > 1))
      return ctx.unsupported('"same" padding of a dilated window on an image of unknown size');
    return { auto_pad: { string: 'SAME_UPPER' } };
  }
  const [top, bottom] = samePads(h, kernel[0], strides[0], dilations[0]);
  const [left, right] = samePads(w, kernel[1], strides[1], dilations[1]);
  return { pads: { ints: [top, left, bottom, right] } };
}
