/**
 * A tfjs *graph* model (model.json with `format: "graph-model"` plus its .bin weight files) read into
 * plain objects: the TensorFlow nodes of `modelTopology.node` and every Const's value, decoded from the
 * weights manifest. Only what the detector converter needs is modelled; quantized or non-numeric
 * weights are refused rather than guessed at.
 */
import { UnsupportedLayerError } from '@facekit/core';

/** One attribute of a TensorFlow NodeDef as the tfjs converter writes it to JSON. */
export interface TfAttr {
  readonly s?: string; // base64
  readonly i?: string;
  readonly f?: number;
  readonly b?: boolean;
  readonly list?: { readonly s?: readonly string[]; readonly i?: readonly string[] };
  readonly type?: string;
  readonly shape?: { readonly dim?: readonly { readonly size: string }[] };
}

export interface TfNode {
  readonly name: string;
  readonly op: string;
  readonly input?: readonly string[];
  readonly attr?: Readonly<Record<string, TfAttr>>;
}

interface WeightEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly quantization?: unknown;
}

export interface GraphModelJson {
  readonly format?: string;
  readonly modelTopology: { readonly node: readonly TfNode[] };
  readonly weightsManifest: readonly {
    readonly paths: readonly string[];
    readonly weights: readonly WeightEntry[];
  }[];
  readonly userDefinedMetadata?: {
    readonly signature?: { readonly outputs?: Readonly<Record<string, { readonly name: string }>> };
  };
}

/** A Const's value: float32 or int32 data with its TensorFlow shape. */
export interface ConstTensor {
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  readonly data: Float32Array | Int32Array;
}

export interface GraphModel {
  readonly nodes: ReadonlyMap<string, TfNode>;
  readonly consts: ReadonlyMap<string, ConstTensor>;
  /** Names of the graph's output nodes (the signature's, else the nodes nothing consumes). */
  readonly outputs: readonly string[];
}

/** A node input reference without its `:0` output index or `^` control-dependency mark. */
export const nodeOf = (input: string): string => input.replace(/^\^/, '').replace(/:\d+$/, '');

/**
 * Reads the model. `weightData` is the manifest's files concatenated in manifest order (for a model
 * with one .bin, that file).
 */
export function readGraphModel(json: GraphModelJson, weightData: Uint8Array): GraphModel {
  if (json.format !== undefined && json.format !== 'graph-model')
    throw new Error(`not a tfjs graph model (format "${json.format}")`);
  const consts = new Map<string, ConstTensor>();
  const view = new DataView(weightData.buffer, weightData.byteOffset, weightData.byteLength);
  let offset = 0;
  for (const entry of json.weightsManifest.flatMap((group) => group.weights)) {
    if (entry.quantization !== undefined)
      throw new UnsupportedLayerError(entry.name, 'Const', 'quantized weights are not supported');
    if (entry.dtype !== 'float32' && entry.dtype !== 'int32')
      throw new UnsupportedLayerError(entry.name, 'Const', `dtype ${entry.dtype} (only float32, int32)`);
    const size = entry.shape.reduce((a, b) => a * b, 1);
    if (offset + size * 4 > weightData.byteLength)
      throw new RangeError(`weights end at byte ${weightData.byteLength}, ${entry.name} needs more`);
    const data = entry.dtype === 'float32' ? new Float32Array(size) : new Int32Array(size);
    // Little-endian by the tfjs format, read one by one so the offset need not be aligned.
    for (let k = 0; k < size; k++)
      data[k] =
        entry.dtype === 'float32'
          ? view.getFloat32(offset + 4 * k, true)
          : view.getInt32(offset + 4 * k, true);
    offset += size * 4;
    consts.set(entry.name, { shape: entry.shape, dtype: entry.dtype, data });
  }
  if (offset !== weightData.byteLength)
    throw new RangeError(`weights manifest covers ${offset} bytes of ${weightData.byteLength}`);
  const nodes = new Map(json.modelTopology.node.map((n) => [n.name, n]));
  const signature = Object.values(json.userDefinedMetadata?.signature?.outputs ?? {}).map((o) =>
    nodeOf(o.name),
  );
  const consumed = new Set(json.modelTopology.node.flatMap((n) => (n.input ?? []).map(nodeOf)));
  const outputs = signature.length
    ? signature.sort()
    : json.modelTopology.node.filter((n) => n.op !== 'Const' && !consumed.has(n.name)).map((n) => n.name);
  return { nodes, consts, outputs };
}

/** A string attribute (TensorFlow stores them as bytes, the JSON as base64). */
export function stringAttr(node: TfNode, key: string): string | undefined {
  const s = node.attr?.[key]?.s;
  return s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8');
}

export function stringListAttr(node: TfNode, key: string): string[] {
  return (node.attr?.[key]?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
}

export function intListAttr(node: TfNode, key: string): number[] | undefined {
  const list = node.attr?.[key]?.list?.i;
  return list === undefined ? undefined : list.map(Number);
}

export function intAttr(node: TfNode, key: string): number | undefined {
  const i = node.attr?.[key]?.i;
  return i === undefined ? undefined : Number(i);
}
