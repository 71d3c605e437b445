import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelLoadError, ModelMismatchError, ManifestError, parseManifest } from '@facekit/core';
import { inspectOnnx, loadModels, readManifest, sha256OfBytes } from '@facekit/core/node';
import { buildManifest, manifestEntry } from './write/manifest.js';
import { exportAndVerify, randomizeWeights } from './test-support.js';
import { tempFolder } from '../../../tests/support/temp-folder.js';

const training = {
  runId: 't',
  preset: 'tiny',
  backend: 'cpu',
  epochs: 1,
  seed: 1,
  testFraction: 0.3,
  dataSha256: 'none',
  dataRows: 0,
};
let dir: string;
let bytes: Uint8Array;

beforeAll(async () => {
  dir = await tempFolder('facekit-loader-');
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({ filters: 2, kernelSize: 3, strides: 4, inputShape: [48, 48, 1], activation: 'relu' }),
  );
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  randomizeWeights(m, 5, 0.1);
  const { exported, report } = await exportAndVerify(m);
  bytes = exported.bytes;
  const entry = manifestEntry({
    task: 'gender',
    ageGrouping: 'six',
    exported,
    output: exported.outputs[0]!,
    sha256: sha256OfBytes(bytes),
    file: 'gender/model.onnx',
    training,
    metrics: { accuracy: 0.5 },
    verification: report,
  });
  const { text } = buildManifest([entry]);
  await writeFile(join(dir, 'manifest.json'), text);
  await mkdir(join(dir, 'gender'));
  await writeFile(join(dir, 'gender/model.onnx'), bytes);
});

describe('models loader', () => {
  it('loads a manifest and its checked model; the manifest validates', async () => {
    const loaded = await loadModels(dir);
    expect(loaded.models.map((m) => m.task)).toEqual(['gender']);
    const model = loaded.models[0]!;
    expect(model.onnx).toMatchObject({
      opset: 17,
      irVersion: 8,
      inputs: ['image'],
      outputs: ['probabilities'],
    });
    expect(model.entry.output.shape).toEqual(['N', 2]);
    expect(model.entry.labels).toEqual(['male', 'female']);
    expect(() => parseManifest(JSON.parse(JSON.stringify(loaded.manifest)))).not.toThrow();
  });

  it('rejects a truncated model file, saying so', async () => {
    await writeFile(join(dir, 'gender/model.onnx'), bytes.subarray(0, bytes.length - 100));
    await expect(loadModels(dir)).rejects.toThrow(ModelMismatchError);
    await expect(loadModels(dir)).rejects.toThrow(
      /gender\/model\.onnx: is \d+ bytes, the manifest says \d+ — truncated/,
    );
  });

  it('rejects a corrupt model file of the right size by its sha256', async () => {
    const corrupt = new Uint8Array(bytes);
    corrupt[Math.floor(corrupt.length / 2)]! ^= 0xff;
    await writeFile(join(dir, 'gender/model.onnx'), corrupt);
    await expect(loadModels(dir)).rejects.toThrow(
      /sha256 is [0-9a-f]{64}, the manifest says [0-9a-f]{64} — the file is corrupt/,
    );
  });

  it('rejects bytes that are not ONNX even when the manifest agrees with them', async () => {
    const garbage = new TextEncoder().encode('<html>404 not found</html>');
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    manifest.models.gender.bytes = garbage.length;
    manifest.models.gender.sha256 = sha256OfBytes(garbage);
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    await writeFile(join(dir, 'gender/model.onnx'), garbage);
    await expect(loadModels(dir)).rejects.toThrow(ModelLoadError);
    await expect(loadModels(dir)).rejects.toThrow(/not a valid ONNX model/);
    expect(() => inspectOnnx(bytes.subarray(0, bytes.length - 7))).toThrow(/runs past the end/);
  });

  it('names a missing manifest, a missing file and a task the manifest lacks', async () => {
    await expect(loadModels(join(dir, 'nowhere'))).rejects.toThrow(
      /manifest\.json: cannot read the models manifest \(ENOENT[^)]*\)$/,
    );
    // A training run's folder given instead of an export's: said, with the step between.
    const run = join(dir, 'a-run');
    await mkdir(run);
    await writeFile(join(run, 'run.json'), '{}');
    await expect(loadModels(run)).rejects.toThrow(
      `; ${run} is a training run: export it first (pnpm export --run ${run} --out <models folder>)`,
    );
    // A file named where the folder goes: said as such, not as ENOTDIR on a path inside it.
    await writeFile(join(dir, 'README.md'), '# not models');
    await expect(loadModels(join(dir, 'README.md'))).rejects.toThrow(
      `${join(dir, 'README.md')}: is a file, not a models folder: name the folder holding manifest.json, or the manifest itself`,
    );
    // The manifest itself, as that message offers (and pnpm serve --models takes): its folder is read.
    expect(await readManifest(join(dir, 'manifest.json'))).toEqual(await readManifest(dir));
    await expect(loadModels(dir, { tasks: ['age'] })).rejects.toThrow(ManifestError);
    await rm(join(dir, 'gender/model.onnx'));
    await expect(loadModels(dir)).rejects.toThrow(/cannot read the gender model/);
  });
});
