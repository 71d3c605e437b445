import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '@facekit/core';
import { loadLayersModel } from './model-io.js';
import { runTraining, type TrainingOptions } from './run.js';
import { readRunInfo, type RunInfo } from './run-folder.js';
import { tempFolder } from '../../../tests/support/temp-folder.js';

/** A small CSV whose gender is learnable: women's faces are bright, men's dark (plus noise). */
async function syntheticCsv(rows: number): Promise<string> {
  const dir = await tempFolder('facekit-run-');
  const lines = ['age,ethnicity,gender,img_name,pixels'];
  let state = 1;
  const rand = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < rows; i++) {
    const gender = i % 2;
    const px = Array.from({ length: 2304 }, () => Math.floor((gender ? 150 : 40) + rand() * 60));
    lines.push(`${1 + (i % 80)},${i % 5},${gender},f${i}.jpg,${px.join(' ')}`);
  }
  const path = join(dir, 'faces.csv');
  await writeFile(path, lines.join('\n'));
  return path;
}

const options = (
  dataPath: string,
  runDir: string,
  extra: Partial<TrainingOptions> = {},
): TrainingOptions => ({
  dataPath,
  runDir,
  tasks: ['gender'],
  preset: 'seed',
  epochs: 3,
  backend: 'cpu',
  seed: 1,
  testFraction: 0.3,
  validationFraction: 0.1,
  ageGrouping: 'six',
  skipInvalid: false,
  resume: false,
  log: () => {},
  shouldStop: () => false,
  ...extra,
});

describe('runTraining', () => {
  it("leaves none of the optimizer's tensors behind once the network is trained", async () => {
    const data = await syntheticCsv(120);
    const runDir = join(await tempFolder('facekit-runs-'), 'r');
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    await runTraining(options(data, runDir, { threads: 1 }));
    const left = tf.memory().numTensors - before;
    // Adam's moments (two per weight: 12 here) and β powers were left; tfjs's own save of an optimizer
    // keeps one scalar per checkpoint (upstream), so up to one per epoch remains.
    expect(left).toBeLessThanOrEqual(3);
  });

  it('writes a complete run folder and learns a learnable task', async () => {
    const data = await syntheticCsv(400);
    const runDir = join(await tempFolder('facekit-runs-'), 'r1');
    const outcome = await runTraining(options(data, runDir, { backend: 'wasm', epochs: 8 }));
    expect(outcome.interrupted).toBe(false);
    const info = await readRunInfo(runDir);
    expect(info).toMatchObject({
      preset: 'seed',
      backend: 'wasm',
      tasks: { gender: 'done' },
      data: { rows: 400 },
    });
    for (const f of [
      'split.json',
      'report.md',
      'gender/model/model.json',
      'gender/metrics.json',
      'gender/curves.svg',
      'gender/confusion.svg',
    ]) {
      expect(existsSync(join(runDir, f)), f).toBe(true);
    }
    const metrics = JSON.parse(await readFile(join(runDir, 'gender/metrics.json'), 'utf8')) as {
      accuracy: number;
      validation: { samples: number; accuracy: number; loss: number };
    };
    expect(metrics.accuracy, 'test accuracy').toBeGreaterThan(0.85);
    const split = JSON.parse(await readFile(join(runDir, 'split.json'), 'utf8')) as { validation: unknown[] };
    expect(metrics.validation.samples).toBe(split.validation.length);
    expect(metrics.validation.accuracy, 'validation accuracy').toBeGreaterThan(0.85);
    expect(metrics.validation.loss).toBeGreaterThan(0);
    const model = await loadLayersModel(join(runDir, 'gender/model'));
    expect(model.countParams()).toBe(673);
    expect(() => parseManifest('{}')).toThrow(); // core is reachable from train's tests
  });

  it('stops when asked and resumes from the last finished epoch', async () => {
    const data = await syntheticCsv(120);
    const runDir = join(await tempFolder('facekit-runs-'), 'r2');
    let batches = 0;
    // 120 rows → 76 train rows → 3 batches of 32 per epoch: stop during epoch 2.
    const first = await runTraining(options(data, runDir, { shouldStop: () => ++batches > 4 }));
    expect(first.interrupted).toBe(true);
    const state = JSON.parse(await readFile(join(runDir, 'gender/checkpoint/state.json'), 'utf8')) as {
      epoch: number;
    };
    expect(state.epoch).toBe(1);
    expect((await readRunInfo(runDir)).tasks.gender).toBe('training');

    const lines: string[] = [];
    const resumed = await runTraining(
      options(data, runDir, { resume: true, epochs: 99, threads: 1, log: (l) => lines.push(l) }),
    );
    expect(resumed.interrupted).toBe(false);
    expect(lines).toContain('gender: resuming after epoch 1 of 3, from its checkpoint');
    // Started on the default thread count: resumed on another, its weights now differ, and it says so.
    expect(lines).toContain(
      "warning: resuming with threads default → 1: the steps from here, and so the weights, differ from an uninterrupted run's",
    );
    // and it is the run's thread count from here on, for the next resume and the report's command.
    expect((await readRunInfo(runDir)).threads).toBe(1);
    const info: RunInfo = await readRunInfo(runDir);
    expect(info.tasks.gender).toBe('done');
    const history = JSON.parse(await readFile(join(runDir, 'gender/history.json'), 'utf8')) as {
      epoch: number;
    }[];
    // The run's own epoch count (3) wins over the new flag; epoch 1 is not trained twice.
    expect(history.map((h) => h.epoch)).toEqual([1, 2, 3]);
  });

  it('refuses to start a run where one already is, or a split with no test faces', async () => {
    const data = await syntheticCsv(60);
    const runDir = join(await tempFolder('facekit-runs-'), 'r');
    await runTraining(options(data, runDir, { epochs: 1 }));
    const before = await readFile(join(runDir, 'run.json'), 'utf8');
    await expect(runTraining(options(data, runDir, { epochs: 1 }))).rejects.toThrow(
      `${runDir} already holds a run; continue it with --resume ${runDir}, or choose another --out`,
    );
    expect(await readFile(join(runDir, 'run.json'), 'utf8')).toBe(before);
    // A folder of other files is not trained into; an empty one is.
    const other = join(runDir, '..', 'other');
    await mkdir(other);
    await writeFile(join(other, 'notes.txt'), 'mine');
    await expect(runTraining(options(data, other, { epochs: 1 }))).rejects.toThrow(
      `${other} holds other files and is not a run folder; choose a new or empty --out`,
    );
    await mkdir(join(runDir, '..', 'empty'));
    expect((await runTraining(options(data, join(runDir, '..', 'empty'), { epochs: 1 }))).interrupted).toBe(
      false,
    );
    // Resumed, a run whose data file has gone says which file it needs.
    const moved = `${data}.moved`;
    await rename(data, moved);
    const info = await readRunInfo(runDir);
    await expect(runTraining(options(data, runDir, { resume: true, dataPath: undefined }))).rejects.toThrow(
      `run ${info.runId} was trained on ${data}, which is no longer there; resume with --data <that file, moved> (its sha256, ${info.data.sha256.slice(0, 12)}…, is checked)`,
    );
    // Given the file where it is now, the run says so in run.json, for later resumes and its report.
    await runTraining(options(data, runDir, { resume: true, dataPath: moved }));
    expect((await readRunInfo(runDir)).data.path).toBe(moved);
    await rename(moved, data);
    const one = await syntheticCsv(1);
    await expect(runTraining(options(one, join(runDir, '..', 'tiny'), { epochs: 1 }))).rejects.toThrow(
      /^the split of 1 faces leaves no test faces \(1 train, 0 validation, 0 test\)/,
    );
  });

  it('warns when the training part lacks a class of a task, or there is no validation part', async () => {
    const data = await syntheticCsv(60);
    const men = (await readFile(data, 'utf8'))
      .split('\n')
      .filter((line, i) => i === 0 || line.split(',')[2] === '0');
    await writeFile(data, men.join('\n'));
    const lines: string[] = [];
    const runDir = join(await tempFolder('facekit-runs-'), 'r');
    await runTraining(options(data, runDir, { epochs: 1, log: (line) => lines.push(line) }));
    expect(lines).toContain(
      'warning: gender: the training part has no faces of female; the model cannot learn it, and its test figures say nothing about it',
    );
    // Recorded, not only said: in the task's metrics and its report section.
    const metrics = JSON.parse(await readFile(join(runDir, 'gender/metrics.json'), 'utf8')) as {
      untrainedLabels?: string[];
    };
    expect(metrics.untrainedLabels).toEqual(['female']);
    expect(await readFile(join(runDir, 'report.md'), 'utf8')).toContain(
      '**The training part had no faces of female**: the model never learnt it',
    );
    // 30 men leave no validation part (10 % of each small stratum rounds to none): said, and the
    // kept epoch is not called the one of lowest validation loss.
    expect(lines).toContain(
      'warning: the validation part is empty (30 faces are too few for 10 % of each stratum): no early stopping, the last epoch is kept, and no temperature is fitted',
    );
    expect(lines.find((l) => l.startsWith('gender: kept epoch'))).toMatch(
      /^gender: kept epoch 1 \(the last: no validation part\)/,
    );
  });

  it('resumes from the data file and invalid-row skipping the run was started with', async () => {
    const data = await syntheticCsv(120);
    await writeFile(data, `${await readFile(data, 'utf8')}\n30,1,0,bad.jpg,1 2 3`);
    const runDir = join(await tempFolder('facekit-runs-'), 'r');
    let batches = 0;
    const started = options(data, runDir, { skipInvalid: true, shouldStop: () => ++batches > 4 });
    expect((await runTraining(started)).interrupted).toBe(true);
    // As `pnpm train --resume <dir>` passes it: no data file, no --skip-invalid.
    const { dataPath: _, ...resumed } = options(data, runDir, { resume: true });
    expect((await runTraining(resumed)).interrupted).toBe(false);
    expect((await readRunInfo(runDir)).tasks.gender).toBe('done');
  });

  it('draws the split with --split-seed when given, and records it', async () => {
    const data = await syntheticCsv(120);
    const root = await tempFolder('facekit-runs-');
    const split = async (runDir: string) => {
      const { train, validation, test, seed } = JSON.parse(
        await readFile(join(runDir, 'split.json'), 'utf8'),
      ) as Record<string, unknown>;
      return { train, validation, test, seed };
    };
    await runTraining(options(data, join(root, 'a'), { seed: 5, epochs: 1 }));
    await runTraining(options(data, join(root, 'b'), { seed: 6, splitSeed: 5, epochs: 1 }));
    await runTraining(options(data, join(root, 'c'), { seed: 6, epochs: 1 }));
    expect(await split(join(root, 'b'))).toEqual(await split(join(root, 'a')));
    expect((await split(join(root, 'c'))).test).not.toEqual((await split(join(root, 'a'))).test);
    expect(await readRunInfo(join(root, 'b'))).toMatchObject({ seed: 6, splitSeed: 5 });
    expect((await readRunInfo(join(root, 'c'))).splitSeed).toBeUndefined();
  });

  it('trains a shared preset as one network and resumes it as one', async () => {
    const data = await syntheticCsv(120);
    const runDir = join(await tempFolder('facekit-runs-'), 'r3');
    const shared = {
      tasks: ['age', 'ethnicity', 'gender'] as const,
      preset: 'shared-flat',
      backend: 'wasm',
      epochs: 2,
    };
    let batches = 0;
    // 76 training rows, batch 128: one batch per epoch; stop in epoch 2.
    const first = await runTraining(options(data, runDir, { ...shared, shouldStop: () => ++batches > 1 }));
    expect(first.interrupted).toBe(true);
    const state = JSON.parse(await readFile(join(runDir, 'shared/checkpoint/state.json'), 'utf8')) as {
      epoch: number;
      histories: unknown[][];
    };
    expect(state.epoch).toBe(1);
    expect(state.histories.map((h) => h.length)).toEqual([1, 1, 1]);
    expect(Object.values((await readRunInfo(runDir)).tasks)).toEqual(['training', 'training', 'training']);

    const resumed = await runTraining(options(data, runDir, { ...shared, resume: true }));
    expect(resumed.reports.map((r) => [r.task, r.history.map((h) => h.epoch)])).toEqual([
      ['age', [1, 2]],
      ['ethnicity', [1, 2]],
      ['gender', [1, 2]],
    ]);
    expect(Object.values((await readRunInfo(runDir)).tasks)).toEqual(['done', 'done', 'done']);
    const whole = await loadLayersModel(join(runDir, 'shared/model'));
    expect(whole.outputs.map((o) => o.sourceLayer.name)).toEqual(['age', 'ethnicity', 'gender']);
    // Each task's own model is the whole network's trunk with that task's head.
    const gender = await loadLayersModel(join(runDir, 'gender/model'));
    expect(gender.outputs).toHaveLength(1);
    expect(gender.countParams()).toBeLessThan(whole.countParams());
    const x = tf.randomUniform([2, 48, 48, 1], 0, 1, 'float32', 4);
    const [fromWhole, fromOwn] = [(whole.predict(x) as tf.Tensor[])[2]!, gender.predict(x) as tf.Tensor];
    expect(Array.from(fromOwn.dataSync())).toEqual(Array.from(fromWhole.dataSync()));
    tf.dispose([x, fromWhole, fromOwn]);
  });

  it('resumes an ensemble inside the member it stopped in, keeping the members already trained', async () => {
    const data = await syntheticCsv(120);
    const runDir = join(await tempFolder('facekit-runs-'), 'r4');
    const ensemble = {
      tasks: ['age', 'ethnicity', 'gender'] as const,
      preset: 'shared-ensemble',
      backend: 'wasm',
      epochs: 1,
    };
    let batches = 0;
    const lines: string[] = [];
    // One batch per member: the second member is stopped before its first step.
    const first = await runTraining(
      options(data, runDir, { ...ensemble, shouldStop: () => ++batches > 1, log: (l) => lines.push(l) }),
    );
    expect(first.interrupted).toBe(true);
    expect(lines.filter((l) => l.startsWith('member 1 (shared-deep): kept epoch 1'))).toHaveLength(1);
    const member1 = await readFile(join(runDir, 'shared/member-1/checkpoint/weights.bin'));

    const resumedLines: string[] = [];
    const resumed = await runTraining(
      options(data, runDir, { ...ensemble, resume: true, log: (l) => resumedLines.push(l) }),
    );
    expect(resumed.interrupted).toBe(false);
    // Each member's own kept epoch, not the first member's for both.
    expect(
      resumedLines.filter((l) =>
        // 120 faces in 60 strata leave no validation part: each member's last epoch.
        l.startsWith('age: kept epochs 1 and 1 (the last: no validation part); '),
      ),
    ).toHaveLength(1);
    // Member 1 was not trained again: its checkpoint is byte for byte the same.
    expect(
      Buffer.compare(await readFile(join(runDir, 'shared/member-1/checkpoint/weights.bin')), member1),
    ).toBe(0);
    expect(existsSync(join(runDir, 'shared/member-2/checkpoint/model.json'))).toBe(true);
    expect(resumed.reports.map((r) => r.members?.map((m) => m.preset))).toEqual(
      Array(3).fill(['shared-deep', 'shared-flat']),
    );
    const whole = await loadLayersModel(join(runDir, 'shared/model'));
    expect(whole.outputs.map((o) => o.sourceLayer.name)).toEqual(['age', 'ethnicity', 'gender']);
  });

  it('repeats itself from its seed, dropout masks included, on two threads', async () => {
    const data = await syntheticCsv(120);
    const root = await tempFolder('facekit-runs-');
    const weights: Buffer[] = [];
    for (const name of ['a', 'b']) {
      const runDir = join(root, name);
      // compact-flat has dropout 0.3; 76 training rows in one batch of 128 are split over two threads.
      await runTraining(
        options(data, runDir, { preset: 'compact-flat', backend: 'wasm', epochs: 2, threads: 2 }),
      );
      weights.push(await readFile(join(runDir, 'gender/model/weights.bin')));
    }
    expect(weights[0]!.length).toBeGreaterThan(0);
    expect(Buffer.compare(weights[0]!, weights[1]!)).toBe(0);
    // Math.random is given back after training.
    expect(Math.random.toString()).toContain('[native code]');
  });

  it('keeps the averaged weights, and resumes the average with its checkpoint', async () => {
    const data = await syntheticCsv(120);
    const root = await tempFolder('facekit-runs-');
    const run = { preset: 'shared-flat-ema', backend: 'wasm', epochs: 3, threads: 1 };
    const weightsOf = async (name: string) => {
      const bytes = await readFile(join(root, name, 'gender/model/weights.bin'));
      return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    };
    const largestGap = (a: Float32Array, b: Float32Array) =>
      a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
    await runTraining(options(data, join(root, 'a'), run));
    let batches = 0;
    // 76 training rows, batch 128: one batch per epoch; stop in epoch 3.
    const first = await runTraining(
      options(data, join(root, 'b'), { ...run, shouldStop: () => ++batches > 2 }),
    );
    expect(first.interrupted).toBe(true);
    // Two epochs of one step each, saved with the checkpoint of epoch 2.
    const average = JSON.parse(await readFile(join(root, 'b/gender/checkpoint/average.json'), 'utf8')) as {
      steps: number;
    };
    expect(average).toEqual({ steps: 2 });
    // A count that is missing or not a whole number is refused by name (it made every averaged weight NaN).
    const averagePath = join(root, 'b/gender/checkpoint/average.json');
    for (const [text, tail] of [
      ['{}', 'but it is missing'],
      ['{"steps": "2"}', 'got "2"'],
      ['{"steps": 1.5}', 'got 1.5'],
    ] as const) {
      await writeFile(averagePath, text);
      await expect(runTraining(options(data, join(root, 'b'), { ...run, resume: true }))).rejects.toThrow(
        `${averagePath}: steps must be a whole number ≥ 0, ${tail}; the checkpoint cannot be resumed`,
      );
    }
    await writeFile(averagePath, JSON.stringify(average));
    await runTraining(options(data, join(root, 'b'), { ...run, resume: true }));
    expect(largestGap(await weightsOf('b'), await weightsOf('a'))).toBe(0);
    // The same run keeping its last weights instead of their average.
    await runTraining(options(data, join(root, 'c'), { ...run, preset: 'shared-flat' }));
    expect(largestGap(await weightsOf('c'), await weightsOf('a'))).toBeGreaterThan(1e-3);
  });

  it('hears a stop asked from outside (Ctrl-C) at the next batch, not the epoch’s end, on one thread', async () => {
    const data = await syntheticCsv(1200);
    const runDir = join(await tempFolder('facekit-runs-'), 'stop');
    let asked = false;
    let batches = 0;
    // As a signal handler does, the request arrives from the event loop, here once the second batch began.
    const shouldStop = () => {
      if (++batches === 2) setImmediate(() => (asked = true));
      return asked;
    };
    // 756 training rows, batch 128: six batches an epoch.
    const outcome = await runTraining(options(data, runDir, { backend: 'wasm', threads: 1, shouldStop }));
    expect(outcome.interrupted).toBe(true);
    expect(batches).toBe(3);
  });

  it('resumes an interrupted run to the very weights of the uninterrupted one, on two threads', async () => {
    const data = await syntheticCsv(120);
    const root = await tempFolder('facekit-runs-');
    // Adam, dropout, augmentation and batch norm; 76 training rows: one batch of 128 a step, split in two.
    const run = { preset: 'compact-flat', backend: 'wasm', epochs: 4, threads: 2 };
    await runTraining(options(data, join(root, 'a'), run));
    let batches = 0;
    const first = await runTraining(
      options(data, join(root, 'b'), { ...run, shouldStop: () => ++batches > 2 }),
    );
    expect(first.interrupted).toBe(true);
    await runTraining(options(data, join(root, 'b'), { ...run, resume: true }));
    const [a, b] = await Promise.all(
      ['a', 'b'].map((name) => readFile(join(root, name, 'gender/model/weights.bin'))),
    );
    expect(Buffer.compare(a!, b!)).toBe(0);
  });

  it('resumes with the thread count it was started with, as the CLI resumes (no --threads)', async () => {
    const data = await syntheticCsv(120);
    const root = await tempFolder('facekit-runs-');
    // One thread where the default here is two (a batch of 76 in one step): other steps, other weights.
    const run = { preset: 'compact-flat', backend: 'wasm', epochs: 3, threads: 1 };
    await runTraining(options(data, join(root, 'a'), run));
    let batches = 0;
    await runTraining(options(data, join(root, 'b'), { ...run, shouldStop: () => ++batches > 1 }));
    const { threads: _fixed, ...asTheCliResumes } = run;
    await runTraining(options(data, join(root, 'b'), { ...asTheCliResumes, resume: true }));
    const [a, b] = await Promise.all(
      ['a', 'b'].map((name) => readFile(join(root, name, 'gender/model/weights.bin'))),
    );
    expect(Buffer.compare(a!, b!)).toBe(0);
  });

  it('refuses to resume a checkpoint whose averaged weights are cut short or missing', async () => {
    const data = await syntheticCsv(120);
    const runDir = join(await tempFolder('facekit-runs-'), 'r');
    const run = { preset: 'shared-flat-ema', backend: 'wasm', epochs: 3, threads: 1 };
    let batches = 0;
    await runTraining(options(data, runDir, { ...run, shouldStop: () => ++batches > 2 }));
    const weightsPath = join(runDir, 'gender/checkpoint/average.bin');
    const bytes = await readFile(weightsPath);
    await writeFile(weightsPath, bytes.subarray(0, 100));
    await expect(runTraining(options(data, runDir, { ...run, resume: true }))).rejects.toThrow(
      `${weightsPath}: 100 bytes, but the network's weights need ${bytes.length}`,
    );
    await rm(weightsPath);
    await expect(runTraining(options(data, runDir, { ...run, resume: true }))).rejects.toThrow(
      /its averaged weights \(average\.bin\) are missing/,
    );
  });

  it('refuses to resume a checkpoint whose state.json is missing or says no epoch, instead of starting over', async () => {
    const data = await syntheticCsv(120);
    const runDir = join(await tempFolder('facekit-runs-'), 'r');
    const run = { threads: 1 };
    let batches = 0;
    // 120 rows → 3 batches of 32 per epoch: stopped during epoch 2, the checkpoint holds epoch 1.
    await runTraining(options(data, runDir, { ...run, shouldStop: () => ++batches > 4 }));
    const statePath = join(runDir, 'gender/checkpoint/state.json');
    const state = await readFile(statePath, 'utf8');
    expect((JSON.parse(state) as { histories: unknown[][] }).histories[0]).toHaveLength(1);
    const broken: [string, RegExp][] = [
      ['{}', /histories must be a list of one history per head of the network \(1\), but it is missing/],
      ['[]', /must be a JSON object \(a checkpoint's state\), got \[\]/],
      ['null', /must be a JSON object \(a checkpoint's state\), got null/],
      ['{"histories": [[]]}', /histories\[0\] must be a list of the epochs trained .*, got \[\]/],
      ['{"histories": []}', /histories must be a list of one history per head .*, got \[\]/],
      ['{"histories": "x"}', /histories must be a list of one history per head .*, got "x"/],
      [
        '{"histories": [[{"epoch": 2}]]}',
        /histories\[0\]\[0\] must be the record of epoch 1, got \{"epoch":2\}/,
      ],
    ];
    for (const [text, why] of broken) {
      await writeFile(statePath, text);
      const error = await runTraining(options(data, runDir, { ...run, resume: true })).then(
        () => new Error('resumed'),
        (e: Error) => e,
      );
      expect(error.message).toEqual(expect.stringMatching(new RegExp(`^${statePath}: `)));
      expect(error.message).toEqual(expect.stringMatching(why));
      expect(error.message).toEqual(expect.stringMatching(/; the checkpoint cannot be resumed$/));
    }
    await rm(statePath);
    await expect(runTraining(options(data, runDir, { ...run, resume: true }))).rejects.toThrow(
      `${statePath} is missing from the checkpoint: cannot tell which epoch it holds`,
    );
  });

  it('trains on seeded mixup blends when the preset asks for them', async () => {
    const data = await syntheticCsv(120);
    const root = await tempFolder('facekit-runs-');
    const weightsOf = async (name: string, preset: string) => {
      const runDir = join(root, name);
      await runTraining(options(data, runDir, { preset, backend: 'wasm', epochs: 2, threads: 1 }));
      return readFile(join(runDir, 'gender/model/weights.bin'));
    };
    const mixed = await weightsOf('a', 'shared-flat-mix');
    expect(Buffer.compare(mixed, await weightsOf('b', 'shared-flat-mix'))).toBe(0);
    // The same run without mixing (same split, initial weights, batches, augmentation and dropout).
    expect(Buffer.compare(mixed, await weightsOf('c', 'shared-flat'))).not.toBe(0);
  });
});
