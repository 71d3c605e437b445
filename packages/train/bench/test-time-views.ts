/**
 * Test-time views beyond the mirror: a finished two-member ensemble run's members (each member's kept
 * checkpoint, before the temperature) answer the validation (or test) faces as they are, mirrored,
 * shifted by one pixel each way (edges repeated) and zoomed 5 % in or out; the views are then averaged
 * as the joined network averages its votes (logits, one softmax per task), in the shipped vote set
 * (deep member, flat member, flat member mirrored) and with one more vote each.
 *   pnpm exec tsx packages/train/bench/test-time-views.ts runs/<ensemble run> [validation|test]
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, TASKS } from '@facekit/core';
import { selectTrainingBackend } from '../src/backends/index.js';
import { BatchFeeder, taskTargets } from '../src/data/batches.js';
import { loadCsv } from '../src/data/load-csv.js';
import { splitFromJson } from '../src/data/split.js';
import { loadLayersModel } from '../src/model-io.js';
import { readJson, readRunInfo, SPLIT_JSON } from '../src/run-folder.js';
import { parseRunAndPart } from './run-part-args.js';

const HELP = `Usage: pnpm exec tsx packages/train/bench/test-time-views.ts <ensemble run folder> [validation|test]

A two-member ensemble run's members on its faces as they are, mirrored, shifted by one pixel and zoomed
5 %, averaged in the shipped vote set and with one more view each (default part: validation).
`;
const { runDir, part } = parseRunAndPart(HELP);
await selectTrainingBackend('wasm', () => {});
const info = await readRunInfo(runDir);
const { dataset } = await loadCsv(info.data.path);
const rows = splitFromJson(await readJson(join(runDir, SPLIT_JSON)))[part];
const targets = TASKS.map((t) => taskTargets(dataset, t, info.ageGrouping));
const feeder = new BatchFeeder(dataset, targets[0]!, 1, false, 512);

/** Pixel (y, x) of the view is the face's (y − dy, x − dx), edges repeated. */
function shifted(x: tf.Tensor4D, dy: number, dx: number): tf.Tensor4D {
  const from = (d: number) =>
    tf.tensor1d(
      Array.from({ length: IMAGE_SIZE }, (_, i) => Math.min(IMAGE_SIZE - 1, Math.max(0, i - d))),
      'int32',
    );
  return tf.gather(tf.gather(x, from(dy), 1), from(dx), 2);
}
/** The centre 1/factor of the face scaled to the full size (factor > 1 zooms in), bilinear. */
function zoomed(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  const edge = (1 - 1 / factor) / 2;
  const n = x.shape[0];
  const boxes = tf.tensor2d(Array.from({ length: n }, () => [edge, edge, 1 - edge, 1 - edge]));
  return tf.image.cropAndResize(x, boxes, tf.range(0, n, 1, 'int32') as tf.Tensor1D, [
    IMAGE_SIZE,
    IMAGE_SIZE,
  ]);
}
const VIEWS: Record<string, (x: tf.Tensor4D) => tf.Tensor4D> = {
  face: (x) => x,
  mirrored: (x) => tf.reverse(x, 2),
  'right 1 px': (x) => shifted(x, 0, 1),
  'left 1 px': (x) => shifted(x, 0, -1),
  'down 1 px': (x) => shifted(x, 1, 0),
  'up 1 px': (x) => shifted(x, -1, 0),
  'zoomed in 5 %': (x) => zoomed(x, 1.05),
  'zoomed out 5 %': (x) => zoomed(x, 1 / 1.05),
};

/** Per `member:view`, per task: rows × K log-probabilities (a sigmoid head as two classes). */
const votes = new Map<string, Float32Array[]>();
for (const member of [1, 2]) {
  const model = await loadLayersModel(join(runDir, 'shared', `member-${member}`, 'checkpoint-best'));
  for (const [name, view] of Object.entries(VIEWS)) {
    const parts: Float32Array[][] = TASKS.map(() => []);
    for (let start = 0; start < rows.length; start += 512) {
      const count = Math.min(512, rows.length - start);
      const outs = tf.tidy(() =>
        (model.predict(view(feeder.inputs(rows, start, count))) as tf.Tensor2D[]).map((p) =>
          tf.log((p.shape[1] === 1 ? tf.concat([tf.sub(1, p), p], 1) : p).clipByValue(1e-7, 1)),
        ),
      );
      for (const [t, out] of outs.entries()) parts[t]!.push(await out.data<'float32'>());
      tf.dispose(outs);
    }
    votes.set(
      `${member}:${name}`,
      parts.map((p) => Float32Array.from(p.flatMap((a) => [...a]))),
    );
  }
  model.dispose();
}

/** Accuracy per task, mean accuracy and summed cross-entropy of the votes' average. */
function score(keys: readonly string[]): string {
  const figures = TASKS.map((_, t) => {
    const classes = votes.get(keys[0]!)![t]!.length / rows.length;
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < rows.length; i++) {
      const z = Array.from({ length: classes }, (_, k) =>
        keys.reduce((s, key) => s + votes.get(key)![t]![i * classes + k]! / keys.length, 0),
      );
      const max = Math.max(...z);
      const logSum = max + Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0));
      const truth = targets[t]![rows[i]!]!;
      loss += logSum - z[truth]!;
      if (z.indexOf(max) === truth) correct++;
    }
    return { accuracy: (100 * correct) / rows.length, loss: loss / rows.length };
  });
  const mean = figures.reduce((s, f) => s + f.accuracy, 0) / figures.length;
  const summed = figures.reduce((s, f) => s + f.loss, 0);
  return `${figures.map((f) => f.accuracy.toFixed(1)).join(' / ')} | ${mean.toFixed(2)} % | ${summed.toFixed(3)}`;
}

const SHIPPED = ['1:face', '2:face', '2:mirrored'];
const sets: [string, string[]][] = [
  ['deep, flat, flat mirrored (the shipped votes)', SHIPPED],
  ['deep, flat (no mirror)', ['1:face', '2:face']],
  ['+ deep mirrored (both members mirrored)', [...SHIPPED, '1:mirrored']],
  ['+ deep once more (deep weighted 2 : 1 : 1)', [...SHIPPED, '1:face']],
  ...Object.keys(VIEWS)
    .slice(2)
    .map((view): [string, string[]] => [`+ flat ${view}`, [...SHIPPED, `2:${view}`]]),
];
console.log(`${runDir}, ${part} part (${rows.length} faces); before temperature`);
console.log('| votes | age / ethnicity / gender | mean accuracy | summed loss |');
console.log('| --- | --- | ---: | ---: |');
for (const [name, keys] of sets) console.log(`| ${name} | ${score(keys)} |`);
