/**
 * Saving and loading tfjs Layers models as files (model.json + weights.bin) with plain node:fs. The
 * pure-JS tfjs has no file:// handler (that lives in tfjs-node, which we cannot rely on), so this is
 * ours. Writes go to a temp folder that is renamed into place, the previous model moved aside until
 * then: a crash never leaves half a model, nor none (recoverInterruptedSave puts the previous one back).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { jsonFields, ModelLoadError } from '@facekit/core';
import { sha256OfBytes } from '@facekit/core/node';
// Registers the custom layers and optimizer a saved network may hold, so every load through here can read it.
import './adamw.js';
import './nesterov-sgd.js';
import './mirror-layer.js';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';
/**
 * model.json's record of its weight files' sha256 (their bytes in manifest order), checked on load: a
 * flipped byte keeps the size, and tfjs would load it, training resume from it and the export ship it.
 * tfjs itself ignores the field; a model.json without it (saved before it was written) is not checked.
 */
const WEIGHTS_SHA256 = 'weightsSha256';

function weightBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array();
  const buffer = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
  return new Uint8Array(buffer);
}

export interface SaveOptions {
  /** Also save the optimizer's state (a checkpoint that training can resume from). */
  readonly includeOptimizer?: boolean;
  /** More files to write into the folder, renamed into place together with the model. */
  readonly extraFiles?: Readonly<Record<string, string | Uint8Array>>;
}

/** Where a save keeps the model it replaces until the new one is in place. */
const previousDir = (dir: string) => `${dir}.old`;

/**
 * Puts back the model a save had moved aside when the process died before the new one was renamed in
 * (so `dir` is missing): a resumed run then finds its last checkpoint instead of starting over. True
 * when it did.
 */
export async function recoverInterruptedSave(dir: string): Promise<boolean> {
  if (existsSync(dir) || !existsSync(previousDir(dir))) return false;
  await rename(previousDir(dir), dir);
  return true;
}

/** Saves `model` into `dir`, replacing what was there atomically. */
export async function saveLayersModel(
  model: tf.LayersModel,
  dir: string,
  options: SaveOptions = {},
): Promise<void> {
  // An earlier save cut short leaves the only whole model aside: back first, or it would be removed below.
  await recoverInterruptedSave(dir);
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  for (const [name, data] of Object.entries(options.extraFiles ?? {})) await writeFile(join(tmp, name), data);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = weightBytes(artifacts.weightData);
      const modelJson = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
        [WEIGHTS_SHA256]: sha256OfBytes(weights),
      };
      await writeFile(join(tmp, MODEL_JSON), JSON.stringify(modelJson));
      await writeFile(join(tmp, WEIGHTS_BIN), weights);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
    { includeOptimizer: options.includeOptimizer ?? false },
  );
  await mkdir(dirname(dir), { recursive: true });
  // Removing `dir` and then renaming `tmp` left a moment with no model at all (a process killed then
  // lost the checkpoint, and a resumed run started over): the old one is renamed aside instead, and
  // removed only once the new one is in.
  const old = previousDir(dir);
  await rm(old, { recursive: true, force: true });
  const moved = await rename(dir, old).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      return false;
    },
  );
  await rename(tmp, dir);
  if (moved) await rm(old, { recursive: true, force: true });
}

/**
 * Bytes per value in a weight file, by the dtype it is stored as (a quantized weight's
 * `quantization.dtype`), as tfjs-core's io lays them out. String weights have no fixed size.
 */
const BYTES_PER_VALUE: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  float16: 2,
  uint16: 2,
  uint8: 1,
};

/** Bytes one weight takes in its group's files; a weight we cannot size is refused here, by name. */
function weightSpecBytes(spec: tf.io.WeightsManifestEntry, jsonPath: string): number {
  const stored = spec.quantization?.dtype ?? spec.dtype;
  const bytes = BYTES_PER_VALUE[stored];
  if (bytes === undefined)
    throw new ModelLoadError(
      jsonPath,
      `weight "${spec.name}" is stored as ${stored}, which this loader cannot read`,
    );
  if (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new ModelLoadError(
      jsonPath,
      `weight "${spec.name}" has no valid shape (${JSON.stringify(spec.shape)})`,
    );
  return spec.shape.reduce((n, d) => n * d, 1) * bytes;
}

async function readWeightFile(path: string): Promise<ArrayBuffer> {
  try {
    const bytes = await readFile(path);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  } catch (error) {
    throw new ModelLoadError(path, `cannot read the weights (${(error as Error).message})`, { cause: error });
  }
}

/**
 * One manifest group's weight files, checked to hold exactly the bytes its weights need: tfjs itself
 * would fail on a short or foreign file with messages that name neither file nor size.
 */
async function readWeightGroup(
  dir: string,
  jsonPath: string,
  group: tf.io.WeightsManifestConfig[number],
): Promise<ArrayBuffer[]> {
  const need = group.weights.reduce((n, spec) => n + weightSpecBytes(spec, jsonPath), 0);
  const paths = group.paths.map((path) => join(dir, path));
  const buffers: ArrayBuffer[] = [];
  for (const path of paths) buffers.push(await readWeightFile(path));
  const size = buffers.reduce((n, b) => n + b.byteLength, 0);
  if (size !== need) {
    const why =
      size < need ? 'the file is truncated or belongs to another model' : 'the file belongs to another model';
    throw new ModelLoadError(
      paths.join(' + '),
      `${size} bytes, but model.json's weights need ${need} — ${why}`,
    );
  }
  return buffers;
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
  // Checked here, where the file is known: tfjs would fail on these without naming it, or (no
  // weightsManifest) load the model with freshly initialised weights and no word said.
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ModelLoadError(jsonPath, `is not a tfjs model.json (it holds ${JSON.stringify(json)})`);
  if (typeof json.modelTopology !== 'object' || json.modelTopology === null)
    throw new ModelLoadError(jsonPath, 'has no modelTopology: not a tfjs Layers model.json');
  if (!Array.isArray(json.weightsManifest))
    throw new ModelLoadError(jsonPath, 'has no weightsManifest: it does not say where its weights are');
  // A record that is no sha256 at all is model.json's fault, not the weights': said of its field.
  const recorded = (json as { [WEIGHTS_SHA256]?: unknown })[WEIGHTS_SHA256];
  if (recorded !== undefined) jsonFields(jsonPath).hexDigest(recorded, WEIGHTS_SHA256);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    buffers.push(...(await readWeightGroup(dir, jsonPath, group)));
  }
  const weights = tf.io.concatenateArrayBuffers(buffers);
  if (recorded !== undefined && recorded !== sha256OfBytes(new Uint8Array(weights)))
    throw new ModelLoadError(
      json.weightsManifest.flatMap((g) => g.paths.map((p) => join(dir, p))).join(' + '),
      `the weights are not the ones saved with ${MODEL_JSON} (their sha256 differs from its ${WEIGHTS_SHA256}): the file is corrupt or was replaced`,
    );
  return tf.io.getModelArtifactsForJSON(json, async () => [specs, weights]);
}

/** Loads a tfjs Layers model saved by `saveLayersModel` (or any model.json + weights folder). */
export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  const artifacts = await readModelArtifacts(dir);
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    // tfjs's own words (an unknown layer, a weight of the wrong shape or name) name no file; its first
    // line says what is wrong, the file is ours to add.
    const first = ((error as Error).message ?? String(error)).split('\n')[0]!.trim();
    throw new ModelLoadError(join(dir, MODEL_JSON), `cannot build the model (${first})`, { cause: error });
  }
}
