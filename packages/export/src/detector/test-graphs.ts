/**
 * For the detector converter's tests (not shipped): tiny tfjs graph models written by hand — one
 * Placeholder, seeded Const weights, the ops under test — run through tfjs (cpu) and, converted, through
 * onnxruntime-node, so each op's conversion is checked against TensorFlow's own kernels in isolation.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { seededRandom } from '@facekit/train';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { convertGraph } from './convert-graph.js';
import { readGraphModel, type GraphModelJson, type TfAttr, type TfNode } from './graph-model.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** TF attribute helpers in the tfjs JSON spelling. */
export const attr = {
  s: (v: string): TfAttr => ({ s: b64(v) }),
  ints: (v: readonly number[]): TfAttr => ({ list: { i: v.map(String) } }),
  strings: (v: readonly string[]): TfAttr => ({ list: { s: v.map(b64) } }),
  i: (v: number): TfAttr => ({ i: String(v) }),
};

export interface ConstSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** Omitted: seeded uniform floats in [−0.5, 0.5]. */
  readonly int32?: readonly number[];
}

export interface TestGraph {
  readonly input: readonly number[];
  readonly consts: readonly ConstSpec[];
  readonly nodes: readonly TfNode[];
  /** The node whose value is compared. */
  readonly output: string;
}

/** The graph as tfjs's model.json plus weight bytes (Consts in order, float32 or int32). */
export function graphModelJson(graph: TestGraph, seed = 3): { json: GraphModelJson; weightData: Uint8Array } {
  const random = seededRandom(seed);
  const chunks = graph.consts.map((c) => {
    const size = c.shape.reduce((a, b) => a * b, 1);
    return c.int32
      ? new Uint8Array(Int32Array.from(c.int32).buffer)
      : new Uint8Array(Float32Array.from({ length: size }, () => random() - 0.5).buffer);
  });
  const weightData = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((offset, c) => (weightData.set(c, offset), offset + c.length), 0);
  const dim = (shape: readonly number[]) => ({ dim: shape.map((d) => ({ size: String(d) })) });
  const constNodes: TfNode[] = graph.consts.map((c) => ({
    name: c.name,
    op: 'Const',
    attr: {
      dtype: { type: c.int32 ? 'DT_INT32' : 'DT_FLOAT' },
      value: { tensor: { tensorShape: dim(c.shape) } } as TfAttr,
    },
  }));
  const placeholder: TfNode = {
    name: 'x',
    op: 'Placeholder',
    attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dim(graph.input) } },
  };
  return {
    json: {
      format: 'graph-model',
      modelTopology: { node: [placeholder, ...constNodes, ...graph.nodes] },
      weightsManifest: [
        {
          paths: ['test.bin'],
          weights: graph.consts.map((c) => ({
            name: c.name,
            shape: c.shape,
            dtype: c.int32 ? 'int32' : 'float32',
          })),
        },
      ],
    },
    weightData,
  };
}

/** ONNX bytes of the graph: NHWC input `x`, output `y` in TF layout (a rank-4 result back to NHWC). */
export function convertTestGraph(graph: TestGraph): Uint8Array {
  const { json, weightData } = graphModelJson(graph);
  const model = readGraphModel(json, weightData);
  const g = new GraphBuilder();
  const x = g.reserve('x');
  const y = g.reserve('y'); // before the nodes, whose names may be y too
  const nchw = g.node('Transpose', [x], 'x/nchw', { perm: { ints: [0, 3, 1, 2] } });
  const out = convertGraph({ ...model, outputs: [graph.output] }, { name: nchw, shape: graph.input }, g).get(
    graph.output,
  )!;
  if (out.shape.length === 4) g.node('Transpose', [out.name], 'y/nhwc', { perm: { ints: [0, 2, 3, 1] } }, y);
  else g.node('Identity', [out.name], 'y', {}, y);
  return g.encode({
    name: 'test',
    docString: '',
    input: { name: 'x', shape: [...graph.input] },
    outputs: [{ name: 'y', shape: out.shape }],
    metadata: {},
  });
}

/** Max abs difference between tfjs and onnxruntime-node on one seeded input in [−1, 1]. */
export async function graphParity(graph: TestGraph, seed = 5): Promise<{ diff: number; shape: number[] }> {
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  const random = seededRandom(seed);
  const size = graph.input.reduce((a, b) => a * b, 1);
  const input = Float32Array.from({ length: size }, () => random() * 2 - 1);
  const { json, weightData } = graphModelJson(graph);
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: { ...json.modelTopology, versions: {} }, // tfjs reads versions.producer
      weightSpecs: json.weightsManifest[0]!.weights as tf.io.WeightsManifestEntry[],
      weightData: weightData.buffer as ArrayBuffer,
    }),
  );
  const expected = tf.tidy(() => {
    const y = model.execute(tf.tensor(input, [...graph.input]), graph.output) as tf.Tensor;
    return { data: y.dataSync() as Float32Array, shape: y.shape };
  });
  const session = await ort.InferenceSession.create(convertTestGraph(graph));
  const result = await session.run({ x: new ort.Tensor('float32', input, [...graph.input]) });
  await session.release();
  const got = result.y!;
  if (got.dims.join() !== expected.shape.join())
    throw new Error(`ONNX shape [${got.dims.join(', ')}], tfjs [${expected.shape.join(', ')}]`);
  const data = got.data as Float32Array;
  let diff = 0;
  for (let i = 0; i < data.length; i++) diff = Math.max(diff, Math.abs(data[i]! - expected.data[i]!));
  return { diff, shape: expected.shape };
}
