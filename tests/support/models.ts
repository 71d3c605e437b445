/**
 * Which models the cross-runtime suites test: $FACEKIT_MODELS, else the shipped models/ when its
 * manifest is there, else a real but tiny set made on the spot — one small CNN per task (convolutions,
 * pooling, a Flatten after several channels, softmax heads and a one-unit sigmoid gender head) with
 * seeded weights, exported with @facekit/export's API, verified by it, and written in the shipped
 * layout (manifest.json, <task>/model.onnx, <task>/tfjs/). A fresh clone without models/ therefore
 * still tests the whole chain rather than nothing.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  IMAGE_SIZE,
  MANIFEST_SCHEMA_VERSION,
  parseManifest,
  sha256Hex,
  taskClassCount,
  taskLabels,
  TASKS,
  type Task,
} from '@facekit/core';
import { exportLayersModel, verifyExport } from '@facekit/export';
import { saveLayersModel } from '@facekit/train';
import { SHIPPED_MODELS } from './paths.js';

export interface ModelSet {
  /** Folder holding manifest.json. */
  readonly dir: string;
  /** Where they came from, for reports. */
  readonly source: string;
  /** True when made by the test in a temporary folder (removed by `releaseTestModels`). */
  readonly generated: boolean;
}

function tinyNetwork(task: Task, seed: number): tf.Sequential {
  const init = (s: number) => ({
    kernelInitializer: tf.initializers.glorotUniform({ seed: s }),
    biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: s + 1 }),
  });
  const model = tf.sequential({ name: `${task}_tiny` });
  model.add(
    tf.layers.conv2d({
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1],
      ...init(seed),
    }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(
    tf.layers.conv2d({
      filters: 8,
      kernelSize: 3,
      strides: 2,
      padding: 'valid',
      activation: 'relu',
      ...init(seed + 2),
    }),
  );
  model.add(tf.layers.flatten());
  const units = task === 'gender' ? 1 : taskClassCount(task);
  model.add(tf.layers.dense({ units, activation: units === 1 ? 'sigmoid' : 'softmax', ...init(seed + 4) }));
  return model;
}

async function makeTinyModels(dir: string): Promise<void> {
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  const models: Record<string, unknown> = {};
  for (const [i, task] of TASKS.entries()) {
    const network = tinyNetwork(task, 100 + 10 * i);
    const exported = await exportLayersModel(network);
    const check = (await verifyExport(network, exported, { synthetic: 16, batchSize: 8, web: false }))[0]!;
    await mkdir(join(dir, task), { recursive: true });
    await writeFile(join(dir, task, 'model.onnx'), exported.bytes);
    await saveLayersModel(network, join(dir, task, 'tfjs'));
    models[task] = {
      task,
      file: `${task}/model.onnx`,
      sha256: await sha256Hex(exported.bytes),
      bytes: exported.bytes.length,
      labels: taskLabels(task, 'six'),
      ...(task === 'age' ? { ageGrouping: 'six' } : {}),
      input: { name: exported.inputName, shape: exported.inputShape, dtype: 'float32' },
      output: { name: exported.outputs[0]!.name, shape: exported.outputs[0]!.shape },
      opset: exported.opset,
      tfjs: `${task}/tfjs/model.json`,
      parameters: exported.parameters,
      training: {
        runId: 'tests-tiny',
        preset: 'tiny (untrained, seeded weights)',
        backend: 'none',
        epochs: 0,
        seed: 100 + 10 * i,
        testFraction: 0,
        dataSha256: 'none',
        dataRows: 0,
      },
      metrics: {},
      verification: {
        samples: check.samples,
        maxAbsDiff: check.maxAbsDiff,
        argmaxAgreement: check.argmaxAgreement,
        runtime: check.runtime,
      },
    };
    network.dispose();
  }
  const manifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    generator: 'tests/support/models.ts',
    models,
  };
  parseManifest(manifest);
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

let resolved: Promise<ModelSet> | undefined;

/** The models to test (made once per process when they have to be generated). */
export function testModels(): Promise<ModelSet> {
  return (resolved ??= (async () => {
    if (process.env.FACEKIT_MODELS)
      return {
        dir: resolve(process.env.FACEKIT_MODELS),
        source: `FACEKIT_MODELS=${process.env.FACEKIT_MODELS}`,
        generated: false,
      };
    if (existsSync(join(SHIPPED_MODELS, 'manifest.json')))
      return { dir: SHIPPED_MODELS, source: 'shipped models/', generated: false };
    const dir = await mkdtemp(join(tmpdir(), 'facekit-tiny-models-'));
    await makeTinyModels(dir);
    return { dir, source: 'tiny seeded models made by the test (models/ is absent)', generated: true };
  })());
}

/** Removes generated models (shipped ones are never touched). */
export async function releaseTestModels(): Promise<void> {
  const set = await resolved;
  resolved = undefined;
  if (set?.generated) await rm(set.dir, { recursive: true, force: true });
}
