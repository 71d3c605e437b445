import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../presets.js';
import { runInfo } from '../../../../tests/support/run-info.js';
import { pathArg, shellWord, shownPath, trainCommand } from './train-command.js';

const root = '/w/main';
const seedEpochs = PRESETS.seed!.fit('age').epochs;
const run = runInfo({
  epochs: { gender: seedEpochs, age: seedEpochs },
  data: { path: '/w/main/data/faces.csv' },
});

describe('shownPath', () => {
  it('is relative inside the project or beside it, absolute elsewhere', () => {
    expect(shownPath('/w/main/runs/r1', root)).toBe(join('runs', 'r1'));
    expect(shownPath('/w/shared/data/x.csv', root)).toBe(join('..', 'shared', 'data', 'x.csv'));
    expect(shownPath('/tmp/t/x.csv', root)).toBe('/tmp/t/x.csv');
  });
});

describe('shellWord', () => {
  it('leaves a plain word bare and quotes anything a shell would split or expand', () => {
    expect(shellWord('../shared/data/utkface48.csv')).toBe('../shared/data/utkface48.csv');
    expect(shellWord('my data/skip it.csv')).toBe("'my data/skip it.csv'");
    expect(shellWord("it's $HOME")).toBe("'it'\\''s $HOME'");
  });
});

describe('pathArg', () => {
  it('shows a path as shownPath does, the project root as ".", quoted where the shell needs it', () => {
    expect(pathArg('/w/main', root)).toBe('.');
    expect(pathArg('/w/main/runs/r 1', root)).toBe(`'${join('runs', 'r 1')}'`);
    expect(pathArg('/tmp/t/x.csv', root)).toBe('/tmp/t/x.csv');
  });
});

describe('trainCommand', () => {
  it('spells out a run, its split seed only when the run drew its split with another seed', () => {
    expect(trainCommand(run, '/w/main/runs/r1', root)).toBe(
      'pnpm train --data data/faces.csv --preset seed --backend cpu --seed 1 --task age,gender --out runs/r1',
    );
    expect(trainCommand({ ...run, seed: 8, splitSeed: 7 }, '/w/main/runs/r1', root)).toContain(
      '--seed 8 --split-seed 7 ',
    );
    expect(trainCommand({ ...run, epochs: { age: 2, gender: 2 } }, '/w/main/runs/r1', root)).toContain(
      ' --epochs 2 ',
    );
  });

  it('quotes paths with spaces, and keeps --threads and --skip-invalid when the run had them', () => {
    const own = {
      ...run,
      threads: 1,
      data: { ...run.data, path: '/tmp/my data/skip it.csv', skippedRows: 7 },
    };
    expect(trainCommand(own, '/tmp/run flags', root)).toBe(
      "pnpm train --data '/tmp/my data/skip it.csv' --preset seed --backend cpu --seed 1 --task age,gender " +
        "--threads 1 --skip-invalid --out '/tmp/run flags'",
    );
  });
});
