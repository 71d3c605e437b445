/**
 * The one place that touches onnx-proto (a CommonJS build of ONNX's protobuf schema): typed aliases,
 * attribute and tensor constructors, and encoding. Keeping it here means the converters build plain
 * objects and never see protobufjs details such as Long, enums or the CommonJS default export.
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type NodeProto = OnnxTypes.INodeProto;
export type TensorProto = OnnxTypes.ITensorProto;
export type AttributeProto = OnnxTypes.IAttributeProto;
export type ValueInfoProto = OnnxTypes.IValueInfoProto;

/** ONNX operator set the exporter targets (ai.onnx domain), and the IR version that goes with it. */
export const OPSET = 17;
export const IR_VERSION = 8;

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const INT64 = onnx.TensorProto.DataType.INT64;

/** An attribute value with its ONNX type made explicit (JS numbers do not say int or float). */
export type AttrValue =
  { int: number } | { float: number } | { ints: readonly number[] } | { string: string };

export function attribute(name: string, value: AttrValue): AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('int' in value) return { name, type: T.INT, i: value.int };
  if ('float' in value) return { name, type: T.FLOAT, f: value.float };
  if ('ints' in value) return { name, type: T.INTS, ints: [...value.ints] };
  return { name, type: T.STRING, s: new TextEncoder().encode(value.string) };
}

export function floatTensor(name: string, dims: readonly number[], data: Float32Array): TensorProto {
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== data.length)
    throw new RangeError(`tensor ${name}: ${data.length} values for dims [${dims.join(', ')}]`);
  const copy = new Float32Array(data); // little-endian on every platform Node supports
  return { name, dims: [...dims], dataType: FLOAT, rawData: new Uint8Array(copy.buffer) };
}

export function int64Tensor(name: string, dims: readonly number[], data: readonly number[]): TensorProto {
  return { name, dims: [...dims], dataType: INT64, int64Data: [...data] };
}

/** A float32 graph input/output; `null` or a string in `shape` is a symbolic (dynamic) dimension. */
export function valueInfo(name: string, shape: readonly (number | string)[]): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export interface ModelParts {
  readonly name: string;
  readonly docString: string;
  readonly nodes: readonly NodeProto[];
  readonly initializers: readonly TensorProto[];
  readonly inputs: readonly ValueInfoProto[];
  readonly outputs: readonly ValueInfoProto[];
  readonly metadata: Readonly<Record<string, string>>;
}

export function encodeModel(parts: ModelParts): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'facekit-export',
    producerVersion: '0.1.0',
    docString: parts.docString,
    graph: {
      name: parts.name,
      node: [...parts.nodes],
      initializer: [...parts.initializers],
      input: [...parts.inputs],
      output: [...parts.outputs],
    },
    metadataProps: Object.entries(parts.metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}
