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
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findDataFile } from '../../packages/serve/bench/payloads.js';
import { REPO_ROOT } from '../support/paths.js';

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

  describe('its data file', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('is refused in one line when --data or FACEKIT_DATA names a folder or nothing', () => {
      vi.stubEnv('FACEKIT_DATA', '');
      expect(() => findDataFile(REPO_ROOT)).toThrow(`--data ${REPO_ROOT}: is a folder, not a CSV file`);
      expect(() => findDataFile('/no/such.csv')).toThrow('--data /no/such.csv: no such file');
      vi.stubEnv('FACEKIT_DATA', REPO_ROOT);
      expect(() => findDataFile()).toThrow(`FACEKIT_DATA=${REPO_ROOT}: is a folder, not a CSV file`);
      vi.stubEnv('FACEKIT_DATA', '/no/such.csv');
      expect(() => findDataFile()).toThrow('FACEKIT_DATA=/no/such.csv: no such file');
    });
  });
});
