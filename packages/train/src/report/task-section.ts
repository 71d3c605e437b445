/**
 * One task's part of report.md: headline numbers, training time and throughput, the curves, per-class
 * table, confusion matrix, demographic accuracy tables and calibration. Kept apart from the run-level
 * report so each part stays readable, and so the exporter's model card can reuse the same section.
 */
import { ETHNICITY_LABELS, GENDER_LABELS, type Task } from '@facekit/core';
import { pooledAccuracy } from './group-accuracy.js';
import { duration, fixed, int, mdTable, pct } from './markdown.js';
import type { EpochRecord, GroupAccuracy, TaskMetrics } from './metrics-types.js';
import { CALIBRATION_SVG, CONFUSION_SVG, CURVES_SVG, memberCurves } from './task-artifacts.js';

/** What the report needs of one finished task. */
export interface TaskReport {
  readonly task: Task;
  readonly history: readonly EpochRecord[];
  readonly metrics: TaskMetrics;
  /** Wall-clock seconds spent training; defaults to the sum of the epochs' seconds. */
  readonly trainingSeconds?: number;
  /** Training throughput; defaults to the samples of all epochs over their seconds. */
  readonly samplesPerSecond?: number;
  /** Rows the task was trained and validated on (the test count is `metrics.samples`). */
  readonly trainSamples?: number;
  readonly validationSamples?: number;
  /** Trainable parameters of the network. */
  readonly parameters?: number;
  /** The tasks trained with this one as heads on one shared trunk (time and samples/s are the network's). */
  readonly sharedWith?: readonly Task[];
  /** An ensemble's members, in training order (`history` is the first member's; the curves show each). */
  readonly members?: readonly EnsembleMember[];
}

/** One member of an ensemble, as this task saw it before the members were joined. */
export interface EnsembleMember {
  readonly preset: string;
  readonly seed: number;
  /** The epoch whose weights the member kept. */
  readonly keptEpoch: number;
  /** This task's validation accuracy at that epoch, when there was a validation part. */
  readonly valAccuracy?: number;
  /** Whether the joined network also averages this member over the mirrored face. */
  readonly mirrored?: boolean;
  /** This task's epochs in this member (for the curves). */
  readonly history?: readonly EpochRecord[];
  /** The member's own training throughput. */
  readonly samplesPerSecond?: number;
}

/** The samples of all epochs over their seconds. */
export function historyRate(history: readonly EpochRecord[]): number {
  const seconds = history.reduce((s, h) => s + h.seconds, 0);
  const samples = history.reduce((s, h) => s + h.samplesPerSecond * h.seconds, 0);
  return seconds > 0 ? samples / seconds : 0;
}

/**
 * An ensemble's training rate from its members' samples/s: they train one after the other, so a
 * sample costs a step of each (1 / Σ 1/rate). Undefined without members or with a rate unknown (≤ 0).
 */
export function combinedRate(rates: readonly number[]): number | undefined {
  return rates.length > 0 && rates.every((v) => v > 0) ? 1 / rates.reduce((t, v) => t + 1 / v, 0) : undefined;
}

const epochSeconds = (history: readonly EpochRecord[]) => history.reduce((s, h) => s + h.seconds, 0);

/**
 * Training time and throughput, given or derived from the epochs (an ensemble's: its members' epochs,
 * and combinedRate).
 */
export function trainingTiming(r: TaskReport): { seconds: number; samplesPerSecond: number } {
  const combined = combinedRate((r.members ?? []).map((m) => m.samplesPerSecond ?? 0));
  const members = r.members ?? [];
  return {
    seconds:
      r.trainingSeconds ??
      (members.length > 0 && members.every((m) => m.history)
        ? members.reduce((s, m) => s + epochSeconds(m.history!), 0)
        : epochSeconds(r.history)),
    samplesPerSecond: r.samplesPerSecond ?? combined ?? historyRate(r.history),
  };
}

const accCell = (g: { count: number; accuracy: number } | null) =>
  g ? `${pct(g.accuracy)} (${int(g.count)})` : '—';

/** Ethnicity rows × gender columns, with pooled margins; cells are "accuracy (test samples)". */
export function ethnicityGenderTable(groups: readonly GroupAccuracy[]): string {
  const pick = (e?: string, g?: string) =>
    pooledAccuracy(
      groups.filter((x) => (e === undefined || x.ethnicity === e) && (g === undefined || x.gender === g)),
    );
  const rows = [...ETHNICITY_LABELS, undefined].map((e) => [
    e ?? '**all**',
    ...[...GENDER_LABELS, undefined].map((g) => accCell(pick(e, g))),
  ]);
  return mdTable(['ethnicity', ...GENDER_LABELS, 'all'], rows, [false, true, true, true]);
}

/** Ethnicity × gender rows, age-group columns. */
export function ethnicityGenderAgeTable(
  groups: readonly GroupAccuracy[],
  ageLabels: readonly string[],
): string {
  const rows = ETHNICITY_LABELS.flatMap((e) =>
    GENDER_LABELS.map((g) => [
      `${e} ${g}`,
      ...ageLabels.map((a) => {
        const hit = groups.find((x) => x.ethnicity === e && x.gender === g && x.ageGroup === a);
        return accCell(hit ?? null);
      }),
    ]),
  );
  return mdTable(['ethnicity, gender', ...ageLabels], rows, [false, ...ageLabels.map(() => true)]);
}

/**
 * Epochs, time, throughput and size. An ensemble's last epoch is each member's own, so it is given per
 * member rather than the first member's passed off as the whole.
 */
function trainingLine(r: TaskReport, plannedEpochs: number | undefined): string {
  const t = trainingTiming(r);
  const ensemble = Boolean(r.members?.length);
  const epochs = `${r.history.length}${plannedEpochs !== undefined ? ` of ${plannedEpochs}` : ''} epochs`;
  const parts = [epochs, duration(t.seconds), `${int(t.samplesPerSecond)} samples/s`];
  if (r.parameters !== undefined) parts.push(`${int(r.parameters)} parameters`);
  if (r.trainSamples !== undefined) parts.push(`${int(r.trainSamples)} training rows`);
  if (r.validationSamples !== undefined) parts.push(`${int(r.validationSamples)} validation rows`);
  if (r.members?.length) {
    const each = r.members.map(
      (m) =>
        `${m.preset} (seed ${m.seed}, epoch ${m.keptEpoch}` +
        `${m.valAccuracy === undefined ? '' : `, validation ${pct(m.valAccuracy)}`}` +
        `${m.samplesPerSecond === undefined ? '' : `, ${int(m.samplesPerSecond)} samples/s`}` +
        `${m.mirrored ? ', also on the mirrored face' : ''})`,
    );
    const curves = memberCurves(r.members).length ? 'curves of each member' : 'curves of the first member';
    parts.push(`ensemble of ${each.join(' + ')}, logits averaged; ${curves}`);
  }
  if (r.sharedWith?.length)
    parts.push(`trunk shared with ${r.sharedWith.join(' and ')} (one network, one time)`);
  const last = r.history.at(-1);
  if (last && !ensemble) {
    const val = last.valAccuracy === undefined ? '' : `, validation ${pct(last.valAccuracy)}`;
    parts.push(`last epoch: training accuracy ${pct(last.accuracy)}${val}`);
  }
  return `Training: ${parts.join(' · ')}.`;
}

/** The Markdown section for `task`; image links are relative to the run folder. */
export function taskSection(r: TaskReport, plannedEpochs?: number): string {
  const { task, metrics: m } = r;
  const ece = m.expectedCalibrationError;
  const headline = mdTable(
    ['test accuracy', 'macro-F1', 'loss', 'ECE', 'test samples'],
    [[pct(m.accuracy), fixed(m.macroF1), fixed(m.loss), ece === undefined ? '—' : pct(ece), int(m.samples)]],
    [true, true, true, true, true],
  );
  const perClass = mdTable(
    ['class', 'precision', 'recall', 'F1', 'support'],
    m.perClass.map((c) => [c.label, fixed(c.precision), fixed(c.recall), fixed(c.f1), int(c.support)]),
    [false, true, true, true, true],
  );
  const ageOrder = m.ageGroupLabels ?? [...new Set(m.byEthnicityGenderAge.map((g) => g.ageGroup ?? '?'))];
  const untrained = m.untrainedLabels?.length
    ? [
        `**The training part had no faces of ${m.untrainedLabels.join(', ')}**: the model never learnt ${m.untrainedLabels.length === 1 ? 'it' : 'them'}, and the test figures say nothing about ${m.untrainedLabels.length === 1 ? 'it' : 'them'}.`,
      ]
    : [];
  const parts = [
    `## ${task}`,
    headline,
    ...untrained,
    trainingLine(r, plannedEpochs),
    `![${task}: loss and accuracy per epoch](${task}/${CURVES_SVG})`,
    '### Per class',
    perClass,
    '### Confusion matrix',
    `![${task}: confusion matrix](${task}/${CONFUSION_SVG})`,
    '### Accuracy by ethnicity × gender',
    'Test accuracy (test samples) per group.',
    ethnicityGenderTable(m.byEthnicityGender),
    '<details><summary>Accuracy by ethnicity × gender × age group</summary>',
    ethnicityGenderAgeTable(m.byEthnicityGenderAge, ageOrder),
    '</details>',
  ];
  if (m.reliability !== undefined && ece !== undefined) {
    parts.push(
      '### Calibration',
      `Expected calibration error ${pct(ece, 2)} over ${m.calibrationBins ?? m.reliability.length} confidence bins.` +
        (m.temperature === undefined
          ? ''
          : ` Temperature T = ${m.temperature.toFixed(3)}, fitted on the validation part, is folded into the head` +
            (m.untemperedCalibrationError === undefined
              ? '.'
              : `; before it the ECE was ${pct(m.untemperedCalibrationError, 2)}.`)),
      `![${task}: reliability diagram](${task}/${CALIBRATION_SVG})`,
    );
  }
  return parts.join('\n\n');
}
