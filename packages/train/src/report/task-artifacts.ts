/**
 * Writes one task's evaluation into the run folder once its test metrics are known: the numbers
 * (`history.json`, `metrics.json`, read back by the exporter; `report.json`, read back when report.md
 * is written again after a resume) and the pictures (`curves.svg`, `confusion.svg`, `calibration.svg`,
 * embedded by `report.md`). Every file is written whole or not at all (writeFileAtomic), so an
 * interrupted run never leaves a half-written file for a reader to choke on.
 */
import { join } from 'node:path';
import type { Task } from '@facekit/core';
import { writeFileAtomic } from '@facekit/core/node';
import { historyPath, metricsPath, taskDir, taskReportPath, writeJsonAtomic } from '../run-folder.js';
import { calibrationSvg } from './calibration-svg.js';
import { confusionSvg } from './confusion-svg.js';
import { curvesSvg, type CurveSet } from './curves-svg.js';
import type { EpochRecord, TaskMetrics } from './metrics-types.js';
import type { EnsembleMember, TaskReport } from './task-section.js';

export const CURVES_SVG = 'curves.svg';
export const CONFUSION_SVG = 'confusion.svg';
export const CALIBRATION_SVG = 'calibration.svg';

/**
 * The curves an ensemble's figure draws, one set per member; none (the run's own history is drawn)
 * unless every member's history is known. The report says which of the two the figure shows.
 */
export function memberCurves(members: readonly EnsembleMember[] = []): CurveSet[] {
  return members.every((m) => m.history?.length)
    ? members.map((m, k) => ({ label: `${k + 1}: ${m.preset}`, history: m.history! }))
    : [];
}

/**
 * The SVG files a task's metrics yield (calibration only when the metrics carry reliability data); an
 * ensemble's curves show each member (memberCurves).
 */
export function taskFigures(
  task: Task,
  history: readonly EpochRecord[],
  metrics: TaskMetrics,
  members: readonly EnsembleMember[] = [],
): Map<string, string> {
  const figures = new Map<string, string>([
    [CURVES_SVG, curvesSvg(task, history, memberCurves(members))],
    [CONFUSION_SVG, confusionSvg(task, metrics.labels, metrics.confusion)],
  ]);
  if (metrics.reliability !== undefined && metrics.expectedCalibrationError !== undefined) {
    const bins = metrics.calibrationBins ?? metrics.reliability.length;
    figures.set(
      CALIBRATION_SVG,
      calibrationSvg(task, metrics.reliability, metrics.expectedCalibrationError, bins),
    );
  }
  return figures;
}

/**
 * Writes `<task>/history.json`, `<task>/metrics.json`, `<task>/report.json` (the rest of the report:
 * training time, rows, parameters, ensemble members, which a report rebuilt after a `--resume` shows as
 * the first one did) and the task's SVGs under `runDir`. Returns the files written, relative to
 * `runDir` (forward slashes, as Markdown links want them).
 */
export async function writeTaskArtifacts(runDir: string, report: TaskReport): Promise<string[]> {
  const { task, history, metrics, ...rest } = report;
  if (metrics.task !== task) throw new Error(`metrics are for task "${metrics.task}", not "${task}"`);
  const dir = taskDir(runDir, task);
  await writeJsonAtomic(historyPath(runDir, task), history);
  await writeJsonAtomic(metricsPath(runDir, task), metrics);
  await writeJsonAtomic(taskReportPath(runDir, task), rest);
  const written = [`${task}/history.json`, `${task}/metrics.json`, `${task}/report.json`];
  for (const [name, svg] of taskFigures(task, history, metrics, report.members)) {
    await writeFileAtomic(join(dir, name), svg);
    written.push(`${task}/${name}`);
  }
  return written;
}
