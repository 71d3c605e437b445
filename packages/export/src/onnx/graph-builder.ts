/**
 * Accumulates an ONNX graph while the converters walk the tfjs model: unique value names, nodes,
 * initializers and shared scalar constants. Converters ask it for a node's output name and never
 * invent names themselves, so two layers can never collide. A float tensor equal to one already
 * written (a layer applied twice converts its weights twice) is not written again: its first name is
 * returned.
 */
import { createHash } from 'node:crypto';
import {
  attribute,
  encodeModel,
  floatTensor,
  int64Tensor,
  valueInfo,
  type AttrValue,
  type NodeProto,
  type TensorProto,
} from './proto.js';

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();
  private readonly constants = new Map<string, string>();
  private readonly tensors = new Map<string, string>();

  /** A fresh value name derived from `base` (made safe and unique). */
  name(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./:-]/g, '_') || 'v';
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Reserves an exact name (graph inputs and outputs); fails if taken. */
  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`ONNX value name "${name}" is already used`);
    this.used.add(name);
    return name;
  }

  floats(base: string, dims: readonly number[], data: Float32Array): string {
    const key = `${dims.join('x')}:${createHash('sha256')
      .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
      .digest('base64')}`;
    const known = this.tensors.get(key);
    if (known) return known;
    const name = this.name(base);
    this.initializers.push(floatTensor(name, dims, data));
    this.tensors.set(key, name);
    return name;
  }

  int64s(base: string, data: readonly number[]): string {
    const name = this.name(base);
    this.initializers.push(int64Tensor(name, [data.length], data));
    return name;
  }

  /** A float scalar initializer, shared by every node that needs the same value. */
  scalar(value: number): string {
    const key = `f32:${Math.fround(value)}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.name(`const_${String(value).replace(/[^0-9a-z]/gi, '_')}`);
      this.initializers.push(floatTensor(name, [], new Float32Array([value])));
      this.constants.set(key, name);
    }
    return name;
  }

  /** Adds `opType(inputs)` and returns its (single) output name. */
  node(
    opType: string,
    inputs: readonly string[],
    base: string,
    attrs: Record<string, AttrValue> = {},
    output?: string,
  ): string {
    const out = output ?? this.name(base);
    this.nodes.push({
      opType,
      name: this.name(`${base}/${opType}`),
      input: [...inputs],
      output: [out],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  /** Renames the value `from` (a node output) to `to` everywhere. */
  rename(from: string, to: string): void {
    for (const n of this.nodes) {
      n.input = (n.input ?? []).map((x) => (x === from ? to : x));
      n.output = (n.output ?? []).map((x) => (x === from ? to : x));
    }
  }

  encode(meta: {
    name: string;
    docString: string;
    input: { name: string; shape: (number | string)[] };
    outputs: readonly { name: string; shape: readonly (number | string)[] }[];
    metadata: Record<string, string>;
  }): Uint8Array {
    return encodeModel({
      name: meta.name,
      docString: meta.docString,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: [valueInfo(meta.input.name, meta.input.shape)],
      outputs: meta.outputs.map((o) => valueInfo(o.name, [...o.shape])),
      metadata: meta.metadata,
    });
  }
}
