/**
 * `pnpm export` as a function: a training run folder in, a verified models/ folder out. Every task is
 * converted and verified, and the manifest built and checked, before anything is written; then the
 * ONNX files, tfjs sources, the run's confusion and reliability figures, the manifest and the model card
 * are written into a copy of the folder, which replaces it only once all of them are in.
 */
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  isJsonObject,
  ModelMismatchError,
  parseJsonText,
  taskLabels,
  taskOutputName,
  TASKS,
  type Manifest,
  type Task,
} from '@facekit/core';
import { MANIFEST_FILE, sha256OfBytes, writeFileAtomic } from '@facekit/core/node';
import {
  CALIBRATION_SVG,
  CONFUSION_SVG,
  loadLayersModel,
  modelDir,
  pathArg,
  readJson,
  sharedModelDir,
  taskDir,
  trainCommand,
  type RunInfo,
  type TaskMetrics,
} from '@facekit/train';
import { exportLayersModel, type ExportedOutput, type OnnxExport } from './export-model.js';
import {
  joinRobustness,
  measureRobustness,
  type RobustnessFaces,
  type RobustnessRow,
} from './robustness/measure.js';
import { readSplitFaces, readSplitSizes, readTaskMetrics, selectRun } from './run/read-run.js';
import { faceInputs } from './verify/inputs.js';
import { verifyExport, type VerificationReport } from './verify/verify.js';
import { copyDirAtomic, swapIn } from './write/atomic.js';
import { buildManifest, manifestEntry } from './write/manifest.js';
import { modelCard } from './write/model-card.js';
import type { TaskFigures } from './write/model-card-tasks.js';

export interface ExportRunOptions {
  readonly runDir: string;
  readonly outDir: string;
  /** Default: every finished task of the run. */
  readonly tasks?: readonly Task[];
  /** Dataset CSV whose first `faces` rows are used as real verification inputs; undefined: synthetic only. */
  readonly dataPath?: string;
  readonly faces?: number;
  readonly synthetic?: number;
  /** The export command line, for the model card (default: one built from runDir). */
  readonly command?: string;
  readonly log?: (line: string) => void;
}

export interface TaskExport {
  readonly task: Task;
  readonly file: string;
  readonly sha256: string;
  readonly exported: OnnxExport;
  /** The task's output in `exported`. */
  readonly output: ExportedOutput;
  readonly verification: VerificationReport;
}

export interface ExportRunResult {
  readonly manifest: Manifest;
  readonly manifestPath: string;
  readonly modelCardPath: string;
  readonly results: readonly TaskExport[];
}

/**
 * Copies the run's confusion matrix and reliability diagram of `task` beside its model
 * (`<outDir>/<task>/`) for the model card to embed; a figure the run lacks is skipped, and an earlier
 * export's copy of it removed (it would show another run's model). Returns the names of the files copied.
 */
async function copyTaskFigures(runDir: string, outDir: string, task: Task): Promise<string[]> {
  const copied: string[] = [];
  for (const name of [CONFUSION_SVG, CALIBRATION_SVG]) {
    const path = join(taskDir(runDir, task), name);
    const svg = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      // readFile's own words ("EISDIR: illegal operation on a directory, read") name no file.
      throw new Error(`cannot read ${path} (${error.message})`, { cause: error });
    });
    if (!svg) {
      await rm(join(outDir, task, name), { force: true });
      continue;
    }
    await writeFileAtomic(join(outDir, task, name), svg);
    copied.push(name);
  }
  return copied;
}

/**
 * What becomes one ONNX file: a task's own network, or a shared preset's whole network (`heads`, its
 * outputs in order) for the requested `tasks` among its heads — one file, one run for all of them.
 */
export interface ExportUnit {
  readonly source: string;
  readonly file: string;
  readonly shared: boolean;
  readonly heads: readonly Task[];
  readonly tasks: readonly Task[];
}

/** The shared network's file when the run has one for its tasks; a file per task otherwise. */
export async function exportUnits(runDir: string, tasks: readonly Task[]): Promise<ExportUnit[]> {
  const source = sharedModelDir(runDir);
  const heads = existsSync(join(source, 'model.json')) ? await sharedHeads(source) : [];
  const inShared = tasks.filter((t) => heads.includes(t));
  const units: ExportUnit[] = tasks
    .filter((t) => !heads.includes(t))
    .map((t) => ({
      source: modelDir(runDir, t),
      file: `${t}/model.onnx`,
      shared: false,
      heads: [t],
      tasks: [t],
    }));
  if (inShared.length > 0)
    units.unshift({ source, file: sharedFile(inShared), shared: true, heads, tasks: inShared });
  return units;
}

/**
 * A shared network's file, named after the tasks exported from it: `shared/model.onnx` for all three,
 * `shared-<tasks>/model.onnx` for fewer (e.g. a run trained with `--task age`). Exporting some tasks
 * into a folder keeps the other tasks' entries, so the file those still use must not be overwritten:
 * two exports share a name only when they export the same tasks, and then no old entry is kept for it.
 */
function sharedFile(tasks: readonly Task[]): string {
  const ordered = TASKS.filter((t) => tasks.includes(t));
  return ordered.length === TASKS.length ? 'shared/model.onnx' : `shared-${ordered.join('-')}/model.onnx`;
}

/** Every ONNX file name the exporter writes: each task's own, and a shared network's for each set of tasks. */
const EXPORTER_FILES: readonly string[] = [
  ...TASKS.map((t) => `${t}/model.onnx`),
  ...Array.from({ length: 2 ** TASKS.length - 1 }, (_, mask) =>
    sharedFile(TASKS.filter((_, bit) => ((mask + 1) >> bit) & 1)),
  ),
];

/** A unit's network as ONNX: a shared network's outputs named after its heads, the run in the metadata. */
export function exportUnit(model: tf.LayersModel, unit: ExportUnit, info: RunInfo): Promise<OnnxExport> {
  return exportLayersModel(model, {
    ...(unit.shared ? { outputNames: unit.heads.map(taskOutputName) } : {}),
    metadata: {
      tasks: unit.heads.join(','),
      labels: unit.heads.map((t) => taskLabels(t, info.ageGrouping).join(',')).join(';'),
      runId: info.runId,
      preset: info.preset,
    },
  });
}

/** The tasks of a shared network, in output order: its heads' final layers are named after them. */
async function sharedHeads(dir: string): Promise<Task[]> {
  // readJson names the file when it is cut short or missing (JSON.parse's own words name none).
  const json = await readJson<{
    modelTopology?: { config?: { output_layers?: unknown } };
  } | null>(join(dir, 'model.json'));
  const outputs = json?.modelTopology?.config?.output_layers;
  const names = (Array.isArray(outputs) ? outputs : []).map((o) => String(Array.isArray(o) ? o[0] : o));
  const bad = names.find((n) => !(TASKS as readonly string[]).includes(n));
  if (names.length === 0 || bad !== undefined)
    throw new Error(
      `${dir}: a shared network's outputs must be named after tasks (got [${names.join(', ')}])`,
    );
  return names as Task[];
}

/**
 * Deletes the ONNX files the folder's previous manifest named (the exporter's own: a task's, or a shared
 * one) that the new manifest no longer names, as when a shared network replaces per-task files. A file no
 * manifest named (the manifest deleted by hand) is not this export's to judge, and stays.
 */
async function removeUnreferenced(outDir: string, manifest: Manifest, previous: unknown): Promise<string[]> {
  const used = new Set(Object.values(manifest.models).map((m) => m.file));
  const oldModels = isJsonObject(previous) && isJsonObject(previous.models) ? previous.models : {};
  const named = new Set(Object.values(oldModels).map((m) => (isJsonObject(m) ? m.file : undefined)));
  const removed: string[] = [];
  for (const file of EXPORTER_FILES) {
    if (!named.has(file) || used.has(file) || !existsSync(join(outDir, file))) continue;
    await rm(join(outDir, file));
    // A shared network's folder holds nothing else; a task's keeps its tfjs source and figures.
    await rmdir(dirname(join(outDir, file))).catch(() => undefined);
    removed.push(file);
  }
  return removed;
}

/**
 * The manifest already in `outDir` (undefined where there is none): the tasks this export leaves alone
 * (`kept`) keep its entries, with their files, and the files it named that the new one does not are
 * removed. One that cannot be read or is not JSON is refused while it has entries to keep — taken as
 * none, those tasks would be dropped — and taken as none when the export replaces every task.
 */
async function previousManifest(outDir: string, kept: readonly Task[]): Promise<unknown> {
  const path = join(outDir, MANIFEST_FILE);
  const loss = `so the entries of ${kept.join(', ')}, which this export does not replace, and their files would be lost; mend or remove it, or export to another --out`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || kept.length === 0) return undefined;
    throw new Error(`${path}: cannot be read (${(error as Error).message}), ${loss}`, { cause: error });
  }
  if (kept.length > 0) return parseJsonText(text, path, { hint: loss });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Runs `write` on a copy of `outDir` made beside it, then swaps the copy in, so that an export whose
 * writes fail part-way (a full disk, a file in the way) leaves `outDir` as it was rather than half new.
 * Where the folder itself cannot be moved (a mount point, or a rename refused), `write` runs on
 * `outDir` in place, each file still replaced atomically.
 */
async function replaceFolder<T>(outDir: string, write: (dir: string) => Promise<T>): Promise<T> {
  await mkdir(dirname(outDir), { recursive: true });
  const current = existsSync(outDir) ? await stat(outDir) : undefined;
  // A mount point is written in place at once, rather than staged beside it and then written again.
  if (current && current.dev !== (await stat(dirname(outDir))).dev) return write(outDir);
  const stage = await mkdtemp(join(dirname(outDir), `.${basename(outDir)}.export-`));
  const old = `${stage}.old`;
  try {
    const existed = current !== undefined;
    // mkdtemp's folder is private (0700); the swapped-in folder keeps the permissions the old one had.
    await chmod(stage, current ? current.mode & 0o7777 : 0o777 & ~process.umask());
    if (existed) await cp(outDir, stage, { recursive: true });
    const result = await write(stage);
    if (existed) {
      const moved = await rename(outDir, old).then(
        () => true,
        () => false,
      );
      if (!moved) return await write(outDir);
    }
    await swapIn(stage, outDir, existed ? old : undefined);
    return result;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

export async function exportRun(options: ExportRunOptions): Promise<ExportRunResult> {
  const log = options.log ?? (() => {});
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  const { runDir, info, tasks } = await selectRun(options.runDir, options.tasks);
  // Read now: a broken split.json fails the export before its long steps, not after.
  const split = await readSplitSizes(runDir);
  log(`run ${info.runId} (preset ${info.preset}, backend ${info.backend}): exporting ${tasks.join(', ')}`);
  let faces: Float32Array | undefined;
  if (options.dataPath) {
    const read = await faceInputs(options.dataPath, options.faces ?? 256);
    faces = read.inputs;
    log(
      `verification inputs: ${read.count} faces from ${options.dataPath} + ${options.synthetic ?? 64} synthetic`,
    );
  } else {
    log(`verification inputs: no data file, ${options.synthetic ?? 64} synthetic only`);
  }

  const results: TaskExport[] = [];
  const metrics: Partial<Record<Task, TaskMetrics>> = {};
  for (const unit of await exportUnits(runDir, tasks)) {
    const what = unit.tasks.join(', ');
    log(`${what}: loading ${unit.source}`);
    const model = await loadLayersModel(unit.source);
    // Disposed whichever way the unit ends: a refused layer or a failed check leaves no tensors behind.
    try {
      const exported = await exportUnit(model, unit, info);
      log(
        `${unit.file}: ${exported.nodes} ONNX nodes, ${exported.bytes.length} bytes; verifying against tfjs`,
      );
      const sha256 = sha256OfBytes(exported.bytes);
      for (const task of unit.tasks) {
        const width = exported.outputs[unit.heads.indexOf(task)]!.shape[1];
        const labels = taskLabels(task, info.ageGrouping);
        if (width !== labels.length)
          throw new Error(`${task}: the model gives ${String(width)} outputs for ${labels.length} labels`);
      }
      // Every output at once: one reference pass of tfjs's pure-JS backend for the file's tasks.
      const verifications = await verifyExport(model, exported, {
        ...(faces ? { inputs: faces } : {}),
        synthetic: options.synthetic ?? 64,
      });
      for (const task of unit.tasks) {
        const index = unit.heads.indexOf(task);
        const output = exported.outputs[index]!;
        const verification = verifications[index]!;
        if (verification.rowSumError > 1e-4) {
          throw new ModelMismatchError(
            unit.source,
            `${output.name} is not probabilities (a row sums to 1 ± ${verification.rowSumError.toExponential(2)}); end the network with softmax or one sigmoid unit`,
          );
        }
        log(
          `${task}: ok — max abs diff ${verification.maxAbsDiff.toExponential(2)}, argmax agreement ${verification.argmaxAgreement * 100}% over ${verification.samples}; onnxruntime-web ${verification.web?.maxAbsDiff.toExponential(2)}`,
        );
        results.push({
          task,
          file: unit.file,
          sha256,
          exported,
          output,
          verification,
        });
        const m = await readTaskMetrics(runDir, task);
        if (m) metrics[task] = m;
      }
    } finally {
      model.dispose();
    }
  }

  // The manifest is built (and validated) before the long robustness step, so a bad one fails at once.
  const entries = results.map((r) =>
    manifestEntry({
      task: r.task,
      ageGrouping: info.ageGrouping,
      exported: r.exported,
      output: r.output,
      sha256: r.sha256,
      file: r.file,
      tfjs: `${r.task}/tfjs/model.json`,
      training: {
        runId: info.runId,
        preset: info.preset,
        backend: info.backend,
        epochs: info.epochs[r.task] ?? 0,
        seed: info.seed,
        testFraction: info.testFraction,
        dataSha256: info.data.sha256,
        dataRows: info.data.rows,
      },
      metrics: metricsSummary(metrics[r.task]),
      verification: r.verification,
    }),
  );
  const exported = new Set(results.map((r) => r.task));
  const previous = await previousManifest(
    options.outDir,
    TASKS.filter((task) => !exported.has(task)),
  );
  const { text, manifest } = buildManifest(entries, previous);

  const testFaces = await readSplitFaces(runDir, info, options.dataPath, tasks);
  log(
    typeof testFaces === 'string'
      ? `robustness: not measured — ${testFaces}`
      : `robustness: ${testFaces.rows.length} test faces, changed one way at a time`,
  );
  const robustness = typeof testFaces === 'string' ? testFaces : await robustnessOf(results, testFaces);

  const manifestPath = join(options.outDir, MANIFEST_FILE);
  const modelCardPath = join(options.outDir, 'MODEL_CARD.md');
  const verifications = Object.fromEntries(results.map((r) => [r.task, r.verification]));
  const commands = [trainCommand(info, runDir), options.command ?? `pnpm export --run ${pathArg(runDir)}`];
  const removed = await replaceFolder(options.outDir, async (dir) => {
    const figures: TaskFigures = {};
    for (const [i, r] of results.entries()) {
      if (results.findIndex((o) => o.file === r.file) === i)
        await writeFileAtomic(join(dir, r.file), r.exported.bytes);
      await copyDirAtomic(modelDir(runDir, r.task), join(dir, r.task, 'tfjs'));
      figures[r.task] = await copyTaskFigures(runDir, dir, r.task);
    }
    await writeFileAtomic(join(dir, MANIFEST_FILE), text);
    const gone = await removeUnreferenced(dir, manifest, previous);
    await writeFileAtomic(
      join(dir, 'MODEL_CARD.md'),
      modelCard({
        manifest,
        run: info,
        metrics,
        verifications,
        commands,
        figures,
        robustness,
        ...(split ? { split } : {}),
      }),
    );
    return gone;
  });
  for (const file of removed) log(`removed ${file} (no task uses it now)`);
  for (const task of TASKS.filter((t) => manifest.models[t] && !results.some((r) => r.task === t)))
    log(`kept ${task} from run ${manifest.models[task]!.training.runId} (${manifest.models[task]!.file})`);
  log(`wrote ${manifestPath} and ${modelCardPath}`);
  return { manifest, manifestPath, modelCardPath, results };
}

/** The robustness rows of every exported file (a shared file once, for all its tasks), joined per row. */
async function robustnessOf(
  results: readonly TaskExport[],
  faces: RobustnessFaces,
): Promise<RobustnessRow[]> {
  let rows: RobustnessRow[] = [];
  for (const file of new Set(results.map((r) => r.file))) {
    const of = results.filter((r) => r.file === file);
    const outputs = of.map((r) => ({ task: r.task, name: r.output.name }));
    rows = joinRobustness(rows, await measureRobustness(of[0]!.exported.bytes, outputs, faces));
  }
  return rows;
}

function metricsSummary(m: TaskMetrics | undefined): Record<string, number> {
  if (!m) return {};
  return {
    accuracy: m.accuracy,
    macroF1: m.macroF1,
    loss: m.loss,
    samples: m.samples,
    ...(m.expectedCalibrationError === undefined
      ? {}
      : { expectedCalibrationError: m.expectedCalibrationError }),
  };
}
