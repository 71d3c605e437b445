/**
 * The run folder: everything one `pnpm train` leaves behind, and what `pnpm export` reads.
 *
 *   runs/<runId>/run.json            RunInfo: preset, backend, seed, split, data provenance, tasks' status
 *   runs/<runId>/split.json          the row indices of train / validation / test (reproducible evaluation)
 *   runs/<runId>/report.md           the report, with the SVGs beside it
 *   runs/<runId>/<task>/model/       the trained tfjs model (model.json + weights.bin)
 *   runs/<runId>/<task>/checkpoint/  the last finished epoch's model, optimizer state and progress
 *   runs/<runId>/<task>/history.json per-epoch loss and accuracy
 *   runs/<runId>/<task>/metrics.json test metrics (TaskMetrics)
 */
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AGE_GROUPINGS, jsonFields, TASKS, type AgeGrouping, type Task } from '@facekit/core';
import { writeFileAtomic } from '@facekit/core/node';

export interface DataProvenance {
  readonly path: string;
  readonly sha256: string;
  readonly rows: number;
  readonly skippedRows: number;
  readonly duplicateRows: number;
  readonly conflictingDuplicateGroups: number;
}

export type TaskStatus = 'pending' | 'training' | 'done';

export interface RunInfo {
  readonly runId: string;
  readonly createdAt: string;
  readonly preset: string;
  readonly backend: string;
  readonly seed: number;
  /** The split's own seed, when the run drew it with another than `seed` (`--split-seed`). */
  readonly splitSeed?: number;
  readonly testFraction: number;
  readonly validationFraction: number;
  readonly ageGrouping: AgeGrouping;
  /** Training threads the run was asked for (`--threads`); absent: as many as paid off. */
  readonly threads?: number;
  readonly epochs: Partial<Record<Task, number>>;
  readonly data: DataProvenance;
  readonly tasks: Partial<Record<Task, TaskStatus>>;
}

export const RUN_JSON = 'run.json';
export const SPLIT_JSON = 'split.json';

export const taskDir = (runDir: string, task: Task) => join(runDir, task);
export const modelDir = (runDir: string, task: Task) => join(runDir, task, 'model');
/**
 * A shared preset's whole network (trunk and every head, tempered): what the exporter turns into one
 * ONNX file for all its tasks. Each task's own `modelDir` holds its head with the trunk.
 */
export const sharedModelDir = (runDir: string) => join(runDir, 'shared', 'model');
/** Checkpoint of an ensemble preset's member `k` (0-based), trained before the members are joined. */
export const memberCheckpointDir = (runDir: string, k: number) =>
  join(runDir, 'shared', `member-${k + 1}`, 'checkpoint');
/** Where a network's checkpoint lives: its task's folder, or `shared/` for a shared preset's network. */
export const checkpointDir = (runDir: string, network: Task | 'shared') =>
  join(runDir, network, 'checkpoint');
export const metricsPath = (runDir: string, task: Task) => join(runDir, task, 'metrics.json');
export const historyPath = (runDir: string, task: Task) => join(runDir, task, 'history.json');
/** The rest of a task's report (time, sizes, ensemble members), for report.md rebuilt after a resume. */
export const taskReportPath = (runDir: string, task: Task) => join(runDir, task, 'report.json');

/** Writes JSON whole or not at all (writeFileAtomic), so readers never see half a file. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** A run folder's JSON file; errors name the file (JSON.parse's and ENOENT's own name none). */
export async function readJson<T>(path: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') throw new Error(`${path} does not exist`, { cause: error });
    throw new Error(`cannot read ${path} (${(error as Error).message})`, { cause: error });
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

export async function readRunInfo(runDir: string): Promise<RunInfo> {
  const path = join(runDir, RUN_JSON);
  if (!existsSync(runDir)) throw new Error(`${runDir} is not a run folder (it does not exist)`);
  if (!statSync(runDir).isDirectory()) throw new Error(`${runDir} is not a run folder (it is a file)`);
  if (!existsSync(path)) throw new Error(`${runDir} is not a run folder (it has no ${RUN_JSON})`);
  return checkRunInfo(await readJson<unknown>(path), path);
}

const TASK_STATUSES = ['pending', 'training', 'done'] as const satisfies TaskStatus[];

/**
 * A run.json's fields, checked as `pnpm train` writes it: an edited or foreign file is refused here,
 * naming the file and the field, rather than failing later (in the export or a resume) with words that
 * name neither, or resuming with a setting that is not the run's.
 */
function checkRunInfo(json: unknown, path: string): RunInfo {
  const f = jsonFields(path);
  const run = f.object(json, '', "a JSON object (a run's settings)");
  for (const key of ['runId', 'createdAt', 'preset', 'backend']) f.text(run[key], key);
  f.whole(run.seed, 'seed', 0);
  if (run.splitSeed !== undefined) f.whole(run.splitSeed, 'splitSeed', 0);
  if (run.threads !== undefined) f.whole(run.threads, 'threads', 1);
  f.share(run.testFraction, 'testFraction', { zero: false });
  f.share(run.validationFraction, 'validationFraction');
  f.oneOf(run.ageGrouping, 'ageGrouping', AGE_GROUPINGS);
  const tasks = f.objectOf(
    run.tasks,
    'tasks',
    TASKS,
    'a task',
    "an object mapping each of the run's tasks to its status",
  );
  if (Object.keys(tasks).length === 0) f.fail('tasks', 'must name at least one task');
  for (const [task, status] of Object.entries(tasks)) f.oneOf(status, `tasks.${task}`, TASK_STATUSES);
  const epochs = f.object(run.epochs, 'epochs', "an object mapping each of the run's tasks to its epochs");
  for (const task of Object.keys(tasks)) f.whole(epochs[task], `epochs.${task}`, 1);
  const data = f.object(run.data, 'data', "a JSON object describing the run's data file");
  f.text(data.path, 'data.path');
  f.hexDigest(data.sha256, 'data.sha256');
  for (const key of ['rows', 'skippedRows', 'duplicateRows', 'conflictingDuplicateGroups'])
    f.whole(data[key], `data.${key}`, 0);
  return run as unknown as RunInfo;
}

/** The run folders under `runsDir` with a readable run.json, oldest first (by run.json's createdAt). */
export async function runsByStart(runsDir: string): Promise<{ dir: string; info: RunInfo }[]> {
  const names = existsSync(runsDir) ? await readdir(runsDir) : [];
  const runs = await Promise.all(
    names.map(async (name) => {
      const dir = join(runsDir, name);
      const info = await readRunInfo(dir).catch(() => undefined);
      return info ? [{ dir, info }] : [];
    }),
  );
  return runs.flat().sort((a, b) => a.info.createdAt.localeCompare(b.info.createdAt));
}
