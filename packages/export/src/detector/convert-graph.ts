/**
 * Walks a tfjs graph model from its outputs back to its one Placeholder and converts each node in
 * topological order with the converter registered for its op. Any other op is refused by name, with
 * the node it was found on, so a conversion never silently computes something else. Node order in the
 * ONNX graph follows the walk, which depends only on the model: the same model gives the same bytes.
 */
import type { GraphBuilder } from '../onnx/graph-builder.js';
import { depthwiseConv2dNative, fusedConv2d } from './conv-ops.js';
import { nodeOf, type GraphModel, type TfNode } from './graph-model.js';
import {
  onnxBase,
  unsupportedNode,
  type GraphValue,
  type OpContext,
  type OpConverter,
} from './op-context.js';
import { addV2, identity, maxPool, pad, relu, reshape } from './tensor-ops.js';

export const OP_CONVERTERS: Readonly<Record<string, OpConverter>> = {
  _FusedConv2D: fusedConv2d,
  DepthwiseConv2dNative: depthwiseConv2dNative,
  AddV2: addV2,
  Relu: relu,
  Pad: pad,
  MaxPool: maxPool,
  Reshape: reshape,
  Identity: identity,
};

/** Every op a graph may hold: the converted ones plus the graph's input and its constants. */
export const SUPPORTED_OPS: readonly string[] = [
  'Placeholder',
  'Const',
  ...Object.keys(OP_CONVERTERS),
].sort();

/** The graph's nodes needed for `outputs`, inputs first (depth-first, in input order). */
function topological(model: GraphModel): TfNode[] {
  const order: TfNode[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, from: string) => {
    const node = model.nodes.get(name);
    if (!node) throw new Error(`node "${from}" reads "${name}", which the graph does not have`);
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') unsupportedNode(node, 'a cycle in the graph');
    state.set(name, 'visiting');
    for (const input of node.input ?? []) {
      if (input.startsWith('^')) unsupportedNode(node, `control dependency on ${input.slice(1)}`);
      visit(nodeOf(input), name);
    }
    state.set(name, 'done');
    order.push(node);
  };
  for (const output of model.outputs) visit(output, 'the graph outputs');
  return order;
}

/**
 * Converts the graph between `input` (the ONNX value fed to the Placeholder, NCHW, with the
 * Placeholder's TF shape) and the outputs. Returns each output node's value by name.
 */
export function convertGraph(model: GraphModel, input: GraphValue, g: GraphBuilder): Map<string, GraphValue> {
  const values = new Map<string, GraphValue>();
  const nodes = topological(model);
  const placeholders = nodes.filter((n) => n.op === 'Placeholder');
  if (placeholders.length !== 1) throw new Error(`${placeholders.length} graph inputs (expected 1)`);
  for (const node of nodes) {
    if (node.op === 'Const') {
      if (!model.consts.has(node.name))
        unsupportedNode(node, 'constant with no entry in the weights manifest');
      continue;
    }
    if (node.op === 'Placeholder') {
      const dims = node.attr?.shape?.shape?.dim?.map((d) => Number(d.size));
      if (dims && dims.join() !== input.shape.join())
        unsupportedNode(
          node,
          `input shape [${dims.join(', ')}] (the converter feeds [${input.shape.join(', ')}])`,
        );
      values.set(node.name, input);
      continue;
    }
    const converter = OP_CONVERTERS[node.op];
    if (!converter)
      unsupportedNode(node, `op ${node.op} is not supported; supported: ${SUPPORTED_OPS.join(', ')}`);
    const dtype = node.attr?.T?.type;
    if (dtype !== undefined && dtype !== 'DT_FLOAT')
      unsupportedNode(node, `element type ${dtype} (only DT_FLOAT)`);
    const inputs = (node.input ?? []).map(nodeOf);
    const ctx: OpContext = {
      node,
      base: onnxBase(node.name),
      g,
      inputCount: inputs.length,
      unsupported: (reason) => unsupportedNode(node, reason),
      value: (index) => {
        const source = inputs[index];
        if (source === undefined) return unsupportedNode(node, `no input ${index}`);
        return (
          values.get(source) ??
          unsupportedNode(node, `input ${index} (${source}) must be computed, not a constant`)
        );
      },
      constant: (index) => {
        const source = inputs[index];
        if (source === undefined) return unsupportedNode(node, `no input ${index}`);
        return (
          model.consts.get(source) ?? unsupportedNode(node, `input ${index} (${source}) must be a constant`)
        );
      },
    };
    values.set(node.name, converter(ctx));
  }
  return new Map(model.outputs.map((name) => [name, values.get(name)!]));
}
