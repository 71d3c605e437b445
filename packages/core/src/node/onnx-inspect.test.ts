import { describe, expect, it } from 'vitest';
import { inspectOnnx, OnnxFormatError } from './onnx-inspect.js';

// A minimal protobuf writer, enough to lay out a ModelProto by hand (field numbers from onnx.proto).
const varint = (n: number): number[] => {
  const out: number[] = [];
  do {
    out.push((n % 128) | (n >= 128 ? 128 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return out;
};
const key = (field: number, wire: number) => varint(field * 8 + wire);
const int = (field: number, n: number) => [...key(field, 0), ...varint(n)];
const bytes = (field: number, payload: number[]) => [...key(field, 2), ...varint(payload.length), ...payload];
const str = (field: number, s: string) => bytes(field, [...new TextEncoder().encode(s)]);

function model({ opset = 17, domain = '' } = {}): Uint8Array {
  const node = [...str(1, 'image'), ...str(2, 'probabilities'), ...str(4, 'Identity')];
  const graph = [
    ...bytes(1, node),
    ...str(2, 'g'),
    ...bytes(11, str(1, 'image')),
    ...bytes(12, str(1, 'probabilities')),
  ];
  return Uint8Array.from([
    ...int(1, 8),
    ...str(2, 'test'),
    ...bytes(7, graph),
    ...bytes(8, [...str(1, domain), ...int(2, opset)]),
  ]);
}

describe('inspectOnnx', () => {
  it('reads IR version, default-domain opset and graph input/output names', () => {
    expect(inspectOnnx(model())).toEqual({
      irVersion: 8,
      opset: 17,
      inputs: ['image'],
      outputs: ['probabilities'],
      nodes: 1,
      initializers: 0,
    });
    expect(inspectOnnx(model({ domain: 'ai.onnx', opset: 13 })).opset).toBe(13);
  });

  it('rejects empty, truncated and non-ONNX bytes with the reason', () => {
    const good = model();
    expect(() => inspectOnnx(new Uint8Array())).toThrow(/file is empty/);
    expect(() => inspectOnnx(good.subarray(0, good.length - 3))).toThrow(/runs past the end/);
    expect(() => inspectOnnx(new TextEncoder().encode('{"not":"onnx"}'))).toThrow(OnnxFormatError);
    expect(() => inspectOnnx(Uint8Array.from(int(3, 1)))).toThrow(/no ir_version/);
    expect(() => inspectOnnx(model({ domain: 'com.example' }))).toThrow(
      /no opset_import for the default domain/,
    );
  });
});
