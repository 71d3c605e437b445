/**
 * The long-running commands, run exactly as a user types them (`pnpm serve`, `pnpm demo`), stopped as a
 * supervisor or `kill <pid>` stops them: SIGTERM to the pnpm process. pnpm exits without passing the
 * signal on; the command must notice and stop too, freeing its port, rather than run on orphaned.
 */
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { viteOrigin } from './support/demo-build.js';
import { REPO_ROOT } from './support/paths.js';

/** Every process below `root`, as `ps` lists them now. */
function descendants(root: number): number[] {
  const rows = spawnSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found = [root];
  for (let i = 0; i < found.length; i++)
    for (const [pid, ppid] of rows) if (ppid === found[i]) found.push(pid);
  return found.slice(1);
}

/** `pnpm <args>` until `address` finds where it listens, then SIGTERM to pnpm; the output once all of it has gone. */
async function stopPnpm(args: string[], address: (output: string) => string | undefined) {
  const pnpm = spawn('pnpm', args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  pnpm.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  pnpm.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  // The pipes close once every process holding them (pnpm, its shell, the command) has exited.
  const closed = new Promise<void>((resolve) => pnpm.stdout!.on('close', resolve));
  const until = Date.now() + 90_000;
  let url: string | undefined;
  while (!(url = address(output))) {
    if (Date.now() > until) throw new Error(`never listened:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const tree = descendants(pnpm.pid!);
  pnpm.kill('SIGTERM');
  const stopped = await Promise.race([
    closed.then(() => true),
    new Promise((r) => setTimeout(r, 20_000, false)),
  ]);
  // Not stopped: the orphans are killed, so that no test leaves them behind.
  if (!stopped) for (const pid of tree) spawnSync('kill', ['-KILL', String(pid)]);
  return { stopped, url, output };
}

describe('SIGTERM to pnpm', () => {
  it('stops `pnpm serve` (drained, its port closed)', { timeout: 150_000 }, async () => {
    const args = ['serve', '--ep', 'cpu', '--port', '0', '--host', '127.0.0.1', '--log-level', 'info'];
    const { stopped, url, output } = await stopPnpm(args, (out) => {
      // Listening, and ready: a signal before the models are ready is another test's case.
      if (!out.includes('"msg":"ready"')) return undefined;
      return /"msg":"listening".*?"url":"([^"]+)"/.exec(out)?.[1];
    });
    expect(stopped, output).toBe(true);
    expect(output).toContain('stopping: the package manager that started the server has exited');
    expect(output).toContain('"msg":"stopped"');
    await expect(fetch(url)).rejects.toThrow();
  });

  it('stops `pnpm demo` (its port closed)', { timeout: 150_000 }, async () => {
    const { stopped, url, output } = await stopPnpm(
      ['demo', '--port', '0', '--host', '127.0.0.1'],
      viteOrigin,
    );
    expect(stopped, output).toBe(true);
    expect(output).toContain('the package manager that started the demo has exited: stopping');
    await expect(fetch(url)).rejects.toThrow();
  });
});
