/**
 * Walks a tfjs Layers model (Sequential or functional) from its outputs back to its input and
 * converts each layer application in topological order. It knows who consumes what, which is what
 * lets a conv or dense layer claim the BatchNormalization right after it for folding, and it turns
 * nested models and multi-output layers into named UnsupportedLayer errors. A layer applied more than
 * once (a mirrored ensemble member) is converted once per application; its weights are written once,
 * because the graph builder keeps one initializer per distinct tensor.
 */
import type * as tf from '@tensorflow/tfjs';
import { UnsupportedLayerError } from '@facekit/core';
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { BatchNormParams, LayerContext, Value } from './context.js';
import { batchNormParams, batchNormProblem } from './normalization.js';
import { CONVERTERS, INFERENCE_IDENTITY } from './registry.js';

type LayerNode = tf.layers.Layer['inboundNodes'][number];

export interface WalkNotes {
  readonly folded: string[];
  readonly dropped: string[];
}

/** Layer applications needed for `outputs`, inputs first. */
function topologicalNodes(outputs: readonly tf.SymbolicTensor[]): LayerNode[] {
  const order: LayerNode[] = [];
  const seen = new Set<LayerNode>();
  const visit = (t: tf.SymbolicTensor) => {
    const node = t.sourceLayer.inboundNodes[t.nodeIndex];
    if (!node)
      throw new UnsupportedLayerError(
        t.sourceLayer.name,
        t.sourceLayer.getClassName(),
        'tensor without a producing node',
      );
    if (seen.has(node)) return;
    seen.add(node);
    for (const input of node.inputTensors) visit(input);
    order.push(node);
  };
  outputs.forEach(visit);
  return order;
}

/**
 * Converts every layer between `input` (already an ONNX value, NCHW for images) and the model's
 * outputs. Returns the ONNX value of each output, in model.outputs order.
 */
export function walkModel(model: tf.LayersModel, input: Value, g: GraphBuilder, notes: WalkNotes): Value[] {
  const outputIds = new Set(model.outputs.map((o) => o.id));
  const nodes = topologicalNodes(model.outputs);
  const consumers = new Map<number, LayerNode[]>();
  for (const node of nodes)
    for (const t of node.inputTensors) consumers.set(t.id, [...(consumers.get(t.id) ?? []), node]);
  const values = new Map<number, Value>([[model.inputs[0]!.id, input]]);
  const claimed = new Set<LayerNode>();

  for (const node of nodes) {
    const layer = node.outboundLayer;
    const className = layer.getClassName();
    if (className === 'InputLayer' || claimed.has(node)) continue;
    const fail = (reason: string): never => {
      throw new UnsupportedLayerError(layer.name, className, reason);
    };
    if (node.outputTensors.length !== 1) fail(`${node.outputTensors.length} outputs (expected 1)`);
    const out = node.outputTensors[0]!;
    const inputs = node.inputTensors.map(
      (t) => values.get(t.id) ?? fail(`input ${t.name} was not converted`),
    );
    if (INFERENCE_IDENTITY.has(className)) {
      if (inputs.length !== 1) fail(`${inputs.length} inputs`);
      notes.dropped.push(`${layer.name} (${className})`);
      values.set(out.id, { name: inputs[0]!.name, shape: out.shape });
      continue;
    }
    const converter =
      CONVERTERS[className] ??
      fail(
        `layer class ${className} is not supported${'layers' in layer ? ' (nested models: flatten them into one model)' : ''}`,
      );
    const config = layer.getConfig() as Record<string, unknown>;
    let produced = out;
    const ctx: LayerContext = {
      layer,
      className,
      config,
      inputs,
      outputShape: out.shape,
      g,
      unsupported: fail,
      note: (kind, what) => (kind === 'folded' ? notes.folded : notes.dropped).push(what),
      claimFollowingBatchNorm: (): BatchNormParams | undefined => {
        if ((config.activation ?? 'linear') !== 'linear' || outputIds.has(out.id)) return undefined;
        const next = consumers.get(out.id) ?? [];
        if (next.length !== 1) return undefined;
        const bnNode = next[0]!;
        const bn = bnNode.outboundLayer;
        if (bn.getClassName() !== 'BatchNormalization') return undefined;
        if (batchNormProblem(bn, out.shape.length) !== undefined) return undefined;
        claimed.add(bnNode);
        produced = bnNode.outputTensors[0]!;
        return batchNormParams(bn);
      },
    };
    const name = converter(ctx);
    values.set(produced.id, { name, shape: produced.shape });
  }
  return model.outputs.map((output) => {
    const result = values.get(output.id);
    if (!result)
      throw new UnsupportedLayerError(
        output.sourceLayer.name,
        output.sourceLayer.getClassName(),
        'model output was not produced',
      );
    return result;
  });
}
