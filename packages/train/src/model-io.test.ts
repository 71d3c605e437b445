import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { JsonFieldError, ModelLoadError } from '@facekit/core';
import { loadLayersModel, recoverInterruptedSave, saveLayersModel } from './model-io.js';
import { tempFolder } from '../../../tests/support/temp-folder.js';

/** A saved 3→4→2 dense model: 3·4 + 4 + 4·2 + 2 = 26 float32 weights, 104 bytes. */
async function savedModel(): Promise<string> {
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [3], units: 4 }), tf.layers.dense({ units: 2 })],
  });
  const dir = join(await tempFolder('facekit-model-'), 'model');
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

  it('refuses weights.bin with a flipped byte, by the sha256 model.json records', async () => {
    const dir = await savedModel();
    const bytes = await readFile(join(dir, 'weights.bin'));
    bytes[40]! ^= 0x01;
    await writeFile(join(dir, 'weights.bin'), bytes);
    const error = await loadError(dir);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(error.message).toBe(
      `${join(dir, 'weights.bin')}: the weights are not the ones saved with model.json (their sha256 differs from its weightsSha256): the file is corrupt or was replaced`,
    );
    // A model.json saved before the record was written is loaded unchecked, as it was.
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
    delete json.weightsSha256;
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    (await loadLayersModel(dir)).dispose();
  });

  it('blames model.json, not the weights, for a weightsSha256 that is no sha256', async () => {
    const dir = await savedModel();
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
    for (const [recorded, found] of [
      [7, '7'],
      [String(json.weightsSha256).toUpperCase(), JSON.stringify(String(json.weightsSha256).toUpperCase())],
    ] as const) {
      await writeFile(join(dir, 'model.json'), JSON.stringify({ ...json, weightsSha256: recorded }));
      const error = await loadError(dir);
      expect(error).toBeInstanceOf(JsonFieldError);
      expect(error.message).toBe(
        `${join(dir, 'model.json')}: weightsSha256 must be a sha256: 64 lowercase hex digits, got ${found}`,
      );
    }
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

describe('loadLayersModel on a model.json that tfjs cannot build', () => {
  /** Rewrites the saved model.json through `change` (edited in place, or replaced by what it returns). */
  async function edited(change: (json: Record<string, unknown>) => unknown): Promise<string> {
    const dir = await savedModel();
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
    const replaced = change(json);
    await writeFile(join(dir, 'model.json'), JSON.stringify(replaced === undefined ? json : replaced));
    return dir;
  }
  const layers = (json: Record<string, unknown>) =>
    (json as { modelTopology: { config: { layers: { class_name: string }[] } } }).modelTopology.config.layers;
  const weights = (json: Record<string, unknown>) =>
    (json as unknown as tf.io.ModelJSON).weightsManifest[0]!.weights;

  it('refuses a model.json without weightsManifest instead of loading fresh weights', async () => {
    const dir = await edited((json) => {
      delete json.weightsManifest;
    });
    const error = await loadError(dir);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(error.message).toBe(
      `${join(dir, 'model.json')}: has no weightsManifest: it does not say where its weights are`,
    );
  });

  it('names model.json when it is not an object or has no topology', async () => {
    for (const change of [
      () => null,
      () => [],
      (json: Record<string, unknown>) => void delete json.modelTopology,
    ]) {
      const dir = await edited(change);
      const error = await loadError(dir);
      expect(error).toBeInstanceOf(ModelLoadError);
      expect(error.message).toEqual(expect.stringMatching(new RegExp(`^${join(dir, 'model\\.json')}: `)));
    }
  });

  it('names model.json for an unknown layer, a wrong weight shape or a foreign weight name', async () => {
    const changes = [
      (json: Record<string, unknown>) => void (layers(json)[1]!.class_name = 'NoSuchLayer'),
      (json: Record<string, unknown>) => {
        const kernel = weights(json)[0]!;
        kernel.shape = [...kernel.shape].reverse();
      },
      (json: Record<string, unknown>) => void (weights(json)[0]!.name = 'elsewhere/kernel'),
    ];
    const reasons = [/Unknown layer: NoSuchLayer/, /Shape mismatch/, /no target variable: elsewhere\/kernel/];
    for (const [k, change] of changes.entries()) {
      const dir = await edited(change);
      const error = await loadError(dir);
      expect(error).toBeInstanceOf(ModelLoadError);
      expect(error.message).toEqual(
        expect.stringMatching(new RegExp(`^${join(dir, 'model\\.json')}: cannot build the model \\(`)),
      );
      expect(error.message).toEqual(expect.stringMatching(reasons[k]!));
      expect(error.message).not.toContain('\n');
    }
  });
});

describe('saveLayersModel, killed at any moment', () => {
  /** Saves a model into $DIR over and over (as training saves its checkpoint), saying when the first is in. */
  const saveLoop = `
    import * as tf from '@tensorflow/tfjs';
    const { saveLayersModel } = await import(process.env.MODEL_IO);
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 4 })] });
    for (let i = 1; ; i++) {
      await saveLayersModel(model, process.env.DIR, { extraFiles: { 'state.json': JSON.stringify({ i }) } });
      if (i === 1) process.stdout.write('saved\\n');
    }`;

  /** Whether every thread of process `pid` has stopped (SIGSTOP is delivered asynchronously). */
  const stopped = (pid: number) =>
    readdirSync(`/proc/${pid}/task`).every((t) =>
      /^\d+ \(.*\) T /.test(readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8')),
    );

  // Stops the saving process with SIGSTOP and reads /proc to know it has stopped: Linux only.
  it.skipIf(process.platform !== 'linux')(
    'always leaves a whole model, in place or put back by recoverInterruptedSave',
    async () => {
      const root = await tempFolder('facekit-save-');
      const dir = join(root, 'run', 'checkpoint');
      const here = dirname(fileURLToPath(import.meta.url));
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', saveLoop], {
        cwd: here,
        env: { ...process.env, MODEL_IO: join(here, 'model-io.ts'), DIR: dir },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      try {
        await new Promise((resolve) => child.stdout.once('data', resolve));
        // A stopped process leaves the folder as a crash at that moment would: copy it, recover the copy.
        const lost: number[] = [];
        for (let k = 0; k < 150; k++) {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
          child.kill('SIGSTOP');
          while (!stopped(child.pid!)) await new Promise((resolve) => setImmediate(resolve));
          const copy = join(root, `crash-${k}`);
          cpSync(join(root, 'run'), copy, { recursive: true });
          child.kill('SIGCONT');
          await recoverInterruptedSave(join(copy, 'checkpoint'));
          const whole = ['model.json', 'weights.bin', 'state.json'].every((f) =>
            existsSync(join(copy, 'checkpoint', f)),
          );
          if (!whole) lost.push(k);
        }
        expect(lost).toEqual([]);
        // And what is there loads.
        const model = await loadLayersModel(join(root, 'crash-0', 'checkpoint'));
        expect(model.countParams()).toBe(16);
        model.dispose();
      } finally {
        // Ended before its folder is removed, so that no write of its lands after.
        const exited = new Promise((resolve) => child.once('exit', resolve));
        if (child.kill('SIGKILL')) await exited;
      }
    },
    60_000,
  );
});
