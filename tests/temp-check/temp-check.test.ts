/**
 * The check that a test run leaves nothing in the temp folder (tests/support/temp-run.ts and
 * temp-check.ts), run on tests/temp-check/leaky-file.fixture.ts in a Vitest of its own with the project's
 * config (fixture.config.ts): a file that leaves a folder and a file behind fails, naming both and not the folders
 * tempFolder() removed; the same file leaving nothing passes; and neither run leaves anything.
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const FIXTURE = 'tests/temp-check/leaky-file.fixture.ts';

function vitest(mode: 'leak' | 'clean'): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--config',
        'tests/temp-check/fixture.config.ts',
      ],
      { cwd: REPO_ROOT, env: { ...process.env, FACEKIT_TEMP_CHECK_FIXTURE: mode, NO_COLOR: '1' } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, output: stdout + stderr }),
    );
  });
}

describe('a test run leaves nothing in the temp folder', () => {
  it('fails a test file that leaves a folder or a file there, naming them, and removes them', async () => {
    const before = await readdir(tmpdir());
    const run = await vitest('leak');
    expect(run.code, run.output).toBe(1);
    expect(run.output).toMatch(
      new RegExp(
        `${FIXTURE.replace(/\./g, '\\.')} left 2 entries in the temp folder \\(os\\.tmpdir\\(\\)\\): ` +
          'left-behind-\\w{6}, left-behind\\.txt\\. Make test folders with tempFolder\\(\\)',
      ),
    );
    expect(run.output).not.toMatch(/for-the-(file|test)-/);
    expect(await readdir(tmpdir())).toEqual(before);
  });

  it('passes the same file when it leaves nothing, its tempFolder() folders removed', async () => {
    const before = await readdir(tmpdir());
    const run = await vitest('clean');
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/1 passed/);
    expect(await readdir(tmpdir())).toEqual(before);
  });
});
