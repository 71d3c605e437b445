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
import { isAgeGrouping, isTask, type AgeGrouping, type Task } from '@facekit/core';
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

const TASK_STATUSES: readonly string[] = ['pending', 'training', 'done'] satisfies TaskStatus[];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A run.json's fields, checked as `pnpm train` writes them: an edited or foreign file is refused here,
 * naming the file and the field, rather than failing later (in the export or a resume) with words that
 * name neither, or resuming with a setting that is not the run's.
 */
function checkRunInfo(json: unknown, path: string): RunInfo {
  const fail = (what: string, value: unknown): never => {
    throw new Error(`${path}: ${what}, got ${JSON.stringify(value) ?? String(value)}`);
  };
  if (!isRecord(json)) return fail("not a run's settings (a JSON object)", json);
  const text = (key: string, value: unknown) =>
    (typeof value === 'string' && value.length > 0) || fail(`${key} must be a non-empty string`, value);
  const whole = (key: string, value: unknown, min: number) =>
    (Number.isInteger(value) && (value as number) >= min) ||
    fail(`${key} must be a whole number ≥ ${min}`, value);
  const share = (key: string, value: unknown, allowZero: boolean) =>
    (typeof value === 'number' && value < 1 && (value > 0 || (allowZero && value === 0))) ||
    fail(`${key} must be a number ${allowZero ? 'from 0' : 'above 0'} and below 1`, value);
  for (const key of ['runId', 'createdAt', 'preset', 'backend']) text(key, json[key]);
  whole('seed', json.seed, 0);
  if (json.splitSeed !== undefined) whole('splitSeed', json.splitSeed, 0);
  if (json.threads !== undefined) whole('threads', json.threads, 1);
  share('testFraction', json.testFraction, false);
  share('validationFraction', json.validationFraction, true);
  if (!isAgeGrouping(json.ageGrouping)) fail('ageGrouping must be six or decades', json.ageGrouping);
  const { tasks, epochs, data } = json;
  if (!isRecord(tasks) || Object.keys(tasks).length === 0)
    fail("tasks must map each of the run's tasks to its status", tasks);
  for (const [task, status] of Object.entries(tasks as Record<string, unknown>)) {
    if (!isTask(task)) fail(`tasks: "${task}" is not a task (age, ethnicity, gender)`, tasks);
    if (typeof status !== 'string' || !TASK_STATUSES.includes(status))
      fail(`tasks.${task} must be ${TASK_STATUSES.join(', ')}`, status);
  }
  if (!isRecord(epochs)) fail("epochs must map each of the run's tasks to its epochs", epochs);
  for (const task of Object.keys(tasks as object))
    whole(`epochs.${task}`, (epochs as Record<string, unknown>)[task], 1);
  if (!isRecord(data)) return fail("data must describe the run's data file", data);
  text('data.path', data.path);
  if (typeof data.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(data.sha256))
    fail('data.sha256 must be 64 hex digits', data.sha256);
  for (const key of ['rows', 'skippedRows', 'duplicateRows', 'conflictingDuplicateGroups'])
    whole(`data.${key}`, data[key], 0);
  return json as unknown as RunInfo;
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
