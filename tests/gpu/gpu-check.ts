/**
 * `pnpm gpu:check`: one command a user runs on a GPU machine to see what the toolkit makes of it.
 * It lists the training backends and inference providers found (and why others were skipped), times
 * one epoch of the seed and default presets' networks on every training backend that works, trains
 * one preset's networks briefly on the GPU and on the CPU reference with one seed (same accuracy?), and runs the shipped
 * models on every provider that works (faces/s at batch 1 and 256, max |Δp| and argmax agreement
 * against the CPU provider). It prints one markdown report, and writes it to --out when given.
 * Without a GPU it runs the same checks on what there is, so the table's shape is the same everywhere.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { isTask, TASKS, type Task } from '@facekit/core';
import {
  checkFlags,
  dataFileFlag,
  fileToWrite,
  loadModels,
  parseCommandArgs,
  projectRoot,
  refuseFlags,
  runCommand,
  userPath,
  wholeNumberFlag,
} from '@facekit/core/node';
import { DEFAULT_PRESET, facePixels, getPreset, listTrainingBackends, loadCsv } from '@facekit/train';
import { dirname, join } from 'node:path';
import {
  trainingAccuracy,
  trainingThroughput,
  type AccuracyRow,
  type ThroughputRow,
} from './training-checks.js';
import { providerStatuses, servingRows, SESSION_SETTINGS, type ServingRow } from './serving-checks.js';

/** The presets timed by default: the seed and the default preset (once, should they be the same). */
const PRESETS = [...new Set(['seed', DEFAULT_PRESET])].join(',');

const HELP = `Usage: pnpm gpu:check [options]

Lists the training backends and inference providers this machine has (and why others were skipped),
times one epoch of each preset on every training backend that works, trains one preset briefly on each
(same accuracy as wasm?), and serves the shipped models on every provider (faces/s at batch 1 and 256,
max |Δp| against the CPU provider). Prints one markdown report. Without a GPU it checks what there is.

Options:
  --presets <a,b>          presets to time (default: ${PRESETS})
  --samples <n>            samples per timed epoch (default: 4096)
  --accuracy-preset <p>    preset trained on each backend for the accuracy rows (default: seed)
  --accuracy-tasks <a,b>   its tasks (default: age,gender)
  --epochs <n>             epochs of that training (default: 4)
  --seconds <s>            seconds per serving row (default: 2)
  --data <file>            CSV (default: $FACEKIT_DATA, data/age_gender.csv, ../shared/data/utkface48.csv)
  --models <dir>           models to serve (default: models/)
  --out <file>             also write the report there
  -h, --help               this help
`;

const { values } = parseCommandArgs(HELP, {
  options: {
    data: { type: 'string' },
    models: { type: 'string' },
    samples: { type: 'string', default: '4096' },
    epochs: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '2' },
    'accuracy-tasks': { type: 'string', default: 'age,gender' },
    'accuracy-preset': { type: 'string', default: 'seed' },
    presets: { type: 'string', default: PRESETS },
    out: { type: 'string' },
  },
});
const root = projectRoot();
const refuse = (problem: string) => refuseFlags(HELP, problem);
const samples = wholeNumberFlag(HELP, 'samples', values.samples, 1);
// Bounded as pnpm train's --epochs is: a typo of a few zeros trained every backend for days.
const epochs = wholeNumberFlag(HELP, 'epochs', values.epochs, 1, 10_000);
const seconds = Number(values.seconds);
// Each serving row runs this long: Infinity (1e309) or an hour and more is a typo that never ends.
if (!(seconds > 0 && seconds <= 3600) || values.seconds.trim() === '')
  refuse(`--seconds must be a number above 0 and at most 3600, got "${values.seconds}"`);
const accuracyTasks = values['accuracy-tasks'].split(',');
for (const task of accuracyTasks)
  if (!isTask(task)) refuse(`--accuracy-tasks takes ${TASKS.join(', ')}, got "${task}"`);
checkFlags(HELP, () =>
  [...values.presets.split(','), values['accuracy-preset']].forEach((p) => getPreset(p)),
);
const dataPath = dataFileFlag(HELP, values.data);
// Checked now, not found unwritable once every check has run.
const outPath =
  values.out === undefined ? undefined : checkFlags(HELP, () => fileToWrite('out', values.out!));
const modelsPath = values.models ? userPath(values.models) : join(root, 'models');
const out: string[] = [];
const print = (line = '') => {
  out.push(line);
  console.log(line);
};
const table = (header: string[], rows: (string | number)[][]) => {
  print(`| ${header.join(' | ')} |`);
  print(`|${header.map(() => ' --- ').join('|')}|`);
  for (const r of rows) print(`| ${r.join(' | ')} |`);
  print();
};
const fmt = (n: number) => Math.round(n).toLocaleString('en');

/**
 * The checks, in order; a failure (a models folder or data file that cannot be read) ends the command
 * in one line, as every command's does, rather than in Node's stack trace of a top-level await.
 */
async function main(): Promise<number> {
  // The models first: a folder that cannot be read is said before Dawn's start-up lines.
  const { models } = await loadModels(modelsPath);
  print('# facekit GPU check\n');
  const backends = await listTrainingBackends();
  const providers = await providerStatuses(models, SESSION_SETTINGS);
  print('## What was found\n');
  table(
    ['kind', 'name', 'status', 'detail'],
    [
      ...backends.map((b) => [
        'training backend',
        b.name,
        b.available ? (b.autoSkip ? 'ok, not timed' : 'ok') : 'skipped',
        (b.available ? b.autoSkip : b.reason) ?? '',
      ]),
      ...providers.map((p) => ['inference provider', p.provider, p.ok ? 'ok' : 'skipped', p.detail]),
    ],
  );

  // cpu is too slow to time; a software GPU (autoSkip) too slow and meaningless.
  const trainOn = backends.filter((b) => b.available && !b.autoSkip && b.name !== 'cpu').map((b) => b.name);
  const throughput: ThroughputRow[] = [];
  for (const preset of values.presets.split(',').map((p) => getPreset(p).name))
    // A shared preset trains one network for every task: timed as that one network.
    for (const task of getPreset(preset).buildShared ? (['all'] as const) : TASKS)
      for (const backend of trainOn)
        throughput.push(await trainingThroughput(preset, task, backend, samples));
  print(`## Training: one epoch of ${values.samples} samples after a warm-up\n`);
  const cpuRef = (r: ThroughputRow) =>
    throughput.find((t) => t.preset === r.preset && t.task === r.task && t.backend === 'wasm');
  table(
    ['preset', 'task', 'backend', 'batch', 'threads', 'samples/s', '× wasm'],
    throughput.map((r) => [
      r.preset,
      r.task,
      r.backend,
      r.batch,
      r.threads,
      fmt(r.samplesPerSecond),
      cpuRef(r) ? (r.samplesPerSecond / cpuRef(r)!.samplesPerSecond).toFixed(2) : '',
    ]),
  );

  if (dataPath) {
    const tasks = accuracyTasks as Task[];
    const gpu = trainOn.filter((b) => b !== 'wasm');
    const rows: AccuracyRow[] = [];
    for (const backend of [...gpu, 'wasm'])
      rows.push(...(await trainingAccuracy(dataPath, values['accuracy-preset'], tasks, backend, epochs)));
    print(
      `## Same training on each backend: ${values['accuracy-preset']} preset, ${values.epochs} epochs, seed 7, ${dataPath.split('/').at(-1)}\n`,
    );
    table(
      ['task', 'backend', 'test accuracy', 'run seconds'],
      rows.map((r) => [r.task, r.backend, `${(r.testAccuracy * 100).toFixed(2)}%`, r.seconds.toFixed(1)]),
    );
  } else {
    print('## Same training on each backend\n\nskipped: no data file (pass --data or set FACEKIT_DATA)\n');
  }

  const faces: number[][] = [];
  if (dataPath) {
    const { dataset } = await loadCsv(dataPath, { limit: 512 });
    for (let i = 0; i < dataset.size; i++) faces.push(Array.from(facePixels(dataset, i)));
  } else {
    for (let i = 0; i < 512; i++) faces.push(Array.from({ length: 2304 }, (_, p) => (i * 31 + p * 7) % 256));
  }
  const serving: ServingRow[] = [];
  for (const p of providers.filter((p) => p.ok))
    serving.push(...(await servingRows(modelsPath, models, p.provider, faces, seconds)));
  print(
    `## Serving: the shipped models on each provider (all tasks per face, in-process, ${faces.length} faces)\n`,
  );
  const cpuServing = (r: ServingRow) => serving.find((s) => s.provider === 'cpu' && s.batch === r.batch);
  table(
    ['provider', 'batch', 'faces/s', '× cpu', 'max \\|Δp\\| vs cpu', 'argmax agreement'],
    serving.map((r) => [
      r.provider,
      r.batch,
      fmt(r.facesPerSecond),
      cpuServing(r) ? (r.facesPerSecond / cpuServing(r)!.facesPerSecond).toFixed(2) : '',
      r.maxDiffVsCpu.toExponential(2),
      `${(r.argmaxAgreement * 100).toFixed(2)}%`,
    ]),
  );
  if (outPath) {
    await mkdir(dirname(outPath), { recursive: true });
    await writeFile(outPath, `${out.join('\n')}\n`);
  }
  return 0;
}

runCommand(HELP, main);
