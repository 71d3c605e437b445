/**
 * A dependency-free look inside an ONNX file's protobuf wire format: enough to tell a real model from
 * a truncated or corrupt one and to read the facts the manifest promises (IR version, default-domain
 * opset, graph input and output names) before a runtime is handed the bytes. Consumers that must not
 * pull in protobuf libraries (core stays dependency-free) get a clear error instead of a native
 * runtime's cryptic one.
 */

export interface OnnxSummary {
  readonly irVersion: number;
  /** Opset of the default ("" or "ai.onnx") domain. */
  readonly opset: number;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly nodes: number;
  readonly initializers: number;
}

/** Thrown by `inspectOnnx` with the byte offset where the wire format stopped making sense. */
export class OnnxFormatError extends Error {}

interface Field {
  readonly number: number;
  readonly wireType: number;
  /** Varint value (wire type 0). */
  readonly value: number;
  /** Payload bounds for wire type 2. */
  readonly start: number;
  readonly end: number;
}

function readVarint(bytes: Uint8Array, pos: number, end: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new OnnxFormatError(`truncated varint at byte ${pos}`);
    const b = bytes[pos++]!;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [value, pos];
    scale *= 128;
  }
  throw new OnnxFormatError(`varint longer than 10 bytes at byte ${pos}`);
}

/** The fields of the message occupying bytes[start, end). */
function fields(bytes: Uint8Array, start: number, end: number): Field[] {
  const out: Field[] = [];
  let pos = start;
  while (pos < end) {
    const at = pos;
    const [key, next] = readVarint(bytes, pos, end);
    pos = next;
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    if (number === 0) throw new OnnxFormatError(`field number 0 at byte ${at}`);
    let value = 0;
    let payloadStart = pos;
    switch (wireType) {
      case 0:
        [value, pos] = readVarint(bytes, pos, end);
        break;
      case 1:
        pos += 8;
        break;
      case 2: {
        const [length, after] = readVarint(bytes, pos, end);
        payloadStart = after;
        pos = after + length;
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        throw new OnnxFormatError(`unknown wire type ${wireType} at byte ${at}`);
    }
    if (pos > end)
      throw new OnnxFormatError(`field ${number} at byte ${at} runs past the end (${pos} > ${end})`);
    out.push({ number, wireType, value, start: payloadStart, end: pos });
  }
  return out;
}

const text = (bytes: Uint8Array, f: Field) =>
  new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(f.start, f.end));

function valueInfoName(bytes: Uint8Array, f: Field): string {
  const name = fields(bytes, f.start, f.end).find((g) => g.number === 1 && g.wireType === 2);
  if (!name) throw new OnnxFormatError(`graph value at byte ${f.start} has no name`);
  return text(bytes, name);
}

/** Parses the outline of an ONNX ModelProto; throws OnnxFormatError when the bytes are not one. */
export function inspectOnnx(bytes: Uint8Array): OnnxSummary {
  if (bytes.length === 0) throw new OnnxFormatError('file is empty');
  const top = fields(bytes, 0, bytes.length);
  const ir = top.find((f) => f.number === 1 && f.wireType === 0);
  if (!ir) throw new OnnxFormatError('no ir_version field: not an ONNX ModelProto');
  const graph = top.find((f) => f.number === 7 && f.wireType === 2);
  if (!graph) throw new OnnxFormatError('no graph field: not an ONNX ModelProto');
  let opset: number | undefined;
  for (const f of top.filter((g) => g.number === 8 && g.wireType === 2)) {
    const parts = fields(bytes, f.start, f.end);
    const domain = parts.find((g) => g.number === 1 && g.wireType === 2);
    const version = parts.find((g) => g.number === 2 && g.wireType === 0);
    const name = domain ? text(bytes, domain) : '';
    if ((name === '' || name === 'ai.onnx') && version) opset = version.value;
  }
  if (opset === undefined) throw new OnnxFormatError('no opset_import for the default domain');
  const g = fields(bytes, graph.start, graph.end);
  const of = (n: number) => g.filter((f) => f.number === n && f.wireType === 2);
  const nodes = of(1).length;
  if (nodes === 0) throw new OnnxFormatError('graph has no nodes');
  return {
    irVersion: ir.value,
    opset,
    inputs: of(11).map((f) => valueInfoName(bytes, f)),
    outputs: of(12).map((f) => valueInfoName(bytes, f)),
    nodes,
    initializers: of(5).length,
  };
}
