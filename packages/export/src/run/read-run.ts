/**
 * Reading what `pnpm train` left in a run folder, through the train package's run-folder contract:
 * which run is the latest, which tasks finished, their tfjs models and test metrics, and the faces of
 * a part of its split (the test part for the robustness table). A task that has not finished is
 * refused by name instead of exporting a half-trained checkpoint.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TASKS, type Task } from '@facekit/core';
import {
  loadCsv,
  metricsPath,
  modelDir,
  pathArg,
  readJson,
  readRunInfo,
  runsByStart,
  SPLIT_JSON,
  checkSplitRows,
  splitFromJson,
  taskTargets,
  type DataSplit,
  type RunInfo,
  type TaskMetrics,
} from '@facekit/train';
import type { RobustnessFaces } from '../robustness/measure.js';

/** The run folder under `runsDir` with the newest run.json createdAt that has a finished task. */
export async function latestRun(runsDir: string): Promise<string> {
  const finished = (await runsByStart(runsDir)).filter(
    ({ dir, info }) => finishedTasks(dir, info).length > 0,
  );
  const latest = finished.at(-1);
  if (!latest)
    throw new Error(
      `no finished training run in ${runsDir}; run \`pnpm train\` first or pass --run <folder>`,
    );
  return latest.dir;
}

/** Tasks marked done whose model folder exists, in canonical order. */
export function finishedTasks(runDir: string, info: RunInfo): Task[] {
  return TASKS.filter((t) => info.tasks[t] === 'done' && existsSync(join(modelDir(runDir, t), 'model.json')));
}

export interface RunSelection {
  readonly runDir: string;
  readonly info: RunInfo;
  readonly tasks: readonly Task[];
}

export async function selectRun(runDir: string, requested?: readonly Task[]): Promise<RunSelection> {
  // readRunInfo's errors name the folder or file and what is wrong with it.
  const info = await readRunInfo(runDir);
  const done = finishedTasks(runDir, info);
  const tasks = requested ?? done;
  for (const task of tasks) {
    if (!done.includes(task))
      throw new Error(
        `${runDir}: task ${task} is not finished (status: ${info.tasks[task] ?? 'not in this run'})`,
      );
  }
  if (tasks.length === 0)
    throw new Error(
      `${runDir}: no finished task to export (the run stopped before one finished: pnpm train --resume ${pathArg(runDir)})`,
    );
  return { runDir, info, tasks };
}

/** The data file a run was trained on, where its run.json says, if it is still there. */
export async function trainedOn(runDir: string): Promise<string | undefined> {
  const path = await readRunInfo(runDir).then(
    (info) => info.data.path,
    () => undefined, // not a run: the export says so itself
  );
  return path && existsSync(path) ? path : undefined;
}

export async function readTaskMetrics(runDir: string, task: Task): Promise<TaskMetrics | undefined> {
  const path = metricsPath(runDir, task);
  return existsSync(path) ? readJson<TaskMetrics>(path) : undefined;
}

/** How many faces each part of a run's split holds. */
export interface SplitSizes {
  readonly train: number;
  readonly validation: number;
  readonly test: number;
}

/** The run's split.json, undefined for a run without one. */
async function readSplit(runDir: string): Promise<DataSplit | undefined> {
  const splitPath = join(runDir, SPLIT_JSON);
  return existsSync(splitPath) ? splitFromJson(await readJson(splitPath), splitPath) : undefined;
}

/** The faces in each part of the run's split; undefined for a run without split.json. */
export async function readSplitSizes(runDir: string): Promise<SplitSizes | undefined> {
  const split = await readSplit(runDir);
  return split && { train: split.train.length, validation: split.validation.length, test: split.test.length };
}

/**
 * The faces of one part of the run's split (the test part for the model card) and their classes, read
 * from `dataPath` — which must be the very file the run was trained on (its sha256) — through the
 * run's split.json. A string says why they cannot be read.
 */
export async function readSplitFaces(
  runDir: string,
  info: RunInfo,
  dataPath: string | undefined,
  tasks: readonly Task[],
  part: 'validation' | 'test' = 'test',
): Promise<RobustnessFaces | string> {
  const split = await readSplit(runDir);
  if (!split) return `the run has no ${SPLIT_JSON}`;
  if (!dataPath || !existsSync(dataPath)) return 'no data file (pass --data)';
  const csv = await loadCsv(dataPath, { skipInvalid: info.data.skippedRows > 0 });
  if (csv.sha256 !== info.data.sha256)
    return `${dataPath} is not the file the run was trained on (sha256 ${csv.sha256.slice(0, 12)}…, the run's ${info.data.sha256.slice(0, 12)}…)`;
  checkSplitRows(split, csv.dataset.size, join(runDir, SPLIT_JSON));
  return {
    pixels: csv.dataset.pixels,
    rows: split[part],
    targets: Object.fromEntries(tasks.map((t) => [t, taskTargets(csv.dataset, t, info.ageGrouping)])),
  };
}
