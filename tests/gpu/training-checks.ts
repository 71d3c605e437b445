/**
 * The training half of `pnpm gpu:check`: throughput of one epoch per preset on each training backend
 * (the loop's own path: one tensor per batch through createBatchTrainer), and the same short training
 * run on a GPU backend and on the CPU reference with one seed, to show the GPU learns as well.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { TASKS, type Task } from '@facekit/core';
import {
  combinedRate,
  compileNetwork,
  createBatchTrainer,
  getPreset,
  runTraining,
  selectTrainingBackend,
} from '@facekit/train';
import { randomTargets } from '../../packages/train/bench/random-targets.js';

export interface ThroughputRow {
  readonly preset: string;
  /** `all`: a shared preset's one network, every task's head trained at once. */
  readonly task: Task | 'all';
  readonly backend: string;
  readonly batch: number;
  readonly threads: number;
  readonly samplesPerSecond: number;
}

/**
 * Samples/s over one epoch of `samples` random faces after a warm-up, on `backend`. An ensemble is
 * trained member after member, so its figure is the members' combined rate: each sample costs one
 * step of every member (1 / Σ 1/rate), its mirrored votes none (they exist only once joined).
 */
export async function trainingThroughput(
  presetName: string,
  task: Task | 'all',
  backend: string,
  samples: number,
): Promise<ThroughputRow> {
  const preset = getPreset(presetName);
  if (preset.members) {
    const each: ThroughputRow[] = [];
    for (const m of preset.members) each.push(await trainingThroughput(m.preset, task, backend, samples));
    return {
      ...each[0]!,
      preset: presetName,
      samplesPerSecond: combinedRate(each.map((r) => r.samplesPerSecond)) ?? 0,
    };
  }
  await selectTrainingBackend(backend);
  const fit = preset.fit(task === 'all' ? 'age' : task);
  const { batchSize } = fit;
  const model = task === 'all' ? preset.buildShared!(TASKS, 'six', 1) : preset.build(task, 'six', 1);
  compileNetwork(model, fit);
  const trainer = await createBatchTrainer(model, { maxBatch: batchSize });
  const x = tf.randomUniform([batchSize, 48, 48, 1], 0, 1, 'float32', 1);
  const y = randomTargets(model, batchSize);
  try {
    for (let i = 0; i < 5; i++) await trainer.trainOnBatch(x, y);
    const steps = Math.ceil(samples / batchSize);
    const started = performance.now();
    for (let i = 0; i < steps; i++) await trainer.trainOnBatch(x, y);
    const seconds = (performance.now() - started) / 1000;
    return {
      preset: presetName,
      task,
      backend,
      batch: batchSize,
      threads: trainer.threads,
      samplesPerSecond: (steps * batchSize) / seconds,
    };
  } finally {
    await trainer.dispose();
    tf.dispose([x, y]);
    model.dispose();
  }
}

export interface AccuracyRow {
  readonly task: Task;
  readonly backend: string;
  readonly testAccuracy: number;
  readonly seconds: number;
}

/** Trains `tasks` of `preset` for `epochs` on `dataPath` with one seed; test accuracy per task. */
export async function trainingAccuracy(
  dataPath: string,
  preset: string,
  tasks: readonly Task[],
  backend: string,
  epochs: number,
): Promise<AccuracyRow[]> {
  // A scratch run folder: only its figures are kept.
  const scratch = await mkdtemp(join(tmpdir(), 'facekit-gpu-check-'));
  const runDir = join(scratch, backend);
  const started = performance.now();
  const outcome = await runTraining({
    dataPath,
    tasks,
    preset,
    epochs,
    backend,
    seed: 7,
    testFraction: 0.3,
    validationFraction: 0.1,
    ageGrouping: 'six',
    skipInvalid: false,
    runDir,
    resume: false,
    log: () => {},
    shouldStop: () => false,
  }).finally(() => rm(scratch, { recursive: true, force: true }));
  const seconds = (performance.now() - started) / 1000;
  return outcome.reports.map((r) => ({ task: r.task, backend, testAccuracy: r.metrics.accuracy, seconds }));
}
