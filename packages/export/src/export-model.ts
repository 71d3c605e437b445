/**
 * The exporter's programmatic entry: a tfjs LayersModel in, ONNX bytes out. It fixes the graph
 * contract around the converted layers — NHWC input transposed to NCHW once, dynamic batch, a
 * one-unit sigmoid head widened to [1 − p, p], the output renamed — so every consumer (CLI, server
 * tests, parity suite) gets the same graph from the same model.
 */
import type * as tf from '@tensorflow/tfjs';
import { INPUT_NAME, OUTPUT_NAME, UnsupportedLayerError } from '@facekit/core';
import { formatShape, type Value } from './convert/context.js';
import { walkModel } from './convert/walk.js';
import { GraphBuilder } from './onnx/graph-builder.js';
import { OPSET } from './onnx/proto.js';

export interface ExportOptions {
  /** Graph input name. Default "image". */
  readonly inputName?: string;
  /** Graph output name. Default "probabilities". */
  readonly outputName?: string;
  /** Turn a one-unit output p into two columns [1 − p, p]. Default true. */
  readonly twoClassFromSigmoid?: boolean;
  /** Name of the dynamic batch dimension. Default "N". */
  readonly batchDim?: string;
  /** Extra key/value pairs written into the model's metadata_props. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly docString?: string;
}

export interface OnnxExport {
  readonly bytes: Uint8Array;
  readonly opset: number;
  readonly inputName: string;
  readonly outputName: string;
  /** NHWC (or [N, F]) input shape, batch symbolic. */
  readonly inputShape: readonly (number | string)[];
  readonly outputShape: readonly (number | string)[];
  /** True when a one-unit head was widened to [1 − p, p]. */
  readonly twoClassFromSigmoid: boolean;
  /** BatchNormalization layers folded into the layer before them ("bn → conv"). */
  readonly folded: readonly string[];
  /** Layers left out because they are the identity at inference (dropout, noise). */
  readonly dropped: readonly string[];
  readonly parameters: number;
  readonly nodes: number;
}

/** Converts `model` (one image or feature input, one rank-2 output) to an ONNX opset-17 model. */
export async function exportLayersModel(
  model: tf.LayersModel,
  options: ExportOptions = {},
): Promise<OnnxExport> {
  const inputName = options.inputName ?? INPUT_NAME;
  const outputName = options.outputName ?? OUTPUT_NAME;
  const batch = options.batchDim ?? 'N';
  const modelFail = (reason: string): never => {
    throw new UnsupportedLayerError(model.name, model.getClassName(), reason);
  };
  if (model.inputs.length !== 1) modelFail(`${model.inputs.length} inputs (expected 1)`);
  if (model.outputs.length !== 1)
    modelFail(`${model.outputs.length} outputs (expected 1; export one sub-model per head)`);
  const inShape = model.inputs[0]!.shape;
  if (inShape.length !== 4 && inShape.length !== 2)
    modelFail(`input shape ${formatShape(inShape)} (expected [N, H, W, C] or [N, F])`);
  if (model.inputs[0]!.dtype !== 'float32')
    modelFail(`input dtype ${model.inputs[0]!.dtype} (expected float32)`);

  const g = new GraphBuilder();
  g.reserve(inputName);
  g.reserve(outputName);
  const symbolic = (d: number | null, i: number): number | string =>
    i === 0 ? batch : (d ?? ['N', 'H', 'W', 'C'][i]!);
  const graphInShape = inShape.map(symbolic);
  const input: Value = {
    name:
      inShape.length === 4
        ? g.node('Transpose', [inputName], 'input/to_nchw', { perm: { ints: [0, 3, 1, 2] } })
        : inputName,
    shape: inShape,
  };
  const notes = { folded: [] as string[], dropped: [] as string[] };
  let out = walkModel(model, input, g, notes);
  if (out.shape.length !== 2) modelFail(`output shape ${formatShape(out.shape)} (expected [N, K])`);
  let width = out.shape[1];
  if (typeof width !== 'number') return modelFail('output width is not static');
  const widen = (options.twoClassFromSigmoid ?? true) && width === 1;
  if (widen) {
    const complement = g.node('Sub', [g.scalar(1), out.name], 'head/one_minus_p');
    out = {
      name: g.node('Concat', [complement, out.name], 'head/two_class', { axis: { int: 1 } }),
      shape: [null, 2],
    };
    width = 2;
  }
  if (g.nodes.some((n) => n.output?.includes(out.name)) && out.name !== inputName)
    g.rename(out.name, outputName);
  else g.node('Identity', [out.name], 'output', {}, outputName);
  const outputShape = [batch, width];
  const bytes = g.encode({
    name: model.name,
    docString:
      options.docString ?? `tfjs ${model.getClassName()} "${model.name}" exported by @facekit/export`,
    input: { name: inputName, shape: graphInShape },
    output: { name: outputName, shape: outputShape },
    metadata: { source: 'tfjs-layers', twoClassFromSigmoid: String(widen), ...options.metadata },
  });
  return {
    bytes,
    opset: OPSET,
    inputName,
    outputName,
    inputShape: graphInShape,
    outputShape,
    twoClassFromSigmoid: widen,
    folded: notes.folded,
    dropped: notes.dropped,
    parameters: model.countParams(),
    nodes: g.nodes.length,
  };
}
