/**
 * The vocabulary shared by every layer converter: what a converted value is (an ONNX value name plus
 * its tfjs NHWC shape, which tells the layout), what a converter gets to see, and small helpers for
 * reading layer options and weights. The layout rule of the whole exporter lives here: rank-4 values
 * are NCHW inside the ONNX graph, rank-2 values are [N, features].
 */
import type * as tf from '@tensorflow/tfjs';
import type { GraphBuilder } from '../onnx/graph-builder.js';

export type Shape = readonly (number | null)[];

export interface Value {
  /** ONNX value name. */
  readonly name: string;
  /** The tfjs shape, NHWC for images, batch first. In the graph a rank-4 value is NCHW. */
  readonly shape: Shape;
}

export interface BatchNormParams {
  /** Per-channel multiplier gamma / sqrt(variance + epsilon) and offset beta − mean · multiplier. */
  readonly scale: Float64Array;
  readonly shift: Float64Array;
  readonly layerName: string;
}

/**
 * The bias of a layer whose `channels` outputs a BatchNormalization then scales and shifts: bias · scale
 * + shift (no bias reads as 0). The layer's kernel is scaled per output channel by the caller, in its
 * own layout.
 */
export function foldedBias(
  bias: Float32Array | undefined,
  bn: BatchNormParams,
  channels: number,
): Float32Array {
  const folded = new Float32Array(channels);
  for (let c = 0; c < channels; c++) folded[c] = (bias?.[c] ?? 0) * bn.scale[c]! + bn.shift[c]!;
  return folded;
}

export interface LayerContext {
  readonly layer: tf.layers.Layer;
  readonly className: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly inputs: readonly Value[];
  /** tfjs shape of the layer's output. */
  readonly outputShape: Shape;
  readonly g: GraphBuilder;
  /** Throws UnsupportedLayerError naming this layer. */
  unsupported(reason: string): never;
  /**
   * When this layer's only consumer is an inference-mode BatchNormalization over channels (and the
   * layer's own activation is linear), claims it so the converter can fold it into its weights.
   */
  claimFollowingBatchNorm(): BatchNormParams | undefined;
  /** Names of layers folded or dropped, for the export report. */
  note(kind: 'folded' | 'dropped', what: string): void;
}

/** A converter emits the layer's nodes and returns the ONNX name of its output. */
export type LayerConverter = (ctx: LayerContext) => string;

export interface Weight {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * The layer weight whose name ends in `/<suffix>`, or undefined. Matched on the variable's original
 * name: tfjs renames variables (`kernel_1`) when a second model with the same layer names is loaded.
 */
export function weight(layer: tf.layers.Layer, suffix: string): Weight | undefined {
  const nameOf = (w: tf.LayerVariable) => w.originalName ?? w.name;
  const v = layer.weights.find((w) => nameOf(w) === suffix || nameOf(w).endsWith(`/${suffix}`));
  if (!v) return undefined;
  const t = v.read();
  return { shape: t.shape, data: new Float32Array(t.dataSync()) };
}

export function requireWeight(ctx: LayerContext, suffix: string): Weight {
  const w = weight(ctx.layer, suffix);
  if (!w) ctx.unsupported(`has no "${suffix}" weight`);
  return w;
}

export function option<T>(ctx: LayerContext, key: string): T | undefined {
  return ctx.config[key] as T | undefined;
}

/** Rejects channels-first layers: tfjs trains channels-last and that is all the layout rules know. */
export function requireChannelsLast(ctx: LayerContext): void {
  const format = option<string>(ctx, 'dataFormat');
  if (format !== undefined && format !== 'channelsLast')
    ctx.unsupported(`dataFormat "${format}" (only channelsLast)`);
}

export function requireRank(ctx: LayerContext, value: Value, ranks: readonly number[]): void {
  if (!ranks.includes(value.shape.length)) {
    ctx.unsupported(
      `input rank ${value.shape.length} (shape ${formatShape(value.shape)}); supported: ${ranks.join(' or ')}`,
    );
  }
}

export function singleInput(ctx: LayerContext): Value {
  if (ctx.inputs.length !== 1) ctx.unsupported(`${ctx.inputs.length} inputs (expected 1)`);
  return ctx.inputs[0]!;
}

/** A tfjs axis (may be negative) on a value of `rank`, as the ONNX axis of the same dimension. */
export function onnxAxis(ctx: LayerContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) ctx.unsupported(`axis ${axis} for a rank-${rank} input`);
  if (a === 0) ctx.unsupported('an operation along the batch axis');
  return rank === 4 ? ([0, 2, 3, 1][a] as number) : a;
}

export function pair(ctx: LayerContext, key: string, fallback?: number): [number, number] {
  const v = ctx.config[key];
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number'))
    return [v[0] as number, v[1] as number];
  if (v == null && fallback !== undefined) return [fallback, fallback];
  return ctx.unsupported(`option ${key} = ${JSON.stringify(v)}`);
}

/** A tfjs shape for messages: `[N, 48, 48, 1]` (null dimensions shown as N / ?). */
export function formatShape(shape: Shape): string {
  return `[${shape.map((d, i) => d ?? (i === 0 ? 'N' : '?')).join(', ')}]`;
}
