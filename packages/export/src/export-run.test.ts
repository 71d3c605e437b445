import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { TASKS } from '@facekit/core';
import { loadModels } from '@facekit/core/node';
import * as tf from '@tensorflow/tfjs';
import { loadLayersModel, runTraining, seededRandom, shownPath } from '@facekit/train';
import { exportRun, exportUnits } from './export-run.js';
import { trainedOn } from './run/read-run.js';
import { tempFolder } from '../../../tests/support/temp-folder.js';

let dir: string;
let runDir: string;
let dataPath: string;

/** A small Kaggle-layout CSV with brightness tied to gender, so the trained models are not constant. */
async function writeCsv(path: string, rows: number): Promise<void> {
  const random = seededRandom(9);
  const lines = ['age,ethnicity,gender,img_name,pixels'];
  for (let i = 0; i < rows; i++) {
    const gender = i % 2;
    const pixels = Array.from({ length: 2304 }, () => Math.floor((gender ? 140 : 50) + random() * 60));
    lines.push(`${1 + ((i * 7) % 95)},${i % 5},${gender},f${i}.jpg,${pixels.join(' ')}`);
  }
  await writeFile(path, `${lines.join('\n')}\n`);
}

beforeAll(async () => {
  dir = await tempFolder('facekit-export-run-');
  dataPath = join(dir, 'faces.csv');
  await writeCsv(dataPath, 160);
  runDir = join(dir, 'runs', 'tiny');
  const outcome = await trainOneEpoch(runDir, 'seed');
  expect(outcome.interrupted).toBe(false);
});

/** Every file under `folder` with its bytes ('a folder' for a folder), to see that a failed export changed nothing. */
async function snapshotOf(folder: string) {
  const files = (await readdir(folder, { recursive: true })).map(String).sort();
  return Promise.all(files.map(async (f) => [f, await readFile(join(folder, f)).catch(() => 'a folder')]));
}

/** One epoch of every task of `preset` on the small CSV, seed 3, into `runDir`. */
const trainOneEpoch = (runDir: string, preset: string) =>
  runTraining({
    dataPath,
    runDir,
    tasks: TASKS,
    preset,
    epochs: 1,
    backend: 'wasm',
    seed: 3,
    testFraction: 0.3,
    validationFraction: 0.1,
    ageGrouping: 'six',
    skipInvalid: false,
    resume: false,
    log: () => {},
    shouldStop: () => false,
  });

describe('exportUnits', () => {
  it("names a shared network's model.json that is cut short, or whose outputs are not tasks", async () => {
    const run = await tempFolder('facekit-units-');
    const path = join(run, 'shared', 'model', 'model.json');
    await mkdir(join(run, 'shared', 'model'), { recursive: true });
    await writeFile(path, '{"modelTopology": {"config": {"output_la');
    await expect(exportUnits(run, ['age'])).rejects.toThrow(`${path} is not valid JSON (`);
    for (const text of ['null', '{"modelTopology": {"config": {"output_layers": [7]}}}']) {
      await writeFile(path, text);
      await expect(exportUnits(run, ['age'])).rejects.toThrow(
        `${join(run, 'shared', 'model')}: a shared network's outputs must be named after tasks`,
      );
    }
  });
});

describe('trainedOn', () => {
  it("names the run's own data file while it is there, and nothing for a folder that is not a run", async () => {
    expect(await trainedOn(runDir)).toBe(dataPath);
    expect(await trainedOn(dir)).toBeUndefined();
    const moved = join(dir, 'moved');
    await cp(runDir, moved, { recursive: true });
    const info = JSON.parse(await readFile(join(moved, 'run.json'), 'utf8')) as { data: { path: string } };
    info.data.path = join(dir, 'gone.csv');
    await writeFile(join(moved, 'run.json'), JSON.stringify(info));
    expect(await trainedOn(moved)).toBeUndefined();
  });
});

describe('exportRun', () => {
  it('turns a run folder into a models/ folder that the loader accepts and onnxruntime runs', async () => {
    const out = join(dir, 'models');
    const lines: string[] = [];
    const result = await exportRun({
      runDir,
      outDir: out,
      dataPath,
      faces: 40,
      synthetic: 8,
      log: (l) => lines.push(l),
    });
    expect(result.results.map((r) => r.task)).toEqual(['age', 'ethnicity', 'gender']);
    for (const r of result.results) {
      expect(r.verification.realSamples).toBe(40);
      expect(r.verification.maxAbsDiff).toBeLessThanOrEqual(1e-5);
      expect(r.verification.argmaxAgreement).toBe(1);
    }
    expect(lines.some((l) => l.startsWith('gender: ok'))).toBe(true);
    for (const f of [
      'manifest.json',
      'MODEL_CARD.md',
      'age/model.onnx',
      'age/tfjs/model.json',
      'age/tfjs/weights.bin',
      'gender/model.onnx',
      'age/confusion.svg',
      'age/calibration.svg',
      'gender/confusion.svg',
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const loaded = await loadModels(out);
    expect(loaded.models.map((m) => m.task)).toEqual(['age', 'ethnicity', 'gender']);
    const gender = loaded.models[2]!;
    expect(gender.entry.training).toMatchObject({
      runId: 'tiny',
      preset: 'seed',
      backend: 'wasm',
      epochs: 1,
      seed: 3,
      dataRows: 160,
    });
    expect(gender.entry.metrics.accuracy).toBeGreaterThanOrEqual(0);
    const session = await ort.InferenceSession.create(gender.bytes);
    const y = await session.run({
      image: new ort.Tensor('float32', new Float32Array(2 * 2304).fill(0.3), [2, 48, 48, 1]),
    });
    const p = y.probabilities!.data as Float32Array;
    expect(p[0]! + p[1]!).toBeCloseTo(1, 6);
    await session.release();
    const card = await readFile(join(out, 'MODEL_CARD.md'), 'utf8');
    expect(card).toMatch(/non-commercial research/);
    expect(card).toMatch(/\| White \| [\d.]+% \(n = \d+\)/);
    expect(card).toContain('| true \\\\ predicted | male | female | recall |');
    expect(card).toContain('![age: reliability diagram](age/calibration.svg)');
    expect(card).toContain('![gender: confusion matrix](gender/confusion.svg)');
    expect(card).toMatch(/\| White male \| ([\d.]+% \(n = \d+\)|—) \|/);
    expect(card).not.toContain('undefined');
    // What this small run was: one epoch, not the preset's 25; its parts with their faces.
    expect(card).toContain("**This run trained 1 epoch**, not the preset's 25.");
    expect(card).toMatch(
      /Split: 30\.0% held-out test part \(\d+ faces; metrics below\), (10\.0% of the other faces for validation \(\d+ faces\)|no validation part \(10\.0% of each stratum came to no faces\): the last epoch was kept and no temperature fitted), \d+ for training;/,
    );
    expect(card).toContain(
      'Small CNNs that estimate an age group, an ethnicity category and a gender category',
    );
    expect(card).toContain(
      `pnpm train --data ${shownPath(dataPath)} --preset seed --backend wasm --seed 3 --epochs 1 --out ${shownPath(runDir)}`,
    );
    expect(card).toContain(`pnpm export --run ${shownPath(runDir)}`);
    // Robustness: the unchanged test faces through the ONNX files give the run's (tfjs) test accuracy.
    expect(lines).toContain(
      `robustness: ${gender.entry.metrics.samples} test faces, changed one way at a time`,
    );
    expect(card).toContain('Training did not change the faces (no augmentation)');
    const plain = card.match(/\| as in the data \| ([\d.]+)% \| ([\d.]+)% \| ([\d.]+)% \|/);
    expect(plain).not.toBeNull();
    expect(plain!.slice(1)).toEqual(loaded.models.map((m) => (m.entry.metrics.accuracy! * 100).toFixed(1)));
    expect(card).toMatch(/\| head turned 20° \| [\d.]+% \([+−±][\d.]+\) \|/);
  });

  it('re-exporting one task keeps the other entries; leaves no temp files', async () => {
    const out = join(dir, 'models');
    const before = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as {
      models: Record<string, { sha256: string }>;
    };
    await exportRun({ runDir, outDir: out, tasks: ['gender'], synthetic: 4 });
    const loaded = await loadModels(out);
    expect(loaded.models.map((m) => m.task)).toEqual(['age', 'ethnicity', 'gender']);
    expect(loaded.manifest.models.age?.sha256).toBe(before.models.age!.sha256);
    const all = await readdir(out, { recursive: true });
    expect(all.filter((f) => String(f).includes('.tmp-'))).toEqual([]);
  });

  it('refuses to export one task over a manifest it cannot read, rather than drop the other tasks and their files', async () => {
    const out = join(dir, 'm-torn');
    await exportRun({ runDir, outDir: out, synthetic: 4 });
    const manifest = join(out, 'manifest.json');
    await writeFile(manifest, (await readFile(manifest, 'utf8')).slice(0, 200)); // cut short
    const before = await snapshotOf(out);
    await expect(exportRun({ runDir, outDir: out, tasks: ['gender'], synthetic: 4 })).rejects.toThrow(
      `${manifest}: is not valid JSON`,
    );
    await expect(exportRun({ runDir, outDir: out, tasks: ['gender'], synthetic: 4 })).rejects.toThrow(
      'so the entries of age, ethnicity, which this export does not replace, and their files would be lost',
    );
    expect(await snapshotOf(out)).toEqual(before);
    // Every task exported again: nothing of the old manifest is kept, so it need not be read.
    await exportRun({ runDir, outDir: out, synthetic: 4 });
    expect((await loadModels(out)).models.map((m) => m.task)).toEqual(['age', 'ethnicity', 'gender']);
  });

  it('keeps the model files of the tasks it does not export when the manifest was deleted by hand', async () => {
    const out = join(dir, 'm-unlisted');
    await exportRun({ runDir, outDir: out, synthetic: 4 });
    await rm(join(out, 'manifest.json'));
    await exportRun({ runDir, outDir: out, tasks: ['gender'], synthetic: 4 });
    // No manifest names them any more, but they are not this export's to delete.
    expect(['age', 'ethnicity', 'gender'].map((t) => existsSync(join(out, t, 'model.onnx')))).toEqual([
      true,
      true,
      true,
    ]);
    expect((await loadModels(out)).models.map((m) => m.task)).toEqual(['gender']);
  });

  it('leaves the folder as it was when a write fails part-way, and keeps its permissions when one succeeds', async () => {
    const out = join(dir, 'm-whole');
    await exportRun({ runDir, outDir: out, synthetic: 4 });
    // A folder where the model card goes: the last write fails, after every other file was written.
    await rm(join(out, 'MODEL_CARD.md'));
    await mkdir(join(out, 'MODEL_CARD.md', 'in-the-way'), { recursive: true });
    const before = await snapshotOf(out);
    await expect(exportRun({ runDir, outDir: out, tasks: ['gender'], synthetic: 5 })).rejects.toThrow();
    expect(await snapshotOf(out)).toEqual(before);
    expect((await readdir(dir)).filter((f) => f.includes('.export-'))).toEqual([]);
    await rm(join(out, 'MODEL_CARD.md'), { recursive: true });
    await chmod(out, 0o755);
    await exportRun({ runDir, outDir: out, tasks: ['gender'], synthetic: 5 });
    expect((await stat(out)).mode & 0o777).toBe(0o755);
    expect((await loadModels(out)).manifest.models.gender!.verification.samples).toBe(5);
  });

  it('names a figure of the run that cannot be read, and leaves the folder as it was', async () => {
    const odd = join(dir, 'runs', 'figure-folder');
    await cp(runDir, odd, { recursive: true });
    const figure = join(odd, 'gender', 'confusion.svg');
    await rm(figure);
    await mkdir(figure);
    const out = join(dir, 'm-figure');
    await expect(exportRun({ runDir: odd, outDir: out, tasks: ['gender'], synthetic: 4 })).rejects.toThrow(
      `cannot read ${figure} (EISDIR`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('skips a figure the run lacks, removes an earlier export’s copy and does not link it', async () => {
    const bare = join(dir, 'runs', 'no-calibration');
    await cp(runDir, bare, { recursive: true });
    await rm(join(bare, 'gender', 'calibration.svg'));
    const out = join(dir, 'm3');
    await exportRun({ runDir, outDir: out, tasks: ['gender'], synthetic: 4 });
    expect(existsSync(join(out, 'gender', 'calibration.svg'))).toBe(true);
    await exportRun({ runDir: bare, outDir: out, tasks: ['gender'], synthetic: 4 });
    expect(existsSync(join(out, 'gender', 'confusion.svg'))).toBe(true);
    expect(existsSync(join(out, 'gender', 'calibration.svg'))).toBe(false);
    const card = await readFile(join(out, 'MODEL_CARD.md'), 'utf8');
    expect(card).toContain('(gender/confusion.svg)');
    expect(card).not.toContain('calibration.svg');
    expect(card).toMatch(/Expected calibration error \(ECE\) of the top-class confidence: [\d.]+%/);
  });

  it('exports a shared network (an ensemble of two, one also on the mirrored face) as one file whose outputs are the tasks, and drops the per-task files', async () => {
    const sharedRun = join(dir, 'runs', 'shared');
    const outcome = await trainOneEpoch(sharedRun, 'shared-ensemble-flip');
    expect(
      outcome.reports[0]!.members?.map((m) => [m.preset, m.seed, m.keptEpoch, m.mirrored ?? false]),
    ).toEqual([
      ['shared-deep', 3, 1, false],
      ['shared-flat', 4, 1, true],
    ]);
    for (const member of ['member-1', 'member-2'])
      expect(existsSync(join(sharedRun, 'shared', member, 'checkpoint', 'model.json')), member).toBe(true);
    expect(outcome.reports.map((r) => r.sharedWith)).toEqual([
      ['ethnicity', 'gender'],
      ['age', 'gender'],
      ['age', 'ethnicity'],
    ]);
    // Into a folder that holds per-task files from an earlier export.
    const out = join(dir, 'm-shared');
    await exportRun({ runDir, outDir: out, synthetic: 4 });
    expect(existsSync(join(out, 'age', 'model.onnx'))).toBe(true);
    const lines: string[] = [];
    await exportRun({
      runDir: sharedRun,
      outDir: out,
      dataPath,
      faces: 20,
      synthetic: 4,
      log: (l) => lines.push(l),
    });
    const loaded = await loadModels(out);
    expect(loaded.models.map((m) => [m.task, m.entry.file, m.entry.output.name])).toEqual([
      ['age', 'shared/model.onnx', 'age_probabilities'],
      ['ethnicity', 'shared/model.onnx', 'ethnicity_probabilities'],
      ['gender', 'shared/model.onnx', 'gender_probabilities'],
    ]);
    for (const task of TASKS) expect(existsSync(join(out, task, 'model.onnx')), task).toBe(false);
    expect(lines.filter((l) => l.startsWith('removed '))).toHaveLength(3);
    // One run of the file answers every task, as each task's own tfjs model (its head and the trunk) does.
    const session = await ort.InferenceSession.create(loaded.models[0]!.bytes);
    const faces = new Float32Array(3 * 2304).map((_, i) => ((i * 37) % 256) / 255);
    const y = await session.run({ image: new ort.Tensor('float32', faces, [3, 48, 48, 1]) });
    for (const m of loaded.models) {
      const got = y[m.entry.output.name]!.data as Float32Array;
      const own = await loadLayersModel(join(out, m.task, 'tfjs'));
      const want = (own.predict(tf.tensor4d(faces, [3, 48, 48, 1])) as tf.Tensor).dataSync();
      expect(got).toHaveLength(want.length);
      got.forEach((p, i) => expect(Math.abs(p - want[i]!), `${m.task}[${i}]`).toBeLessThanOrEqual(1e-5));
      own.dispose();
    }
    await session.release();

    // One of its tasks exported again: a file of its own, so the other two keep the file they use.
    const before = loaded.manifest.models;
    lines.length = 0;
    await exportRun({
      runDir: sharedRun,
      outDir: out,
      tasks: ['age'],
      synthetic: 4,
      log: (l) => lines.push(l),
    });
    expect(lines.filter((l) => l.startsWith('kept '))).toEqual([
      `kept ethnicity from run ${before.ethnicity!.training.runId} (shared/model.onnx)`,
      `kept gender from run ${before.gender!.training.runId} (shared/model.onnx)`,
    ]);
    const partial = await loadModels(out);
    expect(partial.models.map((m) => [m.task, m.entry.file, m.entry.sha256])).toEqual([
      ['age', 'shared-age/model.onnx', before.age!.sha256],
      ['ethnicity', 'shared/model.onnx', before.ethnicity!.sha256],
      ['gender', 'shared/model.onnx', before.gender!.sha256],
    ]);
    // All three again: one file once more, the one-task file and its folder removed.
    await exportRun({ runDir: sharedRun, outDir: out, synthetic: 4 });
    expect(new Set(Object.values((await loadModels(out)).manifest.models).map((m) => m.file))).toEqual(
      new Set(['shared/model.onnx']),
    );
    expect(existsSync(join(out, 'shared-age'))).toBe(false);
  });

  it('refuses a task the run has not finished', async () => {
    const info = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as {
      tasks: Record<string, string>;
    };
    info.tasks.age = 'training';
    const partial = join(dir, 'runs', 'partial');
    await cp(runDir, partial, { recursive: true });
    await writeFile(join(partial, 'run.json'), JSON.stringify(info));
    await expect(exportRun({ runDir: partial, outDir: join(dir, 'm2'), tasks: ['age'] })).rejects.toThrow(
      /task age is not finished \(status: training\)/,
    );
  });
});
