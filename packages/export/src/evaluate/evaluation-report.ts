/**
 * An evaluation (evaluate-models.ts) as Markdown: what was judged on what, a headline row per task, and
 * per task the tables the model card has for the test part.
 */
import { mdTable, skippedReasons } from '@facekit/train';
import {
  ageGroupTable,
  calibrationLines,
  confusionTable,
  ethnicityGenderTable,
  pct,
} from '../write/model-card-tasks.js';
import type { Evaluation } from './evaluate-models.js';

export function evaluationReport(e: Evaluation): string {
  const tasks = Object.keys(e.metrics) as (keyof Evaluation['metrics'])[];
  const runs = [...new Set(tasks.map((t) => e.manifest.models[t]!.training.runId))];
  const skipped =
    e.skipped.count > 0 ? ` (${e.skipped.count} invalid rows skipped: ${skippedReasons(e.skipped)})` : '';
  const lines = [
    '# Evaluation of the exported models',
    '',
    `Models: \`${e.modelsDir}\` (run ${runs.map((r) => `\`${r}\``).join(', ')}), through onnxruntime-node. ` +
      `Faces: \`${e.dataPath}\`, ${e.faces} rows${skipped}, sha256 \`${e.dataSha256}\`.`,
    '',
  ];
  if (e.trainedOnThisFile.length > 0)
    lines.push(
      `**${e.trainedOnThisFile.join(', ')}: trained on this very file.** Its rows include the faces those models were trained on, so these figures are higher than on faces they never saw; the model card's test figures are on the held-out part only.`,
      '',
    );
  lines.push(
    mdTable(
      ['task', 'faces', 'accuracy', 'macro-F1', 'ECE', 'mean cross-entropy'],
      tasks.map((t) => {
        const m = e.metrics[t]!;
        return [
          t,
          String(m.samples),
          pct(m.accuracy),
          m.macroF1.toFixed(3),
          m.expectedCalibrationError === undefined ? '—' : pct(m.expectedCalibrationError),
          m.loss.toFixed(3),
        ];
      }),
      [false, true, true, true, true, true],
    ),
    '',
  );
  for (const t of tasks) {
    const m = e.metrics[t]!;
    lines.push(
      `## ${t}`,
      '',
      '### Accuracy per ethnicity × gender',
      '',
      ...ethnicityGenderTable(m),
      '',
      ...ageGroupTable(m, 'these faces'),
      '',
      '### Confusion matrix',
      '',
      'Rows: true label; columns: predicted label; last column: recall of the row.',
      '',
      ...confusionTable(m),
      '',
      '### Calibration',
      '',
      ...calibrationLines(t, m, {}),
    );
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
