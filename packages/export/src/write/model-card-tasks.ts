/**
 * The model card's per-task detail (issue 7): the confusion matrix, accuracy per ethnicity × gender ×
 * age group and calibration (ECE, temperature scaling, reliability bins and diagram), from a task's
 * test metrics. A field an older metrics.json lacks shows as "—" or is left out, never "undefined".
 */
import { ETHNICITY_LABELS, GENDER_LABELS, type Task } from '@facekit/core';
import { CALIBRATION_SVG, CONFUSION_SVG, mdTable, type TaskMetrics } from '@facekit/train';

/** Figure files the export copied into `<outDir>/<task>/`, by task (e.g. `confusion.svg`). */
export type TaskFigures = Partial<Record<Task, readonly string[]>>;

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

export const pct = (x: number | undefined, digits = 1) => (finite(x) ? `${(x * 100).toFixed(digits)}%` : '—');

const fixed2 = (x: number | undefined) => (finite(x) ? x.toFixed(2) : '—');

const figure = (task: Task, figures: TaskFigures, file: string, alt: string) =>
  figures[task]?.includes(file) ? [`![${task}: ${alt}](${task}/${file})`, ''] : [];

/** Rows: true label; columns: predicted label; counts, then the row's recall. */
export function confusionTable(m: TaskMetrics): string[] {
  const labels = m.labels ?? [];
  const confusion = m.confusion ?? [];
  if (labels.length === 0 || confusion.length === 0) return ['No confusion matrix in metrics.json.'];
  const rows = labels.map((label, i) => {
    const row = confusion[i] ?? [];
    const counts = labels.map((_, j) => (finite(row[j]) ? String(row[j]) : '—'));
    const total = row.reduce((s, x) => s + (finite(x) ? x : 0), 0);
    const recall = total > 0 && finite(row[i]) ? pct(row[i] / total) : '—';
    return [label, ...counts, recall];
  });
  const right = [false, ...labels.map(() => true), true];
  return [mdTable(['true \\ predicted', ...labels, 'recall'], rows, right)];
}

/** The age groups in the grouping's order, or in order of appearance for metrics that lack it. */
function ageLabels(m: TaskMetrics): readonly string[] {
  if (m.ageGroupLabels && m.ageGroupLabels.length > 0) return m.ageGroupLabels;
  const seen = (m.byEthnicityGenderAge ?? []).map((g) => g.ageGroup);
  return [...new Set(seen.filter((a): a is string => a !== undefined))];
}

/** Accuracy (faces) per ethnicity × gender: ethnicity rows, gender columns. */
export function ethnicityGenderTable(m: TaskMetrics): string[] {
  const rows = ETHNICITY_LABELS.map((e) => [
    e,
    ...GENDER_LABELS.map((g) => {
      const cell = m.byEthnicityGender.find((x) => x.ethnicity === e && x.gender === g);
      return cell ? `${pct(cell.accuracy)} (n = ${cell.count})` : '—';
    }),
  ]);
  return [
    mdTable(['ethnicity \\ gender', ...GENDER_LABELS], rows, [false, ...GENDER_LABELS.map(() => true)]),
  ];
}

/** Ethnicity × gender rows, age-group columns, folded in a `<details>` block; `part` names the faces. */
export function ageGroupTable(m: TaskMetrics, part = 'test part'): string[] {
  const groups = m.byEthnicityGenderAge ?? [];
  const ages = ageLabels(m);
  if (groups.length === 0 || ages.length === 0)
    return ['No accuracy per ethnicity × gender × age group in metrics.json.'];
  const rows = ETHNICITY_LABELS.flatMap((e) =>
    GENDER_LABELS.map((g) => [
      `${e} ${g}`,
      ...ages.map((a) => {
        const hit = groups.find((x) => x.ethnicity === e && x.gender === g && x.ageGroup === a);
        return hit && hit.count > 0 ? `${pct(hit.accuracy)} (n = ${hit.count})` : '—';
      }),
    ]),
  );
  return [
    `<details><summary>Accuracy per ethnicity × gender × age group (${part}; "—": no faces)</summary>`,
    '',
    mdTable(['ethnicity, gender', ...ages], rows, [false, ...ages.map(() => true)]),
    '',
    '</details>',
  ];
}

function temperatureLine(m: TaskMetrics): string[] {
  if (!finite(m.temperature)) return [];
  const before = finite(m.untemperedCalibrationError)
    ? `; ECE before tempering ${pct(m.untemperedCalibrationError, 2)}`
    : '';
  return [
    `Temperature T = ${m.temperature.toFixed(2)} fitted on the validation part, folded into the head${before}. All of this task's metrics in this card are of the tempered model.`,
    '',
  ];
}

/** ECE, the temperature line, the reliability bins and the reliability diagram. */
export function calibrationLines(task: Task, m: TaskMetrics, figures: TaskFigures): string[] {
  const ece = m.expectedCalibrationError;
  const diagram = figure(task, figures, CALIBRATION_SVG, 'reliability diagram');
  if (!finite(ece)) return ['No calibration figures in metrics.json.', '', ...diagram];
  const bins = finite(m.calibrationBins) ? ` over ${m.calibrationBins} equal-width confidence bins` : '';
  const reliability = (m.reliability ?? []).map((b) => [
    `${fixed2(b.lower)}–${fixed2(b.upper)}`,
    String(b.count),
    pct(b.confidence),
    pct(b.accuracy),
  ]);
  return [
    `Expected calibration error (ECE) of the top-class confidence: ${pct(ece, 2)}${bins}.`,
    '',
    ...temperatureLine(m),
    ...(reliability.length > 0
      ? [
          mdTable(['confidence', 'faces', 'mean confidence', 'accuracy'], reliability, [
            false,
            true,
            true,
            true,
          ]),
          '',
        ]
      : []),
    ...diagram,
  ];
}

/** The `### task` block: confusion matrix, age-group table and calibration. */
export function taskDetails(task: Task, m: TaskMetrics | undefined, figures: TaskFigures = {}): string[] {
  if (!m) return [`### ${task}`, '', 'No metrics.json in the run for this task.', ''];
  return [
    `### ${task}`,
    '',
    '#### Confusion matrix',
    '',
    'Rows: true label; columns: predicted label (test faces); last column: recall of the row.',
    '',
    ...confusionTable(m),
    '',
    ...figure(task, figures, CONFUSION_SVG, 'confusion matrix'),
    ...ageGroupTable(m),
    '',
    '#### Calibration',
    '',
    ...calibrationLines(task, m, figures),
  ];
}
