/**
 * An evaluation (evaluate-models.ts) as Markdown: what was judged on what (and whether those were
 * training faces, as far as can be told), a headline row per task, and per task the tables the model
 * card has for the test part.
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
  const s = e.skipped.count === 1 ? '' : 's';
  const skipped =
    e.skipped.count === 0
      ? ''
      : e.dataKind === 'csv'
        ? ` (${e.skipped.count} invalid row${s} skipped: ${skippedReasons(e.skipped)})`
        : ` (${e.skipped.count} photo${s} not judged: ${skippedReasons(e.skipped)})`;
  const square = e.detected
    ? 'each on the square the face detector put on its best face, as classifyFaces classifies it' +
      (e.closeLook ? '' : ' without its close look for small faces')
    : 'each on its centre square, as classify without a crop';
  const faces =
    e.dataKind === 'csv'
      ? `\`${e.dataPath}\`, ${e.faces} rows${skipped}, sha256 \`${e.dataSha256}\``
      : `the photos in \`${e.dataPath}\`, labelled by their names, ${e.faces} photos${skipped}, ${square}, ` +
        `sha256 \`${e.dataSha256}\` (of their sha256sum lines in name order)`;
  const lines = [
    '# Evaluation of the exported models',
    '',
    `Models: \`${e.modelsDir}\` (run ${runs.map((r) => `\`${r}\``).join(', ')}), through onnxruntime-node. ` +
      `Faces: ${faces}.`,
    '',
  ];
  if (e.trainedOnThisFile === null)
    lines.push(
      "**Whether these photos include training faces is not known.** The manifest knows the data the models were trained on only by its CSV's sha256, which photos cannot be matched against; photos from the same source (UTKFace, for the shipped models) may include the faces they were trained on, which score higher than faces they never saw.",
      '',
    );
  else if (e.trainedOnThisFile.length > 0)
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
