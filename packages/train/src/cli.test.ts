/**
 * `pnpm train`'s flag checks, run as the real command (`tsx src/cli.ts`): each bad value is refused
 * with one line naming the flag and exit status 2, before any data is read or any folder written.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PRESETS } from './presets.js';
import { tempFolder } from '../../../tests/support/temp-folder.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** What `pnpm train args` said on stderr, having exited with `code` (2: a wrong flag; 1: a failed run). */
async function refusal(args: string[], code: number): Promise<string> {
  const error = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: packageDir,
  }).then(
    () => undefined,
    (e: { code: number; stderr: string }) => e,
  );
  expect(error?.code, `pnpm train ${args.join(' ')} should fail`).toBe(code);
  return error!.stderr.trim();
}

describe('pnpm train flags', () => {
  it.each([
    [
      ['--epochs', '0'],
      '--epochs must be a whole number from 1 to 10000 (passes over the training part), got "0"',
    ],
    [
      ['--epochs', '1.5'],
      '--epochs must be a whole number from 1 to 10000 (passes over the training part), got "1.5"',
    ],
    [
      ['--threads', '999'],
      `--threads must be a whole number from 1 to ${availableParallelism()} (this machine has ${availableParallelism()} cores), got "999"`,
    ],
    [
      ['--preset', 'shared-ensembl-flip'],
      `unknown preset "shared-ensembl-flip" — did you mean "shared-ensemble-flip"? (\`pnpm train --list-presets\` lists all ${Object.keys(PRESETS).length})`,
    ],
    [['--backend', 'cuda'], '--backend must be one of tensorflow, webgpu, wasm, cpu, got "cuda"'],
    [['--seed', '1.5'], '--seed must be a whole number from 0 to 4294967295, got "1.5"'],
    [['--split-seed=-1'], '--split-seed must be a whole number from 0 to 4294967295, got "-1"'],
    [['--test-fraction', '1.5'], '--test-fraction must be above 0 and below 1, got "1.5"'],
    [['--test-fraction', '0'], '--test-fraction must be above 0 and below 1, got "0"'],
    [['--validation-fraction', '1'], '--validation-fraction must be at least 0 and below 1, got "1"'],
    [
      ['--resume', 'runs/x', '--preset', 'seed', '--epochs', '3'],
      '--resume continues a run with the settings it was started with (its run.json); drop --preset, --epochs, or start a new run without --resume',
    ],
  ])('%j is refused in one line', { timeout: 60_000 }, async (args, message) => {
    expect(await refusal(args, 2)).toBe(`pnpm train: ${message}`);
  });

  it('ends on a bad data row with one line carrying its code', { timeout: 60_000 }, async () => {
    const dir = await tempFolder('facekit-bad-row-');
    const data = join(dir, 'faces.csv');
    const pixels = Array.from({ length: 2304 }, () => 1).join(' ');
    await writeFile(data, `age,ethnicity,gender,img_name,pixels\n0,1,1,x.jpg,"${pixels}"\n`);
    const stderr = await refusal(['--data', data, '--out', join(dir, 'run')], 1);
    expect(stderr.split('\n').at(-1)).toBe(
      `pnpm train: [INVALID_CSV_ROW] ${data}:2: age must be 1–120, got 0 (--skip-invalid trains on the other rows and counts these)`,
    );
    // Given the flag, the error is one it cannot pass over: not offered again.
    const skipping = await refusal(['--data', data, '--skip-invalid', '--out', join(dir, 'run')], 1);
    expect(skipping.split('\n').at(-1)).toBe(
      `pnpm train: [INVALID_CSV_ROW] ${data}:2: no valid rows: its one row was skipped (age: 1)`,
    );
  });

  it('--resume of a folder that is not a run says so', { timeout: 60_000 }, async () => {
    const dir = await tempFolder('facekit-not-a-run-');
    expect(await refusal(['--resume', dir], 1)).toBe(
      `pnpm train: ${dir} is not a run folder (it has no run.json)`,
    );
  });
});
