/**
 * Saving and loading tfjs Layers models as files (model.json + weights.bin) with plain node:fs. The
 * pure-JS tfjs has no file:// handler (that lives in tfjs-node, which we cannot rely on), so this is
 * ours. Writes go to a temp folder that is renamed into place: a crash never leaves half a model.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelLoadError } from '@facekit/core';
// Registers the custom layers and optimizer a saved network may hold, so every load through here can read it.
import './adamw.js';
import './mirror-layer.js';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

function weightBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array();
  const buffer = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
  return new Uint8Array(buffer);
}

export interface SaveOptions {
  /** Also save the optimizer's state (a checkpoint that training can resume from). */
  readonly includeOptimizer?: boolean;
  /** More files to write into the folder, renamed into place together with the model. */
  readonly extraFiles?: Readonly<Record<string, string>>;
}

/** Saves `model` into `dir`, replacing what was there atomically. */
export async function saveLayersModel(
  model: tf.LayersModel,
  dir: string,
  options: SaveOptions = {},
): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  for (const [name, text] of Object.entries(options.extraFiles ?? {})) await writeFile(join(tmp, name), text);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const modelJson = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(join(tmp, MODEL_JSON), JSON.stringify(modelJson));
      await writeFile(join(tmp, WEIGHTS_BIN), weightBytes(artifacts.weightData));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
    { includeOptimizer: options.includeOptimizer ?? false },
  );
  await mkdir(dirname(dir), { recursive: true });
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

/** Reads model.json + its weight files from `dir` as tfjs ModelArtifacts. */
export async function readModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = join(dir, MODEL_JSON);
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
  } catch (error) {
    throw new ModelLoadError(jsonPath, `cannot read tfjs model.json (${(error as Error).message})`, {
      cause: error,
    });
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest ?? []) {
    specs.push(...group.weights);
    for (const path of group.paths) {
      const bytes = await readFile(join(dir, path));
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    }
  }
  return tf.io.getModelArtifactsForJSON(json, async () => [specs, tf.io.concatenateArrayBuffers(buffers)]);
}

/** Loads a tfjs Layers model saved by `saveLayersModel` (or any model.json + weights folder). */
export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  const artifacts = await readModelArtifacts(dir);
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}
