/**
 * models/manifest.json: what the exporter wrote and every consumer (server, browser, parity suite)
 * trusts. Validated on load with messages that name the offending JSON path; checking the files
 * themselves against it (size, sha256, shapes) is done by whoever reads the bytes.
 */
import { isAgeGrouping, type AgeGrouping } from './age-groups.js';
import { ManifestError } from './errors.js';
import { IMAGE_SIZE, INPUT_NAME, OUTPUT_NAME, taskOutputName } from './pixels.js';
import { isTask, taskLabels, TASKS, type Task } from './tasks.js';

export const MANIFEST_SCHEMA_VERSION = 1;

/** Where a model came from: enough to reproduce it. */
export interface TrainingProvenance {
  readonly runId: string;
  readonly preset: string;
  readonly backend: string;
  readonly epochs: number;
  readonly seed: number;
  readonly testFraction: number;
  /** sha256 of the CSV the run read. */
  readonly dataSha256: string;
  readonly dataRows: number;
}

/** How the exported graph was checked against its tfjs source. */
export interface ExportVerification {
  readonly samples: number;
  readonly maxAbsDiff: number;
  readonly argmaxAgreement: number;
  readonly runtime: string;
}

export interface ManifestModel {
  readonly task: Task;
  /**
   * ONNX file, relative to the manifest's folder. Several tasks may name the same file (a shared
   * network): it is then run once for all of them, each task reading its own output.
   */
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly labels: readonly string[];
  /** Present for the age task: the grouping its labels come from. */
  readonly ageGrouping?: AgeGrouping;
  readonly input: {
    readonly name: string;
    readonly shape: readonly (string | number)[];
    readonly dtype: 'float32';
  };
  readonly output: { readonly name: string; readonly shape: readonly (string | number)[] };
  readonly opset: number;
  /** tfjs source model.json, relative to the manifest's folder. */
  readonly tfjs?: string;
  readonly parameters?: number;
  readonly training: TrainingProvenance;
  /** Test-set metrics of the run (accuracy, macroF1, …). */
  readonly metrics: Readonly<Record<string, number>>;
  readonly verification: ExportVerification;
}

export interface Manifest {
  readonly schemaVersion: number;
  readonly createdAt: string;
  readonly models: Readonly<Partial<Record<Task, ManifestModel>>>;
}

type Json = unknown;

function obj(value: Json, path: string): Record<string, Json> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ManifestError(path, 'must be an object');
  return value as Record<string, Json>;
}
function str(value: Json, path: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new ManifestError(path, 'must be a non-empty string');
  return value;
}
function num(value: Json, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ManifestError(path, 'must be a finite number');
  return value;
}
/** A count (bytes, parameters, an opset): a whole number, 0 or more, that a file can have. */
function count(value: Json, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new ManifestError(path, 'must be a whole number, 0 or more');
  return value;
}
function arr(value: Json, path: string): Json[] {
  if (!Array.isArray(value)) throw new ManifestError(path, 'must be an array');
  return value;
}

function validateModel(task: Task, value: Json, path: string): ManifestModel {
  const m = obj(value, path);
  if (m.task !== task) throw new ManifestError(`${path}.task`, `must be "${task}"`);
  const file = str(m.file, `${path}.file`);
  if (file.startsWith('/') || file.split(/[\\/]/).includes('..')) {
    throw new ManifestError(`${path}.file`, 'must be a path inside the models folder');
  }
  const sha256 = str(m.sha256, `${path}.sha256`);
  if (!/^[0-9a-f]{64}$/.test(sha256))
    throw new ManifestError(`${path}.sha256`, 'must be 64 lowercase hex digits');
  const labels = arr(m.labels, `${path}.labels`).map((l, i) => str(l, `${path}.labels[${i}]`));
  let ageGrouping: AgeGrouping | undefined;
  if (task === 'age') {
    if (!isAgeGrouping(m.ageGrouping))
      throw new ManifestError(`${path}.ageGrouping`, 'must be "six" or "decades"');
    ageGrouping = m.ageGrouping;
  }
  const expected = taskLabels(task, ageGrouping);
  if (labels.length !== expected.length || labels.some((l, i) => l !== expected[i])) {
    throw new ManifestError(`${path}.labels`, `must be [${expected.join(', ')}]`);
  }
  const input = obj(m.input, `${path}.input`);
  if (input.name !== INPUT_NAME) throw new ManifestError(`${path}.input.name`, `must be "${INPUT_NAME}"`);
  if (input.dtype !== 'float32') throw new ManifestError(`${path}.input.dtype`, 'must be "float32"');
  const inShape = arr(input.shape, `${path}.input.shape`);
  if (inShape.length !== 4 || inShape[1] !== IMAGE_SIZE || inShape[2] !== IMAGE_SIZE || inShape[3] !== 1) {
    throw new ManifestError(`${path}.input.shape`, `must be [N, ${IMAGE_SIZE}, ${IMAGE_SIZE}, 1]`);
  }
  const output = obj(m.output, `${path}.output`);
  const outputName = output.name;
  if (outputName !== OUTPUT_NAME && outputName !== taskOutputName(task))
    throw new ManifestError(`${path}.output.name`, `must be "${OUTPUT_NAME}" or "${taskOutputName(task)}"`);
  const outShape = arr(output.shape, `${path}.output.shape`);
  if (outShape.length !== 2 || outShape[1] !== labels.length) {
    throw new ManifestError(`${path}.output.shape`, `must be [N, ${labels.length}]`);
  }
  const training = obj(m.training, `${path}.training`);
  const verification = obj(m.verification, `${path}.verification`);
  const metrics = obj(m.metrics, `${path}.metrics`);
  return {
    task,
    file,
    sha256,
    bytes: count(m.bytes, `${path}.bytes`),
    labels,
    ...(ageGrouping ? { ageGrouping } : {}),
    input: { name: INPUT_NAME, shape: inShape as (string | number)[], dtype: 'float32' },
    output: { name: outputName, shape: outShape as (string | number)[] },
    opset: count(m.opset, `${path}.opset`),
    ...(m.tfjs === undefined ? {} : { tfjs: str(m.tfjs, `${path}.tfjs`) }),
    ...(m.parameters === undefined ? {} : { parameters: count(m.parameters, `${path}.parameters`) }),
    training: {
      runId: str(training.runId, `${path}.training.runId`),
      preset: str(training.preset, `${path}.training.preset`),
      backend: str(training.backend, `${path}.training.backend`),
      epochs: num(training.epochs, `${path}.training.epochs`),
      seed: num(training.seed, `${path}.training.seed`),
      testFraction: num(training.testFraction, `${path}.training.testFraction`),
      dataSha256: str(training.dataSha256, `${path}.training.dataSha256`),
      dataRows: num(training.dataRows, `${path}.training.dataRows`),
    },
    metrics: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, num(v, `${path}.metrics.${k}`)])),
    verification: {
      samples: num(verification.samples, `${path}.verification.samples`),
      maxAbsDiff: num(verification.maxAbsDiff, `${path}.verification.maxAbsDiff`),
      argmaxAgreement: num(verification.argmaxAgreement, `${path}.verification.argmaxAgreement`),
      runtime: str(verification.runtime, `${path}.verification.runtime`),
    },
  };
}

/** Parses and validates manifest JSON (a string or an already-parsed value). */
export function parseManifest(json: string | Json): Manifest {
  let value: Json = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new ManifestError('$', `is not valid JSON (${(error as Error).message})`);
    }
  }
  const root = obj(value, '$');
  if (root.schemaVersion !== MANIFEST_SCHEMA_VERSION) {
    throw new ManifestError(
      'schemaVersion',
      `must be ${MANIFEST_SCHEMA_VERSION}, got ${JSON.stringify(root.schemaVersion)}`,
    );
  }
  const models = obj(root.models, 'models');
  const out: Partial<Record<Task, ManifestModel>> = {};
  for (const [key, model] of Object.entries(models)) {
    if (!isTask(key)) throw new ManifestError(`models.${key}`, `unknown task; tasks are ${TASKS.join(', ')}`);
    out[key] = validateModel(key, model, `models.${key}`);
  }
  if (Object.keys(out).length === 0) throw new ManifestError('models', 'must name at least one task');
  checkSharedFiles(out);
  return { schemaVersion: MANIFEST_SCHEMA_VERSION, createdAt: str(root.createdAt, 'createdAt'), models: out };
}

/** Tasks that name one file must agree on it (size, hash, opset) and each read its own output. */
function checkSharedFiles(models: Partial<Record<Task, ManifestModel>>): void {
  const byFile = new Map<string, ManifestModel>();
  for (const task of TASKS) {
    const m = models[task];
    if (!m) continue;
    const first = byFile.get(m.file);
    if (!first) {
      byFile.set(m.file, m);
      continue;
    }
    const path = `models.${task}`;
    for (const key of ['sha256', 'bytes', 'opset'] as const) {
      if (m[key] !== first[key])
        throw new ManifestError(
          `${path}.${key}`,
          `must equal models.${first.task}.${key}: both name ${m.file}`,
        );
    }
    if (m.output.name === OUTPUT_NAME || first.output.name === OUTPUT_NAME)
      throw new ManifestError(
        `${path}.output.name`,
        `tasks sharing ${m.file} read "<task>_${OUTPUT_NAME}" outputs, not "${OUTPUT_NAME}"`,
      );
  }
}

/**
 * `items` grouped by the ONNX file each names (`fileOf`), files in order of first appearance: one
 * group is what a consumer opens one session for — a one-task file's single model, or every task of a
 * shared network's file.
 */
export function groupByFile<T>(items: readonly T[], fileOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const file = fileOf(item);
    const group = groups.get(file);
    if (group) group.push(item);
    else groups.set(file, [item]);
  }
  return [...groups.values()];
}

/** The tasks a manifest holds, in the canonical order. */
export function manifestTasks(manifest: Manifest): Task[] {
  return TASKS.filter((t) => manifest.models[t] !== undefined);
}

/** The face detector's description beside the models (written by `pnpm export:detector`). */
export const DETECTOR_INFO_FILE = 'face-detector.json';

/** What a runtime needs of face-detector.json: the ONNX file, its sha256 and size, and its origin. */
export interface DetectorInfo {
  /** Relative to the models folder. */
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly source: { readonly package: string; readonly version: string };
  readonly licence: readonly string[];
}

/** Validates face-detector.json (text or parsed); errors name it and the field. */
export function parseDetectorInfo(json: string | Json): DetectorInfo {
  try {
    return detectorInfo(typeof json === 'string' ? parseJson(json) : json);
  } catch (error) {
    if (error instanceof ManifestError) throw new ManifestError(error.path, error.reason, DETECTOR_INFO_FILE);
    throw error;
  }
}

function parseJson(text: string): Json {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ManifestError('$', `is not valid JSON (${(error as Error).message})`);
  }
}

function detectorInfo(value: Json): DetectorInfo {
  const root = obj(value, '$');
  const file = str(root.file, 'file');
  if (file.startsWith('/') || file.split(/[\\/]/).includes('..'))
    throw new ManifestError('file', 'must be a path inside the models folder');
  const sha256 = str(root.sha256, 'sha256');
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new ManifestError('sha256', 'must be 64 lowercase hex digits');
  const source = obj(root.source, 'source');
  return {
    file,
    sha256,
    bytes: count(root.bytes, 'bytes'),
    source: {
      package: str(source.package, 'source.package'),
      version: str(source.version, 'source.version'),
    },
    licence: arr(root.licence, 'licence').map((line, i) => str(line, `licence[${i}]`)),
  };
}
