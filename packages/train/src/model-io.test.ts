import { mkdtemp, readFile, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ModelLoadError } from '@facekit/core';
import { loadLayersModel, saveLayersModel } from './model-io.js';

/** A saved 3→4→2 dense model: 3·4 + 4 + 4·2 + 2 = 26 float32 weights, 104 bytes. */
async function savedModel(): Promise<string> {
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [3], units: 4 }), tf.layers.dense({ units: 2 })],
  });
  const dir = join(await mkdtemp(join(tmpdir(), 'facekit-model-')), 'model');
  await saveLayersModel(model, dir);
  model.dispose();
  return dir;
}

async function loadError(dir: string): Promise<Error> {
  return loadLayersModel(dir).then(
    () => {
      throw new Error('expected the load to fail');
    },
    (error: Error) => error,
  );
}

describe('loadLayersModel', () => {
  it('loads what saveLayersModel saved', async () => {
    const model = await loadLayersModel(await savedModel());
    expect(model.countParams()).toBe(26);
    model.dispose();
  });

  it('names the file and both sizes when weights.bin is truncated', async () => {
    const dir = await savedModel();
    await truncate(join(dir, 'weights.bin'), 50);
    const error = await loadError(dir);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(error.message).toBe(
      `${join(dir, 'weights.bin')}: 50 bytes, but model.json's weights need 104 — the file is truncated or belongs to another model`,
    );
  });

  it('refuses a weights.bin longer than the manifest needs', async () => {
    const dir = await savedModel();
    const bytes = await readFile(join(dir, 'weights.bin'));
    await writeFile(join(dir, 'weights.bin'), Buffer.concat([bytes, Buffer.alloc(8)]));
    await expect(loadLayersModel(dir)).rejects.toThrow(
      `${join(dir, 'weights.bin')}: 112 bytes, but model.json's weights need 104 — the file belongs to another model`,
    );
  });

  it('sizes quantized weights by their stored dtype', async () => {
    const dir = await savedModel();
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    for (const spec of json.weightsManifest[0]!.weights)
      spec.quantization = { dtype: 'uint8', min: 0, scale: 1 };
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await expect(loadLayersModel(dir)).rejects.toThrow(
      /weights\.bin: 104 bytes, but model\.json's weights need 26 —/,
    );
  });

  it('names a missing weights file', async () => {
    const dir = await savedModel();
    await writeFile(
      join(dir, 'model.json'),
      (await readFile(join(dir, 'model.json'), 'utf8')).replace('./weights.bin', './gone.bin'),
    );
    await expect(loadLayersModel(dir)).rejects.toThrow(
      `${join(dir, 'gone.bin')}: cannot read the weights (ENOENT`,
    );
  });
});
