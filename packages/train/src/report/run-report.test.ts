import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunInfo } from '../run-folder.js';
import { mdTable } from './markdown.js';
import type { EpochRecord } from './metrics-types.js';
import { renderRunReport, writeRunReport } from './run-report.js';
import { writeTaskArtifacts } from './task-artifacts.js';
import { combinedRate, trainingTiming, type TaskReport } from './task-section.js';
import { computeTaskMetrics } from './task-metrics.js';
import { parseXml } from './xml-check.js';
import { tempFolder } from '../../../../tests/support/temp-folder.js';

const n = 40;
const demographics = {
  ethnicity: Uint8Array.from({ length: n }, (_, i) => i % 5),
  gender: Uint8Array.from({ length: n }, (_, i) => (i >> 2) % 2),
  ageGroup: Uint8Array.from({ length: n }, (_, i) => i % 6),
  ageLabels: ['1-10', '11-20', '21-40', '41-60', '61-90', '91+'],
};
const gender = computeTaskMetrics({
  task: 'gender',
  labels: ['male', 'female'],
  truth: demographics.gender,
  probabilities: Float32Array.from({ length: n }, (_, i) =>
    i % 3 === 0 ? 0.3 : 0.2 + 0.6 * demographics.gender[i]!,
  ),
  loss: 0.41,
  demographics,
});
const age = computeTaskMetrics({
  task: 'age',
  labels: demographics.ageLabels,
  truth: demographics.ageGroup,
  // Even rows predict their true group, odd rows the next one: 50% accurate.
  probabilities: Float32Array.from({ length: n * 6 }, (_, j) => {
    const row = Math.floor(j / 6);
    return j % 6 === (row + (row % 2)) % 6 ? 0.5 : 0.1;
  }),
  loss: 0.9,
  demographics,
});
const history: EpochRecord[] = [1, 2].map((epoch) => ({
  epoch,
  loss: 1 / epoch,
  accuracy: 0.6,
  valLoss: 1.2 / epoch,
  valAccuracy: 0.55,
  seconds: 10,
  samplesPerSecond: 300,
}));
const run: RunInfo = {
  runId: 'test-run',
  createdAt: '2025-01-01T00:00:00.000Z',
  preset: 'seed',
  backend: 'wasm',
  seed: 42,
  testFraction: 0.3,
  validationFraction: 0.1,
  ageGrouping: 'six',
  epochs: { age: 2, ethnicity: 25, gender: 2 },
  data: {
    path: 'data/age_gender.csv',
    sha256: 'f'.repeat(64),
    rows: 20109,
    skippedRows: 3,
    duplicateRows: 14,
    conflictingDuplicateGroups: 2,
  },
  tasks: { age: 'done', ethnicity: 'training', gender: 'done' },
};

describe('writeTaskArtifacts + writeRunReport', () => {
  it('writes a run folder whose report links every figure it embeds', async () => {
    const dir = await tempFolder('facekit-report-');
    const written = await writeTaskArtifacts(dir, { task: 'age', history, metrics: age });
    expect(written).toEqual([
      'age/history.json',
      'age/metrics.json',
      'age/report.json',
      'age/curves.svg',
      'age/confusion.svg',
      'age/calibration.svg',
    ]);
    await writeTaskArtifacts(dir, { task: 'gender', history, metrics: gender });
    expect(JSON.parse(await readFile(join(dir, 'age/metrics.json'), 'utf8'))).toEqual(age);
    for (const file of written.filter((f) => f.endsWith('.svg')))
      parseXml(await readFile(join(dir, file), 'utf8'));
    await expect(writeTaskArtifacts(dir, { task: 'ethnicity', history, metrics: age })).rejects.toThrow(
      /not "ethnicity"/,
    );

    // Age was trained before a resume: only gender is passed; age is read back from the folder.
    const path = await writeRunReport(
      dir,
      run,
      [{ task: 'gender', history, metrics: gender, trainingSeconds: 25, parameters: 673 }],
      {
        skipped: { byReason: { 'pixel count': 2, 'age | range': 1 }, examples: ['x.csv:7: 2303 pixels'] },
        split: { train: { length: 12668 }, validation: { length: 1408 }, test: { length: 6033 } },
      },
    );
    const md = await readFile(path, 'utf8');
    const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(links).toEqual([
      'age/curves.svg',
      'age/confusion.svg',
      'age/calibration.svg',
      'gender/curves.svg',
      'gender/confusion.svg',
      'gender/calibration.svg',
    ]);
    for (const link of links) expect((await stat(join(dir, link))).isFile()).toBe(true);
    expect(md).toContain('| [age](#age) | done | 50.0% |');
    expect((await readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe('writeRunReport after a --resume', () => {
  it('shows a task trained before it as the first report did: time, rows, parameters, members', async () => {
    // Only metrics and history were read back: the rebuilt report lost all of these, and an ensemble's
    // time and samples/s became its first member's.
    const dir = await tempFolder('facekit-report-');
    const full: TaskReport = {
      task: 'age',
      history,
      metrics: age,
      trainingSeconds: 76,
      parameters: 673,
      trainSamples: 12668,
      validationSamples: 1408,
      sharedWith: ['gender'],
      members: [
        { preset: 'shared-deep', seed: 42, keptEpoch: 2, valAccuracy: 0.5, history },
        { preset: 'shared-flat', seed: 43, keptEpoch: 1, valAccuracy: 0.4, mirrored: true, history },
      ],
    };
    await writeTaskArtifacts(dir, full);
    const only = { ...run, tasks: { age: 'done' } } as const;
    const rebuilt = await readFile(await writeRunReport(dir, only, []), 'utf8');
    expect(rebuilt).toBe(renderRunReport(only, [full]));
    expect(rebuilt).toContain('shared-flat');
  });

  it('says in the task section why results trained before it cannot be read back', async () => {
    // A throw here failed the whole run at its end, after every task had trained.
    const dir = await tempFolder('facekit-report-');
    await writeTaskArtifacts(dir, { task: 'age', history, metrics: age });
    await writeTaskArtifacts(dir, { task: 'gender', history, metrics: gender });
    await rm(join(dir, 'age', 'metrics.json'));
    const both = { ...run, tasks: { age: 'done', gender: 'done' } } as const;
    const report = async () => readFile(await writeRunReport(dir, both, []), 'utf8');
    expect(await report()).toContain(
      `No results (status: done); its results could not be read back: ${join(dir, 'age', 'metrics.json')} does not exist.`,
    );
    await writeFile(join(dir, 'gender', 'history.json'), '{"epoch": 1}');
    await writeFile(join(dir, 'age', 'metrics.json'), '{"task": "age", "accura');
    const md = await report();
    expect(md).toContain(`${join(dir, 'gender', 'history.json')} holds no list of epochs.`);
    expect(md).toContain(`${join(dir, 'age', 'metrics.json')} is not valid JSON`);
  });
});

describe('renderRunReport', () => {
  const md = renderRunReport(
    run,
    [{ task: 'gender', history, metrics: gender, trainingSeconds: 25, parameters: 673 }],
    {
      skipped: { byReason: { 'pixel count': 2, 'age | range': 1 } },
      split: { train: { length: 12668 }, validation: { length: 1408 }, test: { length: 6033 } },
      command: 'pnpm train --epochs 2',
    },
  );

  it('has the settings, data, results and per-task sections', () => {
    const headings = md.split('\n').filter((l) => l.startsWith('#'));
    expect(headings).toEqual([
      '# Training run `test-run`',
      '## Results',
      '## Settings',
      '## Data',
      '## age',
      '## ethnicity',
      '## gender',
      '### Per class',
      '### Confusion matrix',
      '### Accuracy by ethnicity × gender',
      '### Calibration',
    ]);
    expect(md).toContain(
      '| split | test 30%, validation 10%; train 12,668 · validation 1,408 · test 6,033 rows |',
    );
    expect(md).toContain('| command | `pnpm train --epochs 2` |');
    expect(md).toContain('| duplicate groups with conflicting labels | 2 |');
    expect(md).toContain('| age \\| range | 1 |');
    expect(md).toContain('No results (status: done); its results could not be read back.');
    expect(md).toContain('No results (status: training); resume the run with `--resume`.');
  });

  it('shows headline numbers, timing, per-class and group tables for a task', () => {
    const correct = Math.round(gender.accuracy * n);
    expect(md).toContain(`| ${((correct / n) * 100).toFixed(1)}% | ${gender.macroF1.toFixed(3)} | 0.410 |`);
    expect(md).toContain('Training: 2 of 2 epochs · 25.0 s · 300 samples/s · 673 parameters');
    expect(md).toContain('| class | precision | recall | F1 | support |');
    expect(md).toMatch(/\| male \| \d\.\d{3} \| \d\.\d{3} \| \d\.\d{3} \| 20 \|/);
    expect(md).toContain('| ethnicity | male | female | all |');
    expect(md).toMatch(/\| \*\*all\*\* \| [\d.]+% \(20\) \| [\d.]+% \(20\) \| [\d.]+% \(40\) \|/);
    expect(md).toContain('| ethnicity, gender | 1-10 | 11-20 | 21-40 | 41-60 | 61-90 | 91+ |');
  });

  it("puts the finished network's validation figures beside the test figures in the results", () => {
    const validation = { samples: 1408, accuracy: 0.9134, loss: 0.2371 };
    const withVal = renderRunReport(run, [
      { task: 'gender', history, metrics: { ...gender, validation }, trainingSeconds: 25 },
    ]);
    const row = (text: string) => text.split('\n').find((l) => l.startsWith('| [gender]'))!;
    expect(row(withVal)).toMatch(/\| 91\.3% \| 0\.237 \| 25\.0 s \|/);
    expect(row(md)).toMatch(/\| — \| — \| 25\.0 s \|/);
  });
});

describe('mdTable', () => {
  it('escapes pipes and line breaks and right-aligns numeric columns', () => {
    expect(mdTable(['a', 'n'], [['x|y\nz', '1']], [false, true])).toBe(
      '| a | n |\n| --- | ---: |\n| x\\|y z | 1 |',
    );
  });
});

describe('renderRunReport for an ensemble', () => {
  it('names each member with its seed, kept epoch, validation accuracy and mirroring', () => {
    const members = [
      { preset: 'shared-deep', seed: 42, keptEpoch: 35, valAccuracy: 0.905, samplesPerSecond: 390.4 },
      { preset: 'shared-flat', seed: 43, keptEpoch: 44, mirrored: true, samplesPerSecond: 780.8 },
    ];
    const md = renderRunReport(run, [
      { task: 'gender', history, metrics: gender, trainingSeconds: 25, sharedWith: ['age'], members },
    ]);
    expect(md).toContain(
      'ensemble of shared-deep (seed 42, epoch 35, validation 90.5%, 390 samples/s) + shared-flat (seed 43, epoch 44, 781 samples/s, also on the mirrored face), logits averaged; curves of the first member',
    );
    // The members' combined rate (1 / (1/390.4 + 1/780.8) = 260), not the first member's; no last epoch.
    expect(md).toContain('· 260 samples/s ·');
    expect(md).not.toContain('last epoch:');
    expect(md).toContain('trunk shared with age (one network, one time)');
  });

  it("says the curves show each member once the members' histories are known", () => {
    const members = [
      { preset: 'shared-deep', seed: 42, keptEpoch: 35, history },
      { preset: 'shared-flat', seed: 43, keptEpoch: 44, history },
    ];
    const md = renderRunReport(run, [{ task: 'gender', history, metrics: gender, members }]);
    expect(md).toContain('logits averaged; curves of each member');
  });
});

describe('trainingTiming', () => {
  it("sums the epochs' seconds when no wall time is given (a resumed run): an ensemble's, its members'", () => {
    expect(trainingTiming({ task: 'gender', history, metrics: gender }).seconds).toBe(20);
    const members = [
      { preset: 'shared-deep', seed: 42, keptEpoch: 2, history },
      { preset: 'shared-flat', seed: 43, keptEpoch: 2, history },
    ];
    expect(trainingTiming({ task: 'gender', history, metrics: gender, members }).seconds).toBe(40);
    expect(
      trainingTiming({ task: 'gender', history, metrics: gender, members, trainingSeconds: 55 }).seconds,
    ).toBe(55);
  });
});

describe('combinedRate', () => {
  it('is the rate of members trained one after the other, and unknown when a member is', () => {
    expect(combinedRate([300, 600])).toBeCloseTo(200);
    expect(combinedRate([500])).toBe(500);
    expect(combinedRate([])).toBeUndefined();
    expect(combinedRate([300, 0])).toBeUndefined();
  });
});
