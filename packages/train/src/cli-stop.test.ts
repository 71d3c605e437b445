/**
 * `pnpm train` stopped from outside, as the real command (`node --import tsx src/cli.ts`): SIGTERM (a
 * supervisor, `kill <pid>`) and the exit of the pnpm that started it (pnpm, sent SIGTERM, passes it on to
 * no script) each stop the run after the batch in hand, as a first Ctrl-C does, and say how to resume —
 * instead of dying without a word, or training on, orphaned, on every core.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../../tests/support/temp-folder.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const folders: string[] = [];
// A run that did not stop is found by its folder, unique to the test, and killed (before the folder goes).
afterEach(() => {
  for (const dir of folders.splice(0)) spawnSync('pkill', ['-KILL', '-f', dir]);
});

/** A run of many epochs on a small learnable CSV, so that it is surely still training when stopped. */
async function longRun(): Promise<{ dir: string; args: string[] }> {
  const dir = await tempFolder('facekit-train-stop-');
  folders.push(dir);
  const lines = ['age,ethnicity,gender,img_name,pixels'];
  for (let i = 0; i < 300; i++) {
    const px = Array.from({ length: 2304 }, (_, j) => ((i % 2 ? 150 : 40) + ((i * 31 + j * 7) % 60)) | 0);
    lines.push(`${1 + (i % 80)},${i % 5},${i % 2},f${i}.jpg,${px.join(' ')}`);
  }
  await writeFile(join(dir, 'faces.csv'), lines.join('\n'));
  const cli = ['--import', 'tsx', 'src/cli.ts', '--data', join(dir, 'faces.csv'), '--task', 'gender'];
  return {
    dir,
    args: [...cli, '--preset', 'seed', '--epochs', '1000', '--backend', 'cpu', '--out', join(dir, 'r')],
  };
}

/** stderr so far, and a promise of the moment every holder of the pipe (the process, its shell) has gone. */
function watch(child: ChildProcess) {
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const closed = new Promise<void>((resolve) => child.stderr!.on('close', resolve));
  return { stderr: () => err, closed };
}

async function waitFor(done: () => boolean, ms = 60_000) {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const within = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise((r) => setTimeout(r, ms, false))]);

describe('pnpm train, stopped from outside', () => {
  it('stops after the batch on SIGTERM and says how to resume', { timeout: 90_000 }, async () => {
    const { dir, args } = await longRun();
    const child = spawn(process.execPath, args, { cwd: packageDir, stdio: ['ignore', 'ignore', 'pipe'] });
    const { stderr, closed } = watch(child);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => stderr().includes('training on'));
    child.kill('SIGTERM');
    expect(await within(closed, 15_000)).toBe(true);
    expect(await exit).toBe(130);
    expect(stderr()).toContain('SIGTERM: stopping after this batch');
    expect(stderr()).toContain(`interrupted: resume with  pnpm train --resume ${join(dir, 'r')}`);
  });

  it('stops the same way once the pnpm that started it has exited', { timeout: 90_000 }, async () => {
    const { dir, args } = await longRun();
    // As `pnpm train` runs it: pnpm's shell starts node with npm_lifecycle_event set; pnpm, sent SIGTERM,
    // exits and takes its shell with it. (`; :` keeps the shell from handing its process to node.)
    const command = [process.execPath, ...args].map((word) => `'${word}'`).join(' ');
    const shell = spawn('sh', ['-c', `${command}; :`], {
      cwd: packageDir,
      env: { ...process.env, npm_lifecycle_event: 'train' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const { stderr, closed } = watch(shell);
    await waitFor(() => stderr().includes('training on'));
    shell.kill('SIGKILL');
    expect(await within(closed, 15_000)).toBe(true);
    expect(stderr()).toContain(
      'the package manager that started this run has exited: stopping after this batch',
    );
    expect(stderr()).toContain(`interrupted: resume with  pnpm train --resume ${join(dir, 'r')}`);
  });
});
