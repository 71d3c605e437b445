/**
 * `pnpm bench:train`: training throughput of a preset's network (default: the seed age network —
 * Conv-Pool-Conv-Pool-Dense, 38,230 parameters; Adam 1e-3, cross-entropy, batch 128; a shared preset's
 * one network for all three tasks; an ensemble member by member, combined as the run report does) on each training
 * backend that initialises here, one epoch after a warm-up, the way the training loop runs it: a
 * tensor per batch made from one Float32Array, `BatchTrainer.trainOnBatch` on 1 or more threads.
 * Random data: the kernels' cost does not depend on the values. Prints a markdown table with wall-clock
 * samples/s (best of --repeat epochs, and all of them: a shared machine is noisy) and samples per
 * CPU-second (the process's CPU time over all threads, which other load does not inflate). Options:
 * HELP below (`pnpm bench:train --help`); the cpu backend gets --cpu-samples, as it runs ~7 samples/s.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { isTask, TASKS, type Task } from '@facekit/core';
import { setBatchNormMode, type BatchNormMode } from '../src/batch-norm-training.js';
import { getPreset } from '../src/presets.js';
import {
  createBatchTrainer,
  listTrainingBackends,
  selectTrainingBackend,
  TRAINING_BACKEND_NAMES,
} from '../src/backends/index.js';
import { compileNetwork } from '../src/train-network.js';
import { combinedRate } from '../src/report/task-section.js';
import { cpuMs } from './kernel-timer.js';
import { checkFlags, parseCommandArgs, refuseFlags, wholeNumberFlag } from '@facekit/core/node';

const HELP = `Usage: pnpm bench:train [options]

Training throughput of a preset's network on each training backend that initialises here: one epoch
of random faces after a warm-up, as the training loop runs it; wall-clock samples/s and samples per
CPU-second, as a markdown table.

Options:
  --preset <name>       preset (default: seed); a shared preset times its one network
  --task <name>         age | ethnicity | gender, for a per-task preset (default: age)
  --backend <a,b>       backends (default: every available one)
  --threads <1,auto>    thread counts; auto = the training loop's default (default: 1,auto)
  --samples <n>         samples per timed epoch (default: 4096; cpu: --cpu-samples, default 256)
  --warmup <n>          warm-up samples (default: 512)
  --batch <n>           batch size (default: 128)
  --repeat <n>          timed epochs, best reported (default: 3)
  --batch-norm <mode>   batch norm's training pass: fused (one op, default) or stock (autodiff's)
  -h, --help            this help
`;

const { values: opts } = parseCommandArgs(HELP, {
  options: {
    backend: { type: 'string' },
    threads: { type: 'string', default: '1,auto' },
    samples: { type: 'string', default: '4096' },
    'cpu-samples': { type: 'string', default: '256' },
    warmup: { type: 'string', default: '512' },
    batch: { type: 'string', default: '128' },
    repeat: { type: 'string', default: '3' },
    preset: { type: 'string', default: 'seed' },
    task: { type: 'string', default: 'age' },
    'batch-norm': { type: 'string', default: 'fused' },
  },
});
// Checked before any backend loads (tfjs-backend-wasm turns a later throw into a dump of its source).
const refuse = (problem: string) => refuseFlags(HELP, problem);
for (const name of ['samples', 'cpu-samples', 'batch', 'repeat'] as const)
  wholeNumberFlag(HELP, name, opts[name], 1);
wholeNumberFlag(HELP, 'warmup', opts.warmup, 0);
if (opts['batch-norm'] !== 'fused' && opts['batch-norm'] !== 'stock')
  refuse(`--batch-norm must be fused or stock, got "${opts['batch-norm']}"`);
if (!isTask(opts.task)) refuse(`--task must be one of ${TASKS.join(', ')}, got "${opts.task}"`);
// Bounded by the cores, as pnpm train's --threads is: --threads 1000 started a thousand workers.
const cores = availableParallelism();
for (const t of opts.threads.split(','))
  if (t !== 'auto' && !(Number.isInteger(Number(t)) && Number(t) >= 1 && Number(t) <= cores))
    refuse(`--threads takes whole numbers from 1 to ${cores} (this machine's cores) or auto, got "${t}"`);
for (const b of opts.backend?.split(',') ?? [])
  if (!TRAINING_BACKEND_NAMES.includes(b))
    refuse(`--backend takes ${TRAINING_BACKEND_NAMES.join(', ')}, got "${b}"`);
checkFlags(HELP, () => getPreset(opts.preset));
setBatchNormMode(opts['batch-norm'] as BatchNormMode);
const batchSize = Number(opts.batch);
const task = opts.task as Task;

interface Row {
  backend: string;
  threads: number;
  samples: number;
  wall: number[];
  cpu: number[];
  loss: number;
}

/** Random faces, and per output a one-hot row (or a 0/1 label for one sigmoid unit), side by side. */
function randomData(n: number, widths: readonly number[]): { x: Float32Array; y: Float32Array } {
  const x = Float32Array.from({ length: n * 48 * 48 }, () => Math.random());
  const classes = widths.reduce((a, b) => a + b, 0);
  const y = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    let offset = i * classes;
    for (const k of widths) {
      y[offset + Math.floor(Math.random() * k)] = k === 1 ? Math.round(Math.random()) : 1;
      offset += k;
    }
  }
  return { x, y };
}

async function epoch(
  trainer: Awaited<ReturnType<typeof createBatchTrainer>>,
  data: ReturnType<typeof randomData>,
  n: number,
  widths: readonly number[],
) {
  const classes = widths.reduce((a, b) => a + b, 0);
  let loss = 0;
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const x = tf.tensor4d(data.x.subarray(start * 2304, (start + count) * 2304), [count, 48, 48, 1]);
    const y = tf.tensor2d(data.y.subarray(start * classes, (start + count) * classes), [count, classes]);
    loss = (await trainer.trainOnBatch(x, y)).loss;
    tf.dispose([x, y]);
  }
  return loss;
}

/**
 * One row: the preset's network timed on `backend`. An ensemble's members are timed in turn and each
 * epoch's figures combined (combinedRate: they train one after the other); its loss is not one number.
 */
async function benchOne(backend: string, threads: number | undefined, presetName: string): Promise<Row> {
  const preset = getPreset(presetName);
  if (preset.members) {
    const each: Row[] = [];
    for (const m of preset.members) {
      console.log(`  member ${m.preset}`);
      each.push(await benchOne(backend, threads, m.preset));
    }
    const combine = (pick: (r: Row) => number[]) =>
      pick(each[0]!).map((_, k) => combinedRate(each.map((r) => pick(r)[k]!)) ?? 0);
    return { ...each[0]!, wall: combine((r) => r.wall), cpu: combine((r) => r.cpu), loss: NaN };
  }
  await selectTrainingBackend(backend);
  const samples = Number(backend === 'cpu' ? opts['cpu-samples'] : opts.samples);
  const model = preset.buildShared ? preset.buildShared(TASKS, 'six') : preset.build(task, 'six');
  compileNetwork(model, preset.fit(task));
  const widths = model.outputs.map((o) => o.shape[1]!);
  const trainer = await createBatchTrainer(model, {
    threads,
    maxBatch: batchSize,
    log: (l) => console.log(`  ${l}`),
  });
  const warm = Math.min(Number(opts.warmup), samples);
  await epoch(trainer, randomData(warm, widths), warm, widths);
  const data = randomData(samples, widths);
  const row: Row = { backend, threads: trainer.threads, samples, wall: [], cpu: [], loss: NaN };
  for (let r = 0; r < Number(opts.repeat); r++) {
    const [wall0, cpu0] = [performance.now(), cpuMs()];
    row.loss = await epoch(trainer, data, samples, widths);
    row.wall.push(samples / ((performance.now() - wall0) / 1000));
    row.cpu.push(samples / ((cpuMs() - cpu0) / 1000));
    console.log(`  ${backend} × ${trainer.threads}: ${row.wall.at(-1)!.toFixed(0)} samples/s`);
  }
  await trainer.dispose();
  model.dispose();
  return row;
}

const available = (await listTrainingBackends()).filter((s) => {
  if (!s.available) console.log(`skipping ${s.name}: ${s.reason}`);
  return s.available;
});
const backends = opts.backend?.split(',') ?? available.map((s) => s.name);
// 'auto' is what the training loop gets by default (createBatchTrainer without `threads`).
const threadCounts = opts.threads!.split(',').map((t) => (t === 'auto' ? undefined : Number(t)));
const chosen = getPreset(opts.preset!);
const network = chosen.members
  ? `ensemble of ${chosen.members.map((m) => m.preset).join(' + ')} (members trained in turn)`
  : chosen.buildShared
    ? `one network for ${TASKS.join(', ')}`
    : `${task} network`;
console.log(`${opts.preset} ${network}, batch ${batchSize}, ${opts.repeat} timed epoch(s) after a warm-up`);
const rows: Row[] = [];
for (const backend of backends) {
  for (const threads of threadCounts) {
    const row = await benchOne(backend, threads, opts.preset!);
    if (!rows.some((r) => r.backend === row.backend && r.threads === row.threads)) rows.push(row);
  }
}

const f = (v: number) => v.toFixed(0);
console.log(
  '\n| backend | threads | samples | samples/s (best) | all epochs | samples per CPU-second | loss |',
);
console.log('|---|---:|---:|---:|---|---:|---:|');
for (const r of rows) {
  const line = [
    r.backend,
    r.threads,
    r.samples,
    f(Math.max(...r.wall)),
    r.wall.map(f).join(', '),
    f(Math.max(...r.cpu)),
    Number.isNaN(r.loss) ? '—' : r.loss.toFixed(4),
  ];
  console.log(`| ${line.join(' | ')} |`);
}
