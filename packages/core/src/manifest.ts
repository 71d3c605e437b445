/**
 * models/manifest.json: what the exporter wrote and every consumer (server, browser, parity suite)
 * trusts. Validated on load with messages that name the offending JSON path; checking the files
 * themselves against it (size, sha256, shapes) is done by whoever reads the bytes.
 */
import { AGE_GROUPINGS, type AgeGrouping } from './age-groups.js';
import { ManifestError } from './errors.js';
import { jsonFields, parseJsonText, type JsonFields } from './json-fields.js';
import { IMAGE_SIZE, INPUT_NAME, OUTPUT_NAME, taskOutputName } from './pixels.js';
import { taskLabels, TASKS, type Task } from './tasks.js';

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

/** The file's default name in errors, when the caller has no path to give. */
const MANIFEST_NAME = 'manifest.json';

/** A path inside the models folder: relative, never climbing out of it. */
function insideFolder(f: JsonFields, value: Json, path: string): string {
  const file = f.text(value, path);
  if (file.startsWith('/') || file.split(/[\\/]/).includes('..'))
    f.fail(path, { expected: 'a path inside the models folder', found: file });
  return file;
}

function validateModel(f: JsonFields, task: Task, value: Json, path: string): ManifestModel {
  const m = f.object(value, path);
  f.oneOf(m.task, `${path}.task`, [task]);
  const file = insideFolder(f, m.file, `${path}.file`);
  const sha256 = f.hexDigest(m.sha256, `${path}.sha256`);
  const labels = f.array(m.labels, `${path}.labels`).map((l, i) => f.text(l, `${path}.labels[${i}]`));
  const ageGrouping =
    task === 'age' ? f.oneOf(m.ageGrouping, `${path}.ageGrouping`, AGE_GROUPINGS) : undefined;
  const expected = taskLabels(task, ageGrouping);
  if (labels.length !== expected.length || labels.some((l, i) => l !== expected[i]))
    f.fail(`${path}.labels`, { expected: `[${expected.join(', ')}]`, found: labels });
  const input = f.object(m.input, `${path}.input`);
  f.oneOf(input.name, `${path}.input.name`, [INPUT_NAME]);
  f.oneOf(input.dtype, `${path}.input.dtype`, ['float32']);
  const inShape = f.array(input.shape, `${path}.input.shape`);
  if (inShape.length !== 4 || inShape[1] !== IMAGE_SIZE || inShape[2] !== IMAGE_SIZE || inShape[3] !== 1)
    f.fail(`${path}.input.shape`, { expected: `[N, ${IMAGE_SIZE}, ${IMAGE_SIZE}, 1]`, found: inShape });
  const output = f.object(m.output, `${path}.output`);
  const outputName = f.oneOf(output.name, `${path}.output.name`, [OUTPUT_NAME, taskOutputName(task)]);
  const outShape = f.array(output.shape, `${path}.output.shape`);
  if (outShape.length !== 2 || outShape[1] !== labels.length)
    f.fail(`${path}.output.shape`, { expected: `[N, ${labels.length}]`, found: outShape });
  const training = f.object(m.training, `${path}.training`);
  const verification = f.object(m.verification, `${path}.verification`);
  const metrics = f.object(m.metrics, `${path}.metrics`);
  return {
    task,
    file,
    sha256,
    bytes: f.whole(m.bytes, `${path}.bytes`, 0),
    labels,
    ...(ageGrouping ? { ageGrouping } : {}),
    input: { name: INPUT_NAME, shape: inShape as (string | number)[], dtype: 'float32' },
    output: { name: outputName, shape: outShape as (string | number)[] },
    opset: f.whole(m.opset, `${path}.opset`, 0),
    ...(m.tfjs === undefined ? {} : { tfjs: f.text(m.tfjs, `${path}.tfjs`) }),
    ...(m.parameters === undefined ? {} : { parameters: f.whole(m.parameters, `${path}.parameters`, 0) }),
    training: {
      runId: f.text(training.runId, `${path}.training.runId`),
      preset: f.text(training.preset, `${path}.training.preset`),
      backend: f.text(training.backend, `${path}.training.backend`),
      epochs: f.number(training.epochs, `${path}.training.epochs`),
      seed: f.number(training.seed, `${path}.training.seed`),
      testFraction: f.number(training.testFraction, `${path}.training.testFraction`),
      dataSha256: f.text(training.dataSha256, `${path}.training.dataSha256`),
      dataRows: f.number(training.dataRows, `${path}.training.dataRows`),
    },
    metrics: Object.fromEntries(
      Object.entries(metrics).map(([k, v]) => [k, f.number(v, `${path}.metrics.${k}`)]),
    ),
    verification: {
      samples: f.number(verification.samples, `${path}.verification.samples`),
      maxAbsDiff: f.number(verification.maxAbsDiff, `${path}.verification.maxAbsDiff`),
      argmaxAgreement: f.number(verification.argmaxAgreement, `${path}.verification.argmaxAgreement`),
      runtime: f.text(verification.runtime, `${path}.verification.runtime`),
    },
  };
}

/**
 * Parses and validates manifest JSON (a string or an already-parsed value); errors (ManifestError)
 * name `file`, the manifest's path where the caller knows it.
 */
export function parseManifest(json: string | Json, file = MANIFEST_NAME): Manifest {
  const f = jsonFields(file, { error: ManifestError });
  const value = typeof json === 'string' ? parseJsonText(json, file, { error: ManifestError }) : json;
  const root = f.object(value, '');
  f.oneOf(root.schemaVersion, 'schemaVersion', [MANIFEST_SCHEMA_VERSION]);
  const models = f.objectOf(root.models, 'models', TASKS, 'a task');
  const out: Partial<Record<Task, ManifestModel>> = {};
  for (const [task, model] of Object.entries(models) as [Task, Json][])
    out[task] = validateModel(f, task, model, `models.${task}`);
  if (Object.keys(out).length === 0) f.fail('models', 'must name at least one task');
  checkSharedFiles(f, out);
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    createdAt: f.text(root.createdAt, 'createdAt'),
    models: out,
  };
}

/** Tasks that name one file must agree on it (size, hash, opset) and each read its own output. */
function checkSharedFiles(f: JsonFields, models: Partial<Record<Task, ManifestModel>>): void {
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
        f.fail(`${path}.${key}`, `must equal models.${first.task}.${key}: both name ${m.file}`);
    }
    // Said of the task that reads the plain output.
    for (const plain of [first, m])
      if (plain.output.name === OUTPUT_NAME)
        f.fail(`models.${plain.task}.output.name`, {
          expected: `"${taskOutputName(plain.task)}" (tasks sharing ${m.file} each read their own output)`,
          found: OUTPUT_NAME,
        });
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

/** Validates face-detector.json (text or parsed); errors (ManifestError) name `file` and the field. */
export function parseDetectorInfo(json: string | Json, file = DETECTOR_INFO_FILE): DetectorInfo {
  const f = jsonFields(file, { error: ManifestError });
  const root = f.object(
    typeof json === 'string' ? parseJsonText(json, file, { error: ManifestError }) : json,
    '',
  );
  const onnxFile = insideFolder(f, root.file, 'file');
  const sha256 = f.hexDigest(root.sha256, 'sha256');
  const source = f.object(root.source, 'source');
  return {
    file: onnxFile,
    sha256,
    bytes: f.whole(root.bytes, 'bytes', 0),
    source: {
      package: f.text(source.package, 'source.package'),
      version: f.text(source.version, 'source.version'),
    },
    licence: f.array(root.licence, 'licence').map((line, i) => f.text(line, `licence[${i}]`)),
  };
}
