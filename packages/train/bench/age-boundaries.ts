/**
 * How far the six age groups can be told apart: a finished run's age network on its validation (or
 * test) part, its errors by how many years each face's age lies from the nearest group boundary, and
 * beside it what an age estimator with a given mean absolute error would score on the same faces'
 * groups (its estimate = the true age plus seeded Gaussian noise, in years, or proportional to age).
 *   pnpm exec tsx packages/train/bench/age-boundaries.ts runs/<run> [validation|test]
 */
import { join } from 'node:path';
import { ageGroups, ageToGroup } from '@facekit/core';
import { selectTrainingBackend } from '../src/backends/index.js';
import { BatchFeeder, taskTargets } from '../src/data/batches.js';
import { loadCsv } from '../src/data/load-csv.js';
import { seededRandom } from '../src/data/random.js';
import { splitFromJson } from '../src/data/split.js';
import { predict } from '../src/evaluate.js';
import { loadLayersModel } from '../src/model-io.js';
import { modelDir, readJson, readRunInfo, SPLIT_JSON } from '../src/run-folder.js';
import { parseRunAndPart } from './run-part-args.js';

const HELP = `Usage: pnpm exec tsx packages/train/bench/age-boundaries.ts <run folder> [validation|test]

A run's age errors by how many years each face lies from the nearest group boundary, beside what an
age estimator of a given mean absolute error would score on the same faces (default part: validation).
`;
const { runDir, part } = parseRunAndPart(HELP);
await selectTrainingBackend('wasm', () => {});
const info = await readRunInfo(runDir);
if (info.ageGrouping !== 'six') throw new Error(`${runDir}: age is grouped by ${info.ageGrouping}, not six`);
const { dataset } = await loadCsv(info.data.path);
const split = splitFromJson(await readJson(join(runDir, SPLIT_JSON)));
const rows = split[part];
const ages = Array.from(rows, (r) => dataset.age[r]!);
const groupOf = (age: number) => ageToGroup(age, 'six');

const model = await loadLayersModel(modelDir(runDir, 'age'));
const targets = taskTargets(dataset, 'age', 'six');
const { probabilities, classes } = await predict(
  model,
  BatchFeeder.forHead(dataset, targets, model, 256),
  rows,
  targets,
);
const predicted = ages.map((_, i) => {
  const p = probabilities.subarray(i * classes, (i + 1) * classes);
  return p.indexOf(Math.max(...p));
});

// Boundaries sit between the last age of a group and the first of the next (10 | 11 → 10.5).
const boundaries = ageGroups('six')
  .slice(1)
  .map((g) => g.min - 0.5);
const yearsToBoundary = (age: number) => Math.min(...boundaries.map((b) => Math.abs(age - b))) - 0.5;
const bands: [string, (d: number) => boolean][] = [
  ['0 (e.g. 20 or 21)', (d) => d === 0],
  ['1–2', (d) => d >= 1 && d <= 2],
  ['3–5', (d) => d >= 3 && d <= 5],
  ['6–10', (d) => d >= 6 && d <= 10],
  ['over 10', (d) => d > 10],
];
const right = predicted.filter((p, i) => p === groupOf(ages[i]!)).length;
console.log(`${runDir}, ${part} part: ${rows.length} faces, age-group accuracy ${pct(right, rows.length)}\n`);
console.log('| years from the nearest group boundary | faces | wrong | of which a neighbouring group |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name, inBand] of bands) {
  const idx = ages.flatMap((a, i) => (inBand(yearsToBoundary(a)) ? [i] : []));
  const wrong = idx.filter((i) => predicted[i] !== groupOf(ages[i]!));
  const neighbour = wrong.filter((i) => Math.abs(predicted[i]! - groupOf(ages[i]!)) === 1);
  console.log(
    `| ${name} | ${idx.length} | ${wrong.length} (${pct(wrong.length, idx.length)}) | ${neighbour.length} |`,
  );
}

// Gaussian noise with standard deviation σ has mean absolute value σ·√(2/π).
const meanAge = ages.reduce((s, a) => s + a, 0) / ages.length;
const random = seededRandom(1);
const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const estimatorAccuracy = (mae: number, relative: boolean, draws = 20) => {
  const sigma = mae * Math.sqrt(Math.PI / 2);
  let hits = 0;
  for (let k = 0; k < draws; k++)
    for (const a of ages) {
      const estimate = relative ? a * Math.exp((gauss() * sigma) / meanAge) : a + gauss() * sigma;
      if (groupOf(Math.max(1, Math.round(estimate))) === groupOf(a)) hits++;
    }
  return pct(hits, draws * ages.length);
};
console.log(
  '\n| an age estimator with mean absolute error | group accuracy, error the same at every age | error proportional to age |',
);
console.log('| ---: | ---: | ---: |');
for (const mae of [3, 4, 4.5, 5, 6, 7])
  console.log(`| ${mae} years | ${estimatorAccuracy(mae, false)} | ${estimatorAccuracy(mae, true)} |`);

function pct(n: number, of: number): string {
  return `${((100 * n) / of).toFixed(1)} %`;
}
