/**
 * Validation figures of finished runs, for comparing them: each task's saved (kept, joined, tempered)
 * network on its run's own validation part — accuracy, mean cross-entropy — and per run the mean
 * accuracy and the summed loss that ACCURACY.md's choices are made on. Runs trained since the report
 * records these (metrics.json `validation`) show the same numbers; this also reads older runs.
 *   pnpm exec tsx packages/train/bench/run-validation.ts runs/a runs/b …
 * Each run is read with the CSV it names in run.json (checked against its sha256).
 */
import { join } from 'node:path';
import { TASKS, type Task } from '@facekit/core';
import { parseCommandArgs } from '@facekit/core/node';
import { selectTrainingBackend } from '../src/backends/index.js';
import { BatchFeeder, taskTargets } from '../src/data/batches.js';
import { loadCsv, type LoadedCsv } from '../src/data/load-csv.js';
import { splitFromJson } from '../src/data/split.js';
import { predict } from '../src/evaluate.js';
import { loadLayersModel } from '../src/model-io.js';
import { modelDir, readJson, readRunInfo, SPLIT_JSON } from '../src/run-folder.js';

const HELP = `Usage: pnpm exec tsx packages/train/bench/run-validation.ts <run folder>…

Each run's saved networks on its own validation part: per task accuracy and mean cross-entropy, per run
the mean accuracy and the summed loss that ACCURACY.md's choices are made on.
`;
const { positionals: runs } = parseCommandArgs(HELP, { allowPositionals: true });
if (runs.length === 0) {
  process.stderr.write(HELP);
  process.exit(2);
}
await selectTrainingBackend('wasm', () => {});
const csvs = new Map<string, LoadedCsv>();
const rows: string[] = [];
for (const runDir of runs) {
  const info = await readRunInfo(runDir);
  const csv = csvs.get(info.data.path) ?? (await loadCsv(info.data.path));
  csvs.set(info.data.path, csv);
  if (csv.sha256 !== info.data.sha256)
    throw new Error(`${runDir}: ${info.data.path} is not the file it was trained on`);
  const split = splitFromJson(await readJson(join(runDir, SPLIT_JSON)));
  const tasks = TASKS.filter((t): t is Task => info.tasks[t] === 'done');
  const figures: { task: Task; accuracy: number; loss: number }[] = [];
  for (const task of tasks) {
    const model = await loadLayersModel(modelDir(runDir, task));
    const targets = taskTargets(csv.dataset, task, info.ageGrouping);
    const feeder = BatchFeeder.forHead(csv.dataset, targets, model, 256);
    const { accuracy, loss } = await predict(model, feeder, split.validation, targets);
    figures.push({ task, accuracy, loss });
    model.dispose();
  }
  const mean = figures.reduce((s, f) => s + f.accuracy, 0) / figures.length;
  const summed = figures.reduce((s, f) => s + f.loss, 0);
  rows.push(
    `| ${runDir} | ${info.preset} | ${split.validation.length} | ` +
      figures.map((f) => `${f.task} ${(f.accuracy * 100).toFixed(1)} % / ${f.loss.toFixed(3)}`).join(', ') +
      ` | ${(mean * 100).toFixed(2)} % | ${summed.toFixed(3)} |`,
  );
}
console.log('| run | preset | validation faces | per task: accuracy / loss | mean accuracy | summed loss |');
console.log('| --- | --- | ---: | --- | ---: | ---: |');
for (const row of rows) console.log(row);
