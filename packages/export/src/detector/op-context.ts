/**
 * What a TensorFlow-op converter sees: its node, its converted inputs (ONNX values with their TF
 * shapes; the layout rule is the Layers exporter's — rank-4 values are NCHW inside the ONNX graph),
 * its Const inputs as data, and helpers for the NHWC window attributes (strides, dilations, SAME /
 * VALID) that convolutions and pooling share.
 */
import { UnsupportedLayerError } from '@facekit/core';
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { AttrValue } from '../onnx/proto.js';
import { samePads } from '../convert/padding.js';
import { intListAttr, stringAttr, type ConstTensor, type TfNode } from './graph-model.js';

/** An ONNX value with its TensorFlow shape (all dimensions known: the detector's input is fixed). */
export interface GraphValue {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface OpContext {
  readonly node: TfNode;
  /** The base of the ONNX names this node's values get: its name without the Keras wrapper scopes. */
  readonly base: string;
  readonly g: GraphBuilder;
  /** The node's input `index` as a converted value; refused if it is a Const. */
  value(index: number): GraphValue;
  /** The node's input `index` as a Const's data; refused if it is computed. */
  constant(index: number): ConstTensor;
  /** How many (data) inputs the node has. */
  readonly inputCount: number;
  /** Throws UnsupportedLayerError naming this node and op. */
  unsupported(reason: string): never;
}

export type OpConverter = (ctx: OpContext) => GraphValue;

/**
 * A TF node name as an ONNX name base: Keras's saved-model wrappers (`StatefulPartitionedCall/`,
 * `functional_1/`) dropped, as every node carries them (25 KiB, 4% of the detector file).
 */
export const onnxBase = (name: string): string =>
  name.replace(/^StatefulPartitionedCall\//, '').replace(/^(functional|model|sequential)(_\d+)?\//, '');

export function unsupportedNode(node: TfNode, reason: string): never {
  throw new UnsupportedLayerError(node.name, node.op, reason);
}

/** Refuses anything but NHWC (TensorFlow's default, and the only layout tfjs converts). */
export function requireNhwc(ctx: OpContext): void {
  const format = stringAttr(ctx.node, 'data_format') ?? 'NHWC';
  if (format !== 'NHWC') ctx.unsupported(`data_format ${format} (only NHWC)`);
}

/** The H and W entries of a 4-entry NHWC list attribute (strides, dilations, ksize); N and C must be 1. */
export function spatialPair(ctx: OpContext, key: string, fallback: number): [number, number] {
  const list = intListAttr(ctx.node, key);
  if (list === undefined || list.length === 0) return [fallback, fallback];
  if (list.length !== 4 || list[0] !== 1 || list[3] !== 1)
    ctx.unsupported(`${key} [${list.join(', ')}] (expected [1, h, w, 1])`);
  return [list[1]!, list[2]!];
}

export interface Window {
  readonly attrs: Record<string, AttrValue>;
  /** Output [h, w]. */
  readonly out: [number, number];
}

/**
 * ONNX window attributes for a `kernel` sliding over the NHWC `shape` with the node's strides,
 * dilations and padding. TF's SAME puts the odd padding pixel after (bottom/right), so the pads are
 * written out explicitly rather than trusting an auto_pad mode.
 */
export function windowAttrs(
  ctx: OpContext,
  shape: readonly number[],
  kernel: readonly [number, number],
  strideKey = 'strides',
): Window {
  const strides = spatialPair(ctx, strideKey, 1);
  const dilations = spatialPair(ctx, 'dilations', 1);
  const padding = stringAttr(ctx.node, 'padding');
  const [h, w] = [shape[1]!, shape[2]!];
  let pads: [number, number, number, number];
  if (padding === 'SAME') {
    const [top, bottom] = samePads(h, kernel[0], strides[0], dilations[0]);
    const [left, right] = samePads(w, kernel[1], strides[1], dilations[1]);
    pads = [top, left, bottom, right];
  } else if (padding === 'VALID') pads = [0, 0, 0, 0];
  else return ctx.unsupported(`padding ${JSON.stringify(padding)} (only SAME and VALID)`);
  const size = (n: number, axis: 0 | 1) => {
    const span = (kernel[axis] - 1) * dilations[axis] + 1;
    return Math.floor((n + pads[axis] + pads[axis + 2]! - span) / strides[axis]) + 1;
  };
  const out: [number, number] = [size(h, 0), size(w, 1)];
  if (out[0] < 1 || out[1] < 1) ctx.unsupported(`window larger than its ${h}×${w} input`);
  return {
    attrs: {
      kernel_shape: { ints: kernel },
      strides: { ints: strides },
      dilations: { ints: dilations },
      pads: { ints: pads },
    },
    out,
  };
}
