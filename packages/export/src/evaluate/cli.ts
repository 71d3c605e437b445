/**
 * `pnpm evaluate`: the exported models (models/ by default) judged on a labelled CSV, as
 * evaluate-models.ts describes; the report on stdout or in a file, the metrics as JSON on request.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { failureLine, parseCommandArgs, refuseFlags, userPath } from '@facekit/core/node';
import { projectRoot } from '@facekit/train';
import { evaluateModels } from './evaluate-models.js';
import { evaluationReport } from './evaluation-report.js';

const HELP = `Usage: pnpm evaluate [options]

Runs exported models on every face of a labelled CSV (the Kaggle layout pnpm train reads, e.g. faces
they never saw) with onnxruntime-node, and prints per task the accuracy, macro-F1, calibration, the
accuracy per ethnicity × gender (× age group) and the confusion matrix, as Markdown.

Options:
  --data <file>     the CSV (required: the training file's default would mix in training faces)
  --models <dir>    the models folder, as pnpm export writes it (default: models/)
  --skip-invalid    skip rows that fail validation, and count them, instead of stopping at the first
  --out <file>      write the report there instead of to stdout
  --json <file>     also write the figures as JSON: the metrics per task, the faces judged and skipped,
                    the file's sha256 and the tasks trained on this very file
  -h, --help        this help
`;

async function main(): Promise<void> {
  const { values } = parseCommandArgs(HELP, {
    options: {
      data: { type: 'string' },
      models: { type: 'string' },
      'skip-invalid': { type: 'boolean' },
      out: { type: 'string' },
      json: { type: 'string' },
    },
  });
  if (values.data === undefined)
    refuseFlags(HELP, '--data <file> is required: the labelled faces to judge on');
  const dataPath = userPath(values.data);
  if (!existsSync(dataPath)) refuseFlags(HELP, `--data ${values.data}: no such file`);
  const evaluation = await evaluateModels({
    modelsDir: values.models ? userPath(values.models) : join(projectRoot(), 'models'),
    dataPath,
    skipInvalid: values['skip-invalid'] === true,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const report = evaluationReport(evaluation);
  if (values.out) {
    await writeFile(userPath(values.out), report);
    process.stderr.write(`report: ${userPath(values.out)}\n`);
  } else process.stdout.write(report);
  if (values.json) {
    const { manifest: _, ...record } = evaluation;
    await writeFile(userPath(values.json), `${JSON.stringify(record, null, 2)}\n`);
    process.stderr.write(`metrics: ${userPath(values.json)}\n`);
  }
}

main().catch((error: unknown) => {
  const hints = { INVALID_CSV_ROW: '--skip-invalid judges the other rows and counts these' };
  process.stderr.write(`${failureLine(HELP, error, hints)}\n`);
  process.exit(1);
});
