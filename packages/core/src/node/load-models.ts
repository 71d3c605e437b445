/**
 * Reading models/ the way every Node consumer must: parse and validate manifest.json, then read each
 * ONNX file it names and refuse it unless its size, sha256 and outline (opset, input and output names)
 * match the manifest. The server, the parity suite and the exporter's own tests share this so a
 * truncated, corrupt or stale model stops the start with one clear message instead of a wrong answer.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { ManifestError, ModelLoadError, ModelMismatchError } from '../errors.js';
import { groupByFile, manifestTasks, parseManifest, type Manifest, type ManifestModel } from '../manifest.js';
import type { Task } from '../tasks.js';
import { inspectOnnx, OnnxFormatError, type OnnxSummary } from './onnx-inspect.js';

export const MANIFEST_FILE = 'manifest.json';

export interface LoadedModel {
  readonly task: Task;
  readonly entry: ManifestModel;
  /** Absolute path of the ONNX file. */
  readonly path: string;
  /** The file's bytes, checked; hand them to `InferenceSession.create`. */
  readonly bytes: Uint8Array;
  readonly onnx: OnnxSummary;
}

export interface LoadedModels {
  /** Absolute path of the models folder. */
  readonly dir: string;
  readonly manifest: Manifest;
  /** Checked models, in the canonical task order. */
  readonly models: readonly LoadedModel[];
}

export interface LoadModelsOptions {
  /** Only these tasks (each must be in the manifest). Default: every task the manifest holds. */
  readonly tasks?: readonly Task[];
}

/** The models folder a path names: the folder, or its manifest.json (as every `--models` takes). */
export function modelsFolder(path: string): string {
  const full = resolve(path);
  return basename(full) === MANIFEST_FILE ? dirname(full) : full;
}

/** Reads and validates `<dir>/manifest.json` (`dir` may name the manifest itself). */
export async function readManifest(dir: string): Promise<Manifest> {
  const folder = modelsFolder(dir);
  const path = join(folder, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    // A file named where the folder should be (`--models README.md`): said as such, not as ENOTDIR.
    if ((error as { code?: string }).code === 'ENOTDIR')
      throw new ModelLoadError(
        folder,
        `is a file, not a models folder: name the folder holding ${MANIFEST_FILE}, or the manifest itself`,
        { cause: error },
      );
    // A training run's folder holds run.json, not a manifest: the step between is an export.
    const run = existsSync(join(folder, 'run.json'))
      ? `; ${folder} is a training run: export it first (pnpm export --run ${dir} --out <models folder>)`
      : '';
    throw new ModelLoadError(path, `cannot read the models manifest (${(error as Error).message})${run}`, {
      cause: error,
    });
  }
  // Its errors name this file and the field.
  return parseManifest(text, path);
}

export function sha256OfBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Checks one model file's bytes against its manifest entry: size (a short file is reported as
 * truncated), sha256, then the ONNX outline. `file` names the file in errors.
 */
export function checkModelBytes(entry: ManifestModel, bytes: Uint8Array, file: string): OnnxSummary {
  if (bytes.length !== entry.bytes) {
    const hint = bytes.length < entry.bytes ? ' — truncated (interrupted copy or export?)' : '';
    throw new ModelMismatchError(file, `is ${bytes.length} bytes, the manifest says ${entry.bytes}${hint}`);
  }
  const sha = sha256OfBytes(bytes);
  if (sha !== entry.sha256) {
    throw new ModelMismatchError(
      file,
      `sha256 is ${sha}, the manifest says ${entry.sha256} — the file is corrupt or not the one exported`,
    );
  }
  let onnx: OnnxSummary;
  try {
    onnx = inspectOnnx(bytes);
  } catch (error) {
    if (error instanceof OnnxFormatError)
      throw new ModelLoadError(file, `not a valid ONNX model: ${error.message}`, { cause: error });
    throw error;
  }
  if (onnx.opset !== entry.opset)
    throw new ModelMismatchError(file, `has opset ${onnx.opset}, the manifest says ${entry.opset}`);
  if (!onnx.inputs.includes(entry.input.name)) {
    throw new ModelMismatchError(
      file,
      `has inputs [${onnx.inputs.join(', ')}], expected "${entry.input.name}"`,
    );
  }
  if (!onnx.outputs.includes(entry.output.name)) {
    throw new ModelMismatchError(
      file,
      `has outputs [${onnx.outputs.join(', ')}], expected "${entry.output.name}"`,
    );
  }
  return onnx;
}

/**
 * One ONNX file and the tasks it answers: the unit to open one inference session for. A one-task file
 * has one; a shared network's file has several, each read from its own output of a single run.
 */
export interface ModelFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly models: readonly LoadedModel[];
}

/** `models` grouped by the file they come from, in the order the files first appear. */
export function modelFiles(models: readonly LoadedModel[]): ModelFile[] {
  return groupByFile(models, (m) => m.path).map((group) => ({
    path: group[0]!.path,
    bytes: group[0]!.bytes,
    models: group,
  }));
}

/**
 * Reads the manifest in `dir` (or `dir` itself, a manifest.json) and every model it names (or `options.tasks`): each file read once, each
 * task's entry checked against it (size, sha256, input and output names).
 */
export async function loadModels(dir: string, options: LoadModelsOptions = {}): Promise<LoadedModels> {
  const root = modelsFolder(dir);
  const manifest = await readManifest(root);
  const tasks = options.tasks ?? manifestTasks(manifest);
  const models: LoadedModel[] = [];
  for (const task of tasks) {
    const entry = manifest.models[task];
    if (!entry)
      throw new ManifestError(
        join(root, MANIFEST_FILE),
        `models.${task}`,
        `is missing; the manifest holds ${manifestTasks(manifest).join(', ')}`,
      );
    const path = join(root, entry.file);
    // A file several tasks share is read once (the manifest has checked they agree on its hash).
    const shared = models.find((m) => m.path === path);
    let bytes: Uint8Array;
    if (shared) bytes = shared.bytes;
    else {
      try {
        bytes = new Uint8Array(await readFile(path));
      } catch (error) {
        throw new ModelLoadError(path, `cannot read the ${task} model (${(error as Error).message})`, {
          cause: error,
        });
      }
    }
    const onnx = checkModelBytes(entry, bytes, path);
    models.push({ task, entry, path, bytes, onnx });
  }
  return { dir: root, manifest, models };
}
