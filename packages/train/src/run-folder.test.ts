import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson, readRunInfo, RUN_JSON, SPLIT_JSON } from './run-folder.js';
import { tempFolder } from '../../../tests/support/temp-folder.js';

const tempDir = () => tempFolder('facekit-run-');

describe('readRunInfo', () => {
  it('names run.json when it is not valid JSON', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, RUN_JSON), '{ "runId": "x", oops }');
    await expect(readRunInfo(dir)).rejects.toThrow(
      new RegExp(`^${join(dir, RUN_JSON)} is not valid JSON \\(.+\\)$`),
    );
  });

  it('says a folder without run.json is not a run folder', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'age'));
    await expect(readRunInfo(dir)).rejects.toThrow(`${dir} is not a run folder (it has no run.json)`);
    await expect(readRunInfo(join(dir, 'nope'))).rejects.toThrow(
      `${join(dir, 'nope')} is not a run folder (it does not exist)`,
    );
    await writeFile(join(dir, 'run.csv'), 'age,ethnicity,gender,img_name,pixels\n');
    await expect(readRunInfo(join(dir, 'run.csv'))).rejects.toThrow(
      `${join(dir, 'run.csv')} is not a run folder (it is a file)`,
    );
  });
});

/** A run.json as `pnpm train` writes it: one gender task, finished. */
const goodRun = () => ({
  runId: 'r1',
  createdAt: '2024-01-01T00:00:00.000Z',
  preset: 'seed',
  backend: 'wasm',
  seed: 42,
  testFraction: 0.3,
  validationFraction: 0.1,
  ageGrouping: 'six',
  epochs: { gender: 2 },
  data: {
    path: '/data/faces.csv',
    sha256: 'c'.repeat(64),
    rows: 2000,
    skippedRows: 0,
    duplicateRows: 17,
    conflictingDuplicateGroups: 9,
  },
  tasks: { gender: 'done' },
});

describe('readRunInfo on a run.json with missing or mistyped fields', () => {
  it('reads a run.json as pnpm train writes it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, RUN_JSON), JSON.stringify(goodRun()));
    expect(await readRunInfo(dir)).toEqual(goodRun());
  });

  it('names run.json and the field, instead of failing later on a property of undefined', async () => {
    const dir = await tempDir();
    const path = join(dir, RUN_JSON);
    const broken: [unknown, string][] = [
      [null, "must be a JSON object (a run's settings), got null"],
      [[], "must be a JSON object (a run's settings), got []"],
      [
        { ...goodRun(), tasks: undefined },
        "tasks must be an object mapping each of the run's tasks to its status, but it is missing",
      ],
      [
        { ...goodRun(), tasks: 'gender' },
        `tasks must be an object mapping each of the run's tasks to its status, got "gender"`,
      ],
      [{ ...goodRun(), tasks: {} }, 'tasks must name at least one task'],
      [
        { ...goodRun(), tasks: { gender: 'bogus' } },
        'tasks.gender must be "pending", "training" or "done", got "bogus"',
      ],
      [{ ...goodRun(), tasks: { smile: 'done' } }, 'tasks.smile is not a task (age, ethnicity, gender)'],
      [{ ...goodRun(), epochs: {} }, 'epochs.gender must be a whole number ≥ 1, but it is missing'],
      [{ ...goodRun(), epochs: { gender: '2' } }, 'epochs.gender must be a whole number ≥ 1, got "2"'],
      [{ ...goodRun(), epochs: { gender: 1.5 } }, 'epochs.gender must be a whole number ≥ 1, got 1.5'],
      [{ ...goodRun(), data: null }, "data must be a JSON object describing the run's data file, got null"],
      [{ ...goodRun(), data: { ...goodRun().data, path: 7 } }, 'data.path must be a non-empty string, got 7'],
      [
        { ...goodRun(), data: { ...goodRun().data, sha256: null } },
        'data.sha256 must be a sha256: 64 lowercase hex digits, got null',
      ],
      [{ ...goodRun(), preset: 7 }, 'preset must be a non-empty string, got 7'],
      [{ ...goodRun(), runId: undefined }, 'runId must be a non-empty string, but it is missing'],
      [{ ...goodRun(), seed: '42' }, 'seed must be a whole number ≥ 0, got "42"'],
      [{ ...goodRun(), ageGrouping: 'weekly' }, 'ageGrouping must be "six" or "decades", got "weekly"'],
      [{ ...goodRun(), testFraction: 1 }, 'testFraction must be a number above 0 and below 1, got 1'],
    ];
    for (const [json, why] of broken) {
      await writeFile(path, JSON.stringify(json));
      await expect(readRunInfo(dir)).rejects.toThrow(`${path}: ${why}`);
    }
  });
});

describe('readJson', () => {
  it('names split.json when it is cut short or missing', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, SPLIT_JSON), '{"train": [1, 2');
    await expect(readJson(join(dir, SPLIT_JSON))).rejects.toThrow(
      `${join(dir, SPLIT_JSON)} is not valid JSON (`,
    );
    await expect(readJson(join(dir, 'metrics.json'))).rejects.toThrow(
      `${join(dir, 'metrics.json')} does not exist`,
    );
  });
});
