/**
 * Test fixtures: a models folder that honours the contract exactly as the exporter's output does
 * (input "image" [N,48,48,1], output "probabilities" [N,K], opset 17, a manifest with sha256 and byte
 * counts), built directly with onnx-proto so the server's tests run real onnxruntime sessions without
 * training anything. Each model is a small conv net (Transpose → Conv → Relu → MaxPool → Flatten →
 * Gemm → Softmax) with seeded weights, so different faces get different answers. A shared network —
 * one file, one trunk, a Gemm → Softmax head per task with outputs `<task>_probabilities` — is made the
 * same way, for the tasks the caller names.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import {
  IMAGE_SIZE,
  MANIFEST_SCHEMA_VERSION,
  OUTPUT_NAME,
  taskLabels,
  taskOutputName,
  TASKS,
  type Task,
} from '@facekit/core';
import { sha256OfBytes } from '@facekit/core/node';
import { tempFolder } from '../../../tests/support/temp-folder.js';

const { onnx } = onnxProto;
const FILTERS = 4;
const POOLED = IMAGE_SIZE / 2;

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

const ints = (name: string, values: number[]) => ({
  name,
  type: onnx.AttributeProto.AttributeType.INTS,
  ints: values,
});
const int = (name: string, value: number) => ({
  name,
  type: onnx.AttributeProto.AttributeType.INT,
  i: value,
});
const tensor = (name: string, dims: number[], values: number[]) => ({
  name,
  dims,
  dataType: onnx.TensorProto.DataType.FLOAT,
  floatData: values,
});
const valueInfo = (name: string, dims: (string | number)[]) => ({
  name,
  type: {
    tensorType: {
      elemType: onnx.TensorProto.DataType.FLOAT,
      shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
    },
  },
});

/** One classifier head of a fixture graph: its output's name and label count. */
export interface FixtureHead {
  readonly output: string;
  readonly classes: number;
}

const headParameters = (classes: number) => FILTERS * POOLED * POOLED * classes + classes;

/** ONNX bytes of a small conv net: one trunk, then a Gemm → Softmax head per `heads` entry. */
export function fixtureGraphOnnx(heads: readonly FixtureHead[], seed: number): Uint8Array {
  const r = rng(seed);
  const fill = (n: number, scale: number) => Array.from({ length: n }, () => r() * scale);
  const graph = {
    name: `fixture_${heads.map((h) => `${h.output}_${h.classes}`).join('_')}`,
    node: [
      { opType: 'Transpose', input: ['image'], output: ['nchw'], attribute: [ints('perm', [0, 3, 1, 2])] },
      {
        opType: 'Conv',
        input: ['nchw', 'conv_w', 'conv_b'],
        output: ['conv'],
        attribute: [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])],
      },
      { opType: 'Relu', input: ['conv'], output: ['relu'] },
      {
        opType: 'MaxPool',
        input: ['relu'],
        output: ['pool'],
        attribute: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])],
      },
      { opType: 'Flatten', input: ['pool'], output: ['flat'], attribute: [int('axis', 1)] },
      ...heads.flatMap(({ output }) => [
        { opType: 'Gemm', input: ['flat', `${output}_w`, `${output}_b`], output: [`${output}_logits`] },
        { opType: 'Softmax', input: [`${output}_logits`], output: [output], attribute: [int('axis', -1)] },
      ]),
    ],
    initializer: [
      tensor('conv_w', [FILTERS, 1, 3, 3], fill(FILTERS * 9, 2)),
      tensor('conv_b', [FILTERS], fill(FILTERS, 0.2)),
      ...heads.flatMap(({ output, classes }) => [
        tensor(
          `${output}_w`,
          [FILTERS * POOLED * POOLED, classes],
          fill(FILTERS * POOLED * POOLED * classes, 0.2),
        ),
        tensor(`${output}_b`, [classes], fill(classes, 0.5)),
      ]),
    ],
    input: [valueInfo('image', ['N', IMAGE_SIZE, IMAGE_SIZE, 1])],
    output: heads.map(({ output, classes }) => valueInfo(output, ['N', classes])),
  };
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'facekit-serve-fixture',
    opsetImport: [{ domain: '', version: 17 }],
    graph: onnx.GraphProto.fromObject(graph),
  });
  return onnx.ModelProto.encode(model).finish();
}

/** ONNX bytes of a small conv classifier with `classes` outputs, named "probabilities". */
export function fixtureOnnx(classes: number, seed: number): Uint8Array {
  return fixtureGraphOnnx([{ output: OUTPUT_NAME, classes }], seed);
}

/** ONNX bytes of a shared network: one trunk and a head per task, each output `<task>_probabilities`. */
export function fixtureSharedOnnx(tasks: readonly Task[], seed: number): Uint8Array {
  return fixtureGraphOnnx(
    tasks.map((task) => ({ output: taskOutputName(task), classes: taskLabels(task, 'six').length })),
    seed,
  );
}

export interface FixtureModels {
  readonly dir: string;
  readonly manifestPath: string;
  readonly manifest: Record<string, unknown> & { models: Record<string, Record<string, unknown>> };
}

/** The file name the tasks in `writeFixtureModels`'s `shared` option share. */
export const SHARED_FILE = 'shared.onnx';

/**
 * Writes `<dir>/manifest.json` and the ONNX files (a fresh temp folder by default): one file per task,
 * except the tasks named in `shared`, which share one network in SHARED_FILE.
 */
export async function writeFixtureModels(
  options: { dir?: string; tasks?: readonly Task[]; seed?: number; shared?: readonly Task[] } = {},
): Promise<FixtureModels> {
  const dir = options.dir ?? (await tempFolder('facekit-serve-'));
  const seed = options.seed ?? 7;
  const tasks = options.tasks ?? TASKS;
  const shared = tasks.filter((t) => options.shared?.includes(t));
  const sharedBytes = shared.length > 0 ? fixtureSharedOnnx(shared, seed * 31 + 99) : undefined;
  if (sharedBytes) await writeFile(path.join(dir, SHARED_FILE), sharedBytes);
  const models: Record<string, Record<string, unknown>> = {};
  for (const [i, task] of tasks.entries()) {
    const labels = taskLabels(task, 'six');
    const inShared = sharedBytes !== undefined && shared.includes(task);
    const bytes = inShared ? sharedBytes : fixtureOnnx(labels.length, seed * 31 + i);
    const file = inShared ? SHARED_FILE : `${task}.onnx`;
    if (!inShared) await writeFile(path.join(dir, file), bytes);
    const heads = inShared ? shared.map((t) => taskLabels(t, 'six').length) : [labels.length];
    models[task] = {
      task,
      file,
      sha256: sha256OfBytes(bytes),
      bytes: bytes.length,
      labels: [...labels],
      ...(task === 'age' ? { ageGrouping: 'six' } : {}),
      input: { name: 'image', shape: ['N', IMAGE_SIZE, IMAGE_SIZE, 1], dtype: 'float32' },
      output: { name: inShared ? taskOutputName(task) : OUTPUT_NAME, shape: ['N', labels.length] },
      opset: 17,
      parameters: FILTERS * 10 + heads.reduce((sum, k) => sum + headParameters(k), 0),
      training: {
        runId: `fixture-${inShared ? 'shared' : task}`,
        preset: 'fixture',
        backend: 'none',
        epochs: 0,
        seed,
        testFraction: 0.3,
        dataSha256: '0'.repeat(64),
        dataRows: 0,
      },
      metrics: { accuracy: 0.5 },
      verification: { samples: 0, maxAbsDiff: 0, argmaxAgreement: 1, runtime: 'none' },
    };
  }
  const manifest = { schemaVersion: MANIFEST_SCHEMA_VERSION, createdAt: new Date(0).toISOString(), models };
  const manifestPath = path.join(dir, 'manifest.json');
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
  return { dir, manifestPath, manifest };
}
