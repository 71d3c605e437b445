/**
 * Commands refuse wrong flags before any work, in one line, and leave nothing behind: checks whose
 * wiring lives in the command itself (the checks' own tests are beside them in core). Each once wrote
 * something or worked first: bench:detection made its --write folder before checking --faces, and
 * pnpm train read and split the data before mkdir found a file where --out's folder would go, and
 * gpu:check took --seconds 1e309 (Infinity) and served for ever.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/paths.js';
import { tempFolder } from './support/temp-folder.js';

/** Runs a command's script under node, as pnpm would from `cwd`: its exit status and stderr. */
function refusal(
  script: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      // Killed if it takes the flag and starts work: that is a failure too.
      { cwd: REPO_ROOT, env: { ...process.env, INIT_CWD: cwd, ...env }, timeout: 30_000 },
      (error, _, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
    );
  });
}

describe('a refused command', () => {
  it('gpu:check refuses --seconds that would serve for ever', { timeout: 60_000 }, async () => {
    const dir = await tempFolder('facekit-refused-');
    // Number('1e309') is Infinity, which `> 0` let through: each serving row never ended.
    expect(await refusal('tests/gpu/gpu-check.ts', ['--seconds', '1e309'], dir)).toEqual({
      code: 2,
      stderr: 'pnpm gpu:check: --seconds must be a number above 0 and at most 3600, got "1e309"\n',
    });
  });

  it(
    'gpu:check and bench:train refuse an --epochs or --threads beyond reason',
    { timeout: 60_000 },
    async () => {
      const dir = await tempFolder('facekit-refused-');
      expect(await refusal('tests/gpu/gpu-check.ts', ['--epochs', '4000000'], dir)).toEqual({
        code: 2,
        stderr: 'pnpm gpu:check: --epochs must be a whole number from 1 to 10000, got "4000000"\n',
      });
      // It started as many training workers as asked for.
      const cores = availableParallelism();
      expect(await refusal('packages/train/bench/train-bench.ts', ['--threads', '1,1000'], dir)).toEqual({
        code: 2,
        stderr: `pnpm bench:train: --threads takes whole numbers from 1 to ${cores} (this machine's cores) or auto, got "1000"\n`,
      });
    },
  );

  it(
    'gpu:check ends in one line, not a stack trace, on a models folder it cannot read',
    { timeout: 60_000 },
    async () => {
      const dir = await tempFolder('facekit-refused-');
      const manifest = join(dir, 'missing', 'manifest.json');
      expect(await refusal('tests/gpu/gpu-check.ts', ['--models', 'missing'], dir)).toEqual({
        code: 1,
        stderr: `pnpm gpu:check: [MODEL_LOAD_FAILED] ${manifest}: cannot read the models manifest (ENOENT: no such file or directory, open '${manifest}')\n`,
      });
    },
  );

  it(
    'parity refuses a --models folder without a manifest before starting its suite',
    { timeout: 60_000 },
    async () => {
      const dir = await tempFolder('facekit-refused-');
      expect(await refusal('tests/parity/cli.ts', ['--models', 'missing'], dir)).toEqual({
        code: 2,
        stderr: `pnpm parity: --models missing: no manifest.json in ${join(dir, 'missing')} (pnpm export writes one)\n`,
      });
    },
  );

  it(
    'parity refuses a FACEKIT_DATA or FACEKIT_MODELS naming nothing before starting its suite',
    { timeout: 60_000 },
    async () => {
      // Inside the suite each was a serialized error among vitest's report lines, once per test file.
      const dir = await tempFolder('facekit-refused-');
      expect(await refusal('tests/parity/cli.ts', [], dir, { FACEKIT_DATA: 'gone.csv' })).toEqual({
        code: 2,
        stderr: `pnpm parity: FACEKIT_DATA=gone.csv: no such file (${join(dir, 'gone.csv')})\n`,
      });
      expect(await refusal('tests/parity/cli.ts', [], dir, { FACEKIT_MODELS: 'none' })).toEqual({
        code: 2,
        stderr: `pnpm parity: FACEKIT_MODELS=none: no manifest.json in ${join(dir, 'none')} (pnpm export writes one)\n`,
      });
    },
  );

  it(
    'export:detector refuses a FACEKIT_DATA naming nothing or a folder before converting',
    { timeout: 60_000 },
    async () => {
      // It said [DATA_NOT_FOUND] and exited 1, unlike the other commands that fall back without data.
      const dir = await tempFolder('facekit-refused-');
      const script = 'packages/export/src/detector/cli.ts';
      expect(await refusal(script, [], dir, { FACEKIT_DATA: 'gone.csv' })).toEqual({
        code: 2,
        stderr: `pnpm export:detector: FACEKIT_DATA=gone.csv: no such file (${join(dir, 'gone.csv')})\n`,
      });
      expect(await refusal(script, [], dir, { FACEKIT_DATA: '.' })).toEqual({
        code: 2,
        stderr: `pnpm export:detector: FACEKIT_DATA=.: ${dir} is a folder, not a file\n`,
      });
    },
  );

  it('bench:detection makes no --write folder when a flag is wrong', { timeout: 60_000 }, async () => {
    const dir = await tempFolder('facekit-refused-');
    const run = await refusal('tests/bench/detection.ts', ['--faces', '0', '--write', 'written'], dir);
    expect(run).toEqual({
      code: 2,
      stderr: 'pnpm bench:detection: --faces must be a whole number ≥ 1, got "0"\n',
    });
    expect(existsSync(join(dir, 'written'))).toBe(false);
  });

  it('pnpm train refuses an --out inside a file before reading the data', { timeout: 60_000 }, async () => {
    const dir = await tempFolder('facekit-refused-');
    await writeFile(join(dir, 'notes.txt'), 'x');
    // A data file that would fail if read: the refusal must come first.
    await writeFile(join(dir, 'faces.csv'), 'not a csv');
    const run = await refusal(
      'packages/train/src/cli.ts',
      ['--data', 'faces.csv', '--out', 'notes.txt/run'],
      dir,
    );
    expect(run).toEqual({
      code: 2,
      stderr: `pnpm train: --out notes.txt/run: ${join(dir, 'notes.txt')} is a file, so nothing can be made inside it\n`,
    });
  });

  it(
    'pnpm demo refuses a models folder its page could not use, and an address it cannot listen on',
    { timeout: 60_000 },
    async () => {
      const dir = await tempFolder('facekit-refused-');
      await writeFile(join(dir, 'notes.txt'), 'x');
      // The page, served, would only have failed in the browser; the address ended in a stack trace.
      const file = await refusal('packages/web-demo/dev.ts', ['--models', 'notes.txt'], dir);
      expect(file).toEqual({
        code: 1,
        stderr: `pnpm demo: [MODEL_LOAD_FAILED] ${join(dir, 'notes.txt')}: is a file, not a models folder: name the folder holding manifest.json, or the manifest itself\n`,
      });
      const empty = await refusal('packages/web-demo/dev.ts', ['--models', '.'], dir);
      expect(empty.code).toBe(1);
      expect(empty.stderr).toMatch(
        /^pnpm demo: \[MODEL_LOAD_FAILED\] .*manifest\.json: cannot read the models manifest \(ENOENT/,
      );
      const host = await refusal('packages/web-demo/dev.ts', ['--host', 'no-such-host.invalid'], dir);
      expect(host).toEqual({ code: 1, stderr: 'pnpm demo: getaddrinfo ENOTFOUND no-such-host.invalid\n' });
    },
  );
});
