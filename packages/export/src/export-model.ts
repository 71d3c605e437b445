/**
 * The exporter's programmatic entry: a tfjs LayersModel in, ONNX bytes out. It fixes the graph
 * contract around the converted layers — NHWC input transposed to NCHW once, dynamic batch, a
 * one-unit sigmoid head widened to [1 − p, p], the outputs renamed — so every consumer (CLI, server
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
  /**
   * Graph output names, one per model output. Default for one output: ["probabilities"]; a model with
   * several outputs (a shared trunk with a head per task) must name them.
   */
  readonly outputNames?: readonly string[];
  /** Turn a one-unit output p into two columns [1 − p, p]. Default true. */
  readonly twoClassFromSigmoid?: boolean;
  /** Name of the dynamic batch dimension. Default "N". */
  readonly batchDim?: string;
  /** Extra key/value pairs written into the model's metadata_props. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly docString?: string;
}

export interface ExportedOutput {
  readonly name: string;
  /** [N, K], batch symbolic. */
  readonly shape: readonly (number | string)[];
  /** True when a one-unit head was widened to [1 − p, p]. */
  readonly twoClassFromSigmoid: boolean;
}

export interface OnnxExport {
  readonly bytes: Uint8Array;
  readonly opset: number;
  readonly inputName: string;
  /** NHWC (or [N, F]) input shape, batch symbolic. */
  readonly inputShape: readonly (number | string)[];
  /** One per model output, in model.outputs order. */
  readonly outputs: readonly ExportedOutput[];
  /** BatchNormalization layers folded into the layer before them ("bn → conv"). */
  readonly folded: readonly string[];
  /** Layers left out because they are the identity at inference (dropout, noise). */
  readonly dropped: readonly string[];
  readonly parameters: number;
  readonly nodes: number;
}

/**
 * Converts `model` (one image or feature input; one or more rank-2 outputs) to an ONNX opset-17
 * model. Layers the outputs share (a trunk) are converted once.
 */
export async function exportLayersModel(
  model: tf.LayersModel,
  options: ExportOptions = {},
): Promise<OnnxExport> {
  const inputName = options.inputName ?? INPUT_NAME;
  const batch = options.batchDim ?? 'N';
  const modelFail = (reason: string): never => {
    throw new UnsupportedLayerError(model.name, model.getClassName(), reason);
  };
  if (model.inputs.length !== 1) modelFail(`${model.inputs.length} inputs (expected 1)`);
  const outputNames = options.outputNames ?? (model.outputs.length === 1 ? [OUTPUT_NAME] : []);
  if (outputNames.length !== model.outputs.length || new Set(outputNames).size !== outputNames.length)
    modelFail(
      `${model.outputs.length} outputs need as many distinct outputNames (got [${outputNames.join(', ')}])`,
    );
  const inShape = model.inputs[0]!.shape;
  if (inShape.length !== 4 && inShape.length !== 2)
    modelFail(`input shape ${formatShape(inShape)} (expected [N, H, W, C] or [N, F])`);
  if (model.inputs[0]!.dtype !== 'float32')
    modelFail(`input dtype ${model.inputs[0]!.dtype} (expected float32)`);

  const g = new GraphBuilder();
  g.reserve(inputName);
  outputNames.forEach((name) => g.reserve(name));
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
  const widenSigmoid = options.twoClassFromSigmoid ?? true;
  const named = new Map<string, string>();
  const outputs = walkModel(model, input, g, notes).map((value, i) =>
    finishOutput(g, value, {
      name: outputNames[i]!,
      activation: activationOf(model.outputs[i]!),
      inputName,
      batch,
      widenSigmoid,
      named,
      modelFail,
    }),
  );
  const bytes = g.encode({
    name: model.name,
    docString:
      options.docString ?? `tfjs ${model.getClassName()} "${model.name}" exported by @facekit/export`,
    input: { name: inputName, shape: graphInShape },
    outputs,
    metadata: {
      source: 'tfjs-layers',
      twoClassFromSigmoid: outputs.map((o) => String(o.twoClassFromSigmoid)).join(','),
      ...options.metadata,
    },
  });
  return {
    bytes,
    opset: OPSET,
    inputName,
    inputShape: graphInShape,
    outputs,
    folded: notes.folded,
    dropped: notes.dropped,
    parameters: model.countParams(),
    nodes: g.nodes.length,
  };
}

/** The activation the layer computing `output` ends with ("linear" when it has none). */
function activationOf(output: tf.SymbolicTensor): string {
  const config = output.sourceLayer.getConfig() as { activation?: unknown };
  return typeof config.activation === 'string' ? config.activation : 'linear';
}

interface OutputPlan {
  /** The graph output's name. */
  readonly name: string;
  /** What the layer computing it ends with: a one-unit head is widened only when that is a sigmoid. */
  readonly activation: string;
  readonly inputName: string;
  readonly batch: string;
  /** Widen a one-unit sigmoid head to [1 − p, p]. */
  readonly widenSigmoid: boolean;
  /** Values already renamed to an output, by their former name: a second output of one value reads it. */
  readonly named: Map<string, string>;
  readonly modelFail: (reason: string) => never;
}

/**
 * Checks an output is [N, K], widens a one-unit sigmoid head when asked (and refuses any other
 * one-unit head then: its value is not a probability), and gives it its graph name.
 */
function finishOutput(g: GraphBuilder, value: Value, plan: OutputPlan): ExportedOutput {
  const { name, modelFail } = plan;
  let out = value;
  if (out.shape.length !== 2) modelFail(`output shape ${formatShape(out.shape)} (expected [N, K])`);
  let width = out.shape[1];
  if (typeof width !== 'number') return modelFail('output width is not static');
  const widen = plan.widenSigmoid && width === 1;
  if (widen) {
    if (plan.activation !== 'sigmoid')
      modelFail(
        `output ${name} is one unit ending in ${plan.activation}, not sigmoid, so it is not a probability to widen to [1 − p, p]`,
      );
    const complement = g.node('Sub', [g.scalar(1), out.name], 'head/one_minus_p');
    out = {
      name: g.node('Concat', [complement, out.name], 'head/two_class', { axis: { int: 1 } }),
      shape: [null, 2],
    };
    width = 2;
  }
  const earlier = plan.named.get(out.name);
  if (earlier !== undefined) g.node('Identity', [earlier], 'output', {}, name);
  else if (g.nodes.some((n) => n.output?.includes(out.name)) && out.name !== plan.inputName) {
    g.rename(out.name, name);
    plan.named.set(out.name, name);
  } else g.node('Identity', [out.name], 'output', {}, name);
  return { name, shape: [plan.batch, width], twoClassFromSigmoid: widen };
}
