/**
 * The serving benchmark the README's figures come from runs, as a user types it: a second of load,
 * every request answered with a classification. (A default flag value once made it exit at start,
 * and only --help was tested.) The soak refuses a request count too small to send every bad kind, and
 * takes --connections. The faces it sends come from --data or $FACEKIT_DATA when named: a folder or a
 * missing file there is said in one line (it was a bare EISDIR stack, or a quiet fall-back), and so is a
 * server that does not start.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { tempFolder } from '../support/temp-folder.js';

const run = promisify(execFile);

describe('pnpm bench:serve', () => {
  it('measures the shipped models for a second and stops its server', { timeout: 120_000 }, async () => {
    const { stdout } = await run(
      'pnpm',
      [
        'bench:serve',
        '--duration',
        '1',
        '--connections',
        '2',
        '--payloads',
        'pixels',
        '--ceiling-seconds',
        '1',
      ],
      { cwd: REPO_ROOT, timeout: 110_000 },
    );
    expect(stdout).toMatch(/^\| pixels +\| 2 +\| [\d,]+ +\| [\d.]+ +\| [\d.]+ +\| 0 +\|$/m);
    expect(stdout).toContain('server exit code 0');
  });

  it(
    'refuses a soak too short for every connection to reach the bad requests',
    { timeout: 60_000 },
    async () => {
      // How `pnpm bench:serve <args>` failed: its exit status and stderr.
      const refusal = (args: string[]) =>
        run('pnpm', ['bench:serve', ...args], { cwd: REPO_ROOT, timeout: 50_000 }).catch(
          (e: { code: number; stderr: string }) => e,
        );
      expect(await refusal(['--soak', '--requests', '300'])).toMatchObject({
        code: 1,
        stderr: expect.stringContaining(
          '--requests 300 is too few: each of the 32 connections replays the 44-request mix from its start, so at least 1408',
        ),
      });
      // --connections reaches the soak (it was once ignored there), as one number.
      expect(await refusal(['--soak', '--requests', '100', '--connections', '3'])).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('each of the 3 connections replays the 44-request mix'),
      });
      expect(await refusal(['--soak', '--connections', '1,16'])).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('--soak runs at one number of connections, got "1,16"'),
      });
    },
  );

  it('says in one line why its server did not start', { timeout: 60_000 }, async () => {
    // It was an Error's stack trace, with the server's own one-line reason inside it.
    const failed = await run('pnpm', ['bench:serve', '--server=--max-batch 0'], {
      cwd: REPO_ROOT,
      timeout: 50_000,
    }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    const lines = (failed as { stderr: string }).stderr
      .split('\n')
      .filter((l) => l && !l.startsWith('$ ') && !l.includes('ELIFECYCLE')); // pnpm's own lines
    expect(lines).toEqual([
      'pnpm bench:serve: the server did not start (exit status 2): pnpm serve: --max-batch must be a whole number from 1 to 4096, got "0"',
    ]);
  });

  it(
    'and its soak and providers:check refuse a --data or FACEKIT_DATA naming a folder or nothing, in one line',
    { timeout: 120_000 },
    async () => {
      const dir = await tempFolder('facekit-bench-data-');
      const refusal = (script: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
        run(process.execPath, ['--import', 'tsx', `packages/serve/bench/${script}`, ...args], {
          cwd: REPO_ROOT,
          env: { ...process.env, INIT_CWD: dir, FACEKIT_DATA: '', ...env },
        }).catch((e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }));
      // The same lookup and words as pnpm train's; the bench had its own copy, which read FACEKIT_DATA
      // from the repository rather than from where the user typed the command.
      expect(await refusal('serve-bench.ts', ['--data', '.'])).toEqual({
        code: 2,
        stderr: 'pnpm bench:serve: --data .: is a folder, not a file\n',
      });
      expect(await refusal('soak.ts', ['--data', 'gone.csv'])).toEqual({
        code: 2,
        stderr: 'pnpm --filter @facekit/serve soak: --data gone.csv: no such file\n',
      });
      expect(await refusal('serve-bench.ts', [], { FACEKIT_DATA: 'gone.csv' })).toEqual({
        code: 2,
        stderr: `pnpm bench:serve: FACEKIT_DATA=gone.csv: no such file (${join(dir, 'gone.csv')})\n`,
      });
      expect(await refusal('provider-check.ts', [], { FACEKIT_DATA: '.' })).toEqual({
        code: 2,
        stderr: `pnpm --filter @facekit/serve providers:check: FACEKIT_DATA=.: ${dir} is a folder, not a file\n`,
      });
    },
  );
});
