/**
 * report.md at the root of a run folder: the page a person opens after `pnpm train`. It says how the
 * run was made (so it can be reproduced and its numbers trusted: preset, backend, seed, split, data
 * hash, what was skipped or de-duplicated and why) and what came out, task by task, with the SVGs
 * beside it linked relatively so the folder can be moved or viewed on GitHub as is.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TASKS, type Task } from '@facekit/core';
import { historyPath, metricsPath, readJson, taskReportPath, type RunInfo } from '../run-folder.js';
import { duration, fixed, int, mdCode, mdTable, pct } from './markdown.js';
import type { EpochRecord, TaskMetrics } from './metrics-types.js';
import { writeFileAtomic } from '@facekit/core/node';
import { taskSection, trainingTiming, type TaskReport } from './task-section.js';

export const REPORT_MD = 'report.md';

/** Skipped rows as the CSV loader reports them (`LoadedCsv.skipped` fits). */
export interface SkippedRowsSummary {
  /** Skipped rows per reason, e.g. { "pixel count": 3 }. */
  readonly byReason: Readonly<Record<string, number>>;
  /** A few full messages, `file:line: reason`. */
  readonly examples?: readonly string[];
}

interface Sized {
  readonly length: number;
}

/** What the report shows beyond RunInfo, when the caller knows it. */
export interface RunReportExtras {
  /** Why rows were skipped under `--skip-invalid`. */
  readonly skipped?: SkippedRowsSummary;
  /** The split, or anything with its parts' sizes (`DataSplit` fits). */
  readonly split?: { readonly train: Sized; readonly validation: Sized; readonly test: Sized };
  /** The command line that made the run. */
  readonly command?: string;
  /** Why a finished task's results, trained before a `--resume`, could not be read back. */
  readonly unreadable?: Partial<Record<Task, string>>;
}

function settings(run: RunInfo, extras: RunReportExtras): string {
  const epochs = TASKS.filter((t) => run.epochs[t] !== undefined).map((t) => `${t} ${run.epochs[t]}`);
  const s = extras.split;
  const sizes = s
    ? `train ${int(s.train.length)} · validation ${int(s.validation.length)} · test ${int(s.test.length)} rows`
    : 'row indices in split.json';
  const rows = [
    ['preset', mdCode(run.preset)],
    ['backend', mdCode(run.backend)],
    ['seed', String(run.seed)],
    ['split', `test ${pct(run.testFraction, 0)}, validation ${pct(run.validationFraction, 0)}; ${sizes}`],
    ['epochs', epochs.join(', ') || '—'],
    ['age grouping', run.ageGrouping],
    ['created', run.createdAt],
  ];
  if (extras.command) rows.push(['command', mdCode(extras.command)]);
  return ['## Settings', mdTable(['setting', 'value'], rows)].join('\n\n');
}

function data(run: RunInfo, extras: RunReportExtras): string {
  const d = run.data;
  const rows = [
    ['path', mdCode(d.path)],
    ['sha256', mdCode(d.sha256)],
    ['rows', int(d.rows)],
    ['skipped rows', int(d.skippedRows)],
    ['duplicate rows (byte-identical images)', int(d.duplicateRows)],
    ['duplicate groups with conflicting labels', int(d.conflictingDuplicateGroups)],
  ];
  const parts = ['## Data', mdTable(['data', 'value'], rows)];
  const reasons = Object.entries(extras.skipped?.byReason ?? {}).sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0) {
    const table = reasons.map(([reason, n]) => [reason, int(n)]);
    parts.push('Skipped rows, by reason:', mdTable(['reason', 'rows'], table, [false, true]));
    const examples = extras.skipped?.examples ?? [];
    if (examples.length > 0)
      parts.push(['For example:', ...examples.map((e) => `- ${mdCode(e)}`)].join('\n'));
  } else if (d.skippedRows > 0) {
    parts.push('The reasons for skipping were not recorded with this run.');
  }
  parts.push('Byte-identical images are kept on one side of the split: none is in both training and test.');
  return parts.join('\n\n');
}

function summary(run: RunInfo, tasks: readonly Task[], byTask: ReadonlyMap<Task, TaskReport>): string {
  const rows = tasks.map((t) => {
    const r = byTask.get(t);
    if (!r) return [t, run.tasks[t] ?? 'pending', '—', '—', '—', '—', '—', '—', '—', '—'];
    const { seconds, samplesPerSecond } = trainingTiming(r);
    const m = r.metrics;
    const ece = m.expectedCalibrationError === undefined ? '—' : pct(m.expectedCalibrationError);
    const numbers = [
      pct(m.accuracy),
      fixed(m.macroF1),
      fixed(m.loss),
      ece,
      m.validation ? pct(m.validation.accuracy) : '—',
      m.validation ? fixed(m.validation.loss) : '—',
      duration(seconds),
      int(samplesPerSecond),
    ];
    return [`[${t}](#${t})`, 'done', ...numbers];
  });
  const header = [
    'task',
    'status',
    'test accuracy',
    'macro-F1',
    'loss',
    'ECE',
    'val accuracy',
    'val loss',
    'training time',
    'samples/s',
  ];
  const right = header.map((_, i) => i >= 2);
  return ['## Results', mdTable(header, rows, right)].join('\n\n');
}

/** The report's Markdown. Tasks of RunInfo without a TaskReport are listed with their status. */
export function renderRunReport(
  run: RunInfo,
  perTask: readonly TaskReport[],
  extras: RunReportExtras = {},
): string {
  const byTask = new Map(perTask.map((r) => [r.task, r]));
  const tasks = TASKS.filter((t) => byTask.has(t) || run.tasks[t] !== undefined);
  const sections = tasks.map((t) => {
    const r = byTask.get(t);
    if (r) return taskSection(r, run.epochs[t]);
    const status = run.tasks[t] ?? 'pending';
    const unreadable = extras.unreadable?.[t];
    const hint =
      status !== 'done'
        ? 'resume the run with `--resume`'
        : `its results could not be read back${unreadable ? `: ${unreadable}` : ''}`;
    return `## ${t}\n\nNo results (status: ${status}); ${hint}.`;
  });
  const intro = `Preset ${mdCode(run.preset)} on backend ${mdCode(run.backend)}, seed ${run.seed}.`;
  const head = [`# Training run ${mdCode(run.runId)}`, intro, summary(run, tasks, byTask)];
  return `${[...head, settings(run, extras), data(run, extras), ...sections].join('\n\n')}\n`;
}

/**
 * A finished task's results as `writeTaskArtifacts` saved them, or why they cannot be read back (a file
 * deleted, cut short or edited): the report then says so in the task's section, where a throw here
 * failed the whole run at its very end, after every task had trained. A run written before report.json
 * existed gives its metrics and history alone.
 */
export async function readTaskReport(runDir: string, task: Task): Promise<TaskReport | string> {
  try {
    const [metrics, history, rest] = await Promise.all([
      readJson<TaskMetrics>(metricsPath(runDir, task)),
      readJson<EpochRecord[]>(historyPath(runDir, task)),
      existsSync(taskReportPath(runDir, task))
        ? readJson<Partial<TaskReport>>(taskReportPath(runDir, task))
        : {},
    ]);
    if (!Array.isArray(history)) return `${historyPath(runDir, task)} holds no list of epochs`;
    if (metrics === null || typeof metrics !== 'object' || metrics.task !== task)
      return `${metricsPath(runDir, task)} holds no metrics of task ${task}`;
    if (rest === null || typeof rest !== 'object' || Array.isArray(rest))
      return `${taskReportPath(runDir, task)} holds no report of task ${task}`;
    return { ...rest, task, metrics, history };
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Writes `<runDir>/report.md` atomically and returns its path. Tasks marked done in `runInfo` but absent
 * from `perTask` (trained before a `--resume`) are read back from their metrics.json, history.json and
 * report.json.
 */
export async function writeRunReport(
  runDir: string,
  runInfo: RunInfo,
  perTask: readonly TaskReport[],
  extras: RunReportExtras = {},
): Promise<string> {
  const reports = [...perTask];
  const unreadable: Partial<Record<Task, string>> = {};
  for (const task of TASKS) {
    if (runInfo.tasks[task] !== 'done' || reports.some((r) => r.task === task)) continue;
    const saved = await readTaskReport(runDir, task);
    if (typeof saved === 'string') unreadable[task] = saved;
    else reports.push(saved);
  }
  const path = join(runDir, REPORT_MD);
  await writeFileAtomic(path, renderRunReport(runInfo, reports, { ...extras, unreadable }));
  return path;
}
