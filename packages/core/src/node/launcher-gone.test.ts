/**
 * A real process tree, as `pnpm <script>` makes one: a shell that starts node. The shell is killed (as pnpm
 * takes its shell with it on SIGTERM); node, watching with onLauncherGone, must notice and stop on its own
 * when a package manager started it, and must run on when none did (a `nohup node …` outliving its shell).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const helper = fileURLToPath(new URL('./launcher-gone.ts', import.meta.url));
const child = `
  const { onLauncherGone } = await import(${JSON.stringify(helper)});
  onLauncherGone(() => { console.log('gone'); process.exit(0); }, { everyMs: 50 });
  console.log('pid ' + process.pid);
  setInterval(() => {}, 1000);
`;

const orphans: number[] = [];
afterEach(() => {
  for (const pid of orphans.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Starts `sh -c 'node …; :'` (the `:` keeps the shell from handing its process to node) and waits for node's pid. */
async function shellStartedNode(env: NodeJS.ProcessEnv) {
  const quoted = child.replace(/'/g, `'\\''`);
  const shell = spawn(
    'sh',
    ['-c', `'${process.execPath}' --import tsx --input-type=module -e '${quoted}'; :`],
    {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  shell.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const pid = await new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      const found = /pid (\d+)/.exec(out);
      if (found) {
        clearInterval(timer);
        resolve(Number(found[1]));
      }
    }, 20);
    shell.once('exit', () => reject(new Error(`the shell exited first: ${out}`)));
  });
  orphans.push(pid);
  return { shell, pid, out: () => out };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const waitUntil = async (done: () => boolean, ms: number) => {
  const until = Date.now() + ms;
  while (!done() && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  return done();
};

describe('onLauncherGone', () => {
  it('calls back once the shell a package manager started it from is gone', async () => {
    const { shell, pid, out } = await shellStartedNode({ ...process.env, npm_lifecycle_event: 'serve' });
    expect(alive(pid)).toBe(true);
    shell.kill('SIGKILL');
    expect(await waitUntil(() => !alive(pid), 5000)).toBe(true);
    expect(out()).toContain('gone');
  });

  it('does nothing for a command no package manager started (it may be meant to outlive its shell)', async () => {
    const env = { ...process.env };
    delete env.npm_lifecycle_event;
    const { shell, pid, out } = await shellStartedNode(env);
    shell.kill('SIGKILL');
    expect(await waitUntil(() => !alive(pid), 1000)).toBe(false);
    expect(out()).not.toContain('gone');
  });
});
