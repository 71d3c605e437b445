/**
 * Runs `pnpm serve` as a child process for the benchmarks, so the load generator and the server use
 * separate processes (and cores) as they would in production, and waits for /readyz.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface BenchServer {
  readonly url: string;
  readonly base: string;
  readonly child: ChildProcess;
  readonly provider: string;
  stop(): Promise<number | null>;
}

/**
 * How to run the server, as `pnpm serve` does: a larger young generation (fewer scavenges of the
 * short-lived request objects; +15–30% requests/s measured here), then `--import tsx src/cli.ts`, or a
 * bundled entry named by FACEKIT_SERVE_CLI.
 */
function serverCommand(): string[] {
  const bundled = process.env.FACEKIT_SERVE_CLI;
  return ['--max-semi-space-size=32', ...(bundled ? [bundled] : ['--import', 'tsx', 'src/cli.ts'])];
}

export async function startBenchServer(args: readonly string[], logLevel = 'warn'): Promise<BenchServer> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...serverCommand(), '--host', '127.0.0.1', '--port', String(port), '--log-level', logLevel, ...args],
    {
      cwd: packageDir,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  // A benchmark that crashes must not leave its server running.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the server did not start (exit status ${child.exitCode}): ${stderr.trim()}`);
    const ready = await fetch(`${base}/readyz`).then(
      async (r) => (r.ok ? ((await r.json()) as { provider: string }) : null),
      () => null,
    );
    if (ready) {
      return {
        url: `${base}/graphql`,
        base,
        child,
        provider: ready.provider,
        stop: async () => {
          process.off('exit', orphanGuard);
          child.kill('SIGTERM');
          return exited;
        },
      };
    }
    if (Date.now() > deadline) throw new Error(`server not ready after 120 s: ${stderr.trim()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
