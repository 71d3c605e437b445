/**
 * The real command: `tsx src/cli.ts` in a child process. It prints --help, refuses a bad models folder
 * with one clear line and exit code 1, and on SIGTERM finishes the requests in flight (here held in the
 * batcher by a long batch wait) before exiting 0 and refusing new connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLASSIFY, gql, testPixels } from '../test/harness.js';
import { writeFixtureModels } from '../test/fixture-models.js';
import { tempFolder } from '../../../tests/support/temp-folder.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function runCli(
  args: string[],
  nodeArgs: string[] = [],
): {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: packageDir,
    env: { ...process.env, NODE_ENV: '' },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitFor<T>(probe: () => T | undefined, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const logLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('pnpm serve', () => {
  it('prints its help', async () => {
    const cli = runCli(['--help']);
    expect(await cli.exit).toBe(0);
    expect(cli.stdout()).toMatch(/--ep <list>[\s\S]*--max-batch <n>[\s\S]*--max-wait-ms/);
  });

  it('refuses a wrong flag in one line, exit status 2', async () => {
    const wrong = runCli(['--port', 'x']);
    expect(await wrong.exit).toBe(2);
    expect(wrong.stderr().trim()).toBe('pnpm serve: --port must be a whole number from 0 to 65535, got "x"');
    const unknown = runCli(['--prot', '80']);
    expect(await unknown.exit).toBe(2);
    expect(unknown.stderr().trim()).toMatch(
      /^pnpm serve: Unknown option '--prot'.* \(pnpm serve --help lists the options\)$/,
    );
    // Refused by the same steps as every command's flags, so worded and pointed to the help alike.
    const twice = runCli(['--port', '80', '--port', '81']);
    expect(await twice.exit).toBe(2);
    expect(twice.stderr().trim()).toBe(
      'pnpm serve: --port is given twice, "80" then "81"; give it once (pnpm serve --help lists the options)',
    );
    // parseArgs says this one over three lines.
    const valueless = runCli(['--port', '--production']);
    expect(await valueless.exit).toBe(2);
    expect(valueless.stderr()).toMatch(
      /^pnpm serve: Option '--port' argument is ambiguous\. [^\n]*'--port=-XYZ'\. \(pnpm serve --help lists the options\)\n$/,
    );
  });

  it('stops with a clear message on a corrupt model', async () => {
    const { dir } = await writeFixtureModels();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, 'age.onnx'), 'oops');
    const cli = runCli(['--models', dir, '--port', '0']);
    expect(await cli.exit).toBe(1);
    expect(cli.stderr()).toMatch(
      /^serve: cannot start: \[MODEL_MISMATCH\] .*age\.onnx: is 4 bytes, the manifest says \d+ — truncated/m,
    );
  });

  it('stops with a line naming the address and the flag when the port is taken', async () => {
    const { dir } = await writeFixtureModels();
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const cli = runCli(['--models', dir, '--port', String(port), '--host', '127.0.0.1']);
      expect(await cli.exit).toBe(1);
      expect(cli.stderr().trim()).toBe(
        `serve: cannot start: [EADDRINUSE] cannot listen on 127.0.0.1:${port}: the port is in use by another process; choose another with --port (or PORT)`,
      );
    } finally {
      taken.close();
    }
  });

  it('logs a fault nothing caught as one JSON error line, and exits 1', async () => {
    const { dir } = await writeFixtureModels();
    const { writeFile } = await import('node:fs/promises');
    // A stand-in for a bug: something throws outside any request, once the server listens. (Not after a
    // fixed delay: on a busy machine tsx was still compiling the CLI then, and Node's own stack came out.)
    const fault = path.join(await tempFolder('serve-fault-'), 'fault.mjs');
    await writeFile(
      fault,
      `const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  if (String(chunk).includes('"msg":"listening"')) setTimeout(() => { throw new Error('boom'); });
  return write(chunk, ...rest);
};
`,
    );
    const cli = runCli(['--models', dir, '--port', '0', '--host', '127.0.0.1'], ['--import', fault]);
    expect(await cli.exit).toBe(1);
    expect(logLines(cli.stdout()).find((l) => l.level === 'error')).toMatchObject({
      msg: 'uncaught exception',
      error: { name: 'Error', message: 'boom' },
    });
  });

  it('stops and exits 0 on a SIGTERM that comes while it is starting', async () => {
    const { dir } = await writeFixtureModels();
    const cli = runCli(['--models', dir, '--port', '0', '--host', '127.0.0.1']);
    // Models are checked before the server listens and the providers warm up (a few hundred ms).
    await waitFor(() => logLines(cli.stdout()).find((l) => l.msg === 'models checked'));
    cli.child.kill('SIGTERM');
    expect(await cli.exit).toBe(0);
    expect(logLines(cli.stdout()).map((l) => l.msg)).toEqual(
      expect.arrayContaining(['signal received', 'draining', 'stopped']),
    );
    expect(cli.stderr()).toBe('');
  });

  it('drains on SIGHUP too (its terminal closed), exit 0', async () => {
    const { dir } = await writeFixtureModels();
    const cli = runCli(['--models', dir, '--port', '0', '--host', '127.0.0.1']);
    await waitFor(() => logLines(cli.stdout()).find((l) => l.msg === 'ready'));
    cli.child.kill('SIGHUP');
    expect(await cli.exit).toBe(0);
    expect(logLines(cli.stdout())).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: 'signal received', signal: 'SIGHUP' }),
        expect.objectContaining({ msg: 'stopped' }),
      ]),
    );
  });

  it('answers a request that arrived before SIGTERM, its body still coming, and closes its connection', async () => {
    const { dir } = await writeFixtureModels();
    const cli = runCli(['--models', dir, '--port', '0', '--host', '127.0.0.1']);
    const url = new URL(
      await waitFor(
        () => logLines(cli.stdout()).find((l) => l.msg === 'listening')?.url as string | undefined,
      ),
    );
    await waitFor(() => logLines(cli.stdout()).find((l) => l.msg === 'ready'));
    const body = JSON.stringify({ query: CLASSIFY, variables: { input: { pixels: testPixels(3) } } });
    const agent = new http.Agent({ keepAlive: true });
    const answer = new Promise<{ status: number; connection: string; text: string }>((resolve, reject) => {
      const request = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: '/graphql',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () =>
            resolve({ status: res.statusCode!, connection: String(res.headers.connection), text }),
          );
        },
      );
      request.on('error', reject);
      // Half the body now, SIGTERM, then the rest: the request arrived before the drain began.
      request.write(body.slice(0, 100));
      setTimeout(() => {
        cli.child.kill('SIGTERM');
        setTimeout(() => request.end(body.slice(100)), 300);
      }, 200);
    });
    const { status, connection, text } = await answer;
    agent.destroy();
    expect(status).toBe(200);
    expect((JSON.parse(text) as { data: { classify: unknown } }).data.classify).toBeTruthy();
    // Not kept alive: the client opens a new connection for its next request instead of sending it
    // on a socket the drain closes.
    expect(connection).toBe('close');
    expect(await cli.exit).toBe(0);
    expect(logLines(cli.stdout()).map((l) => l.msg)).not.toContain(
      'requests closed unanswered while draining',
    );
  });

  it('says how many requests were left unanswered when the grace period runs out', async () => {
    const { dir } = await writeFixtureModels();
    const cli = runCli(
      ['--models', dir, '--port', '0', '--host', '127.0.0.1', '--drain-ms', '200'].concat(
        ['--max-batch', '64', '--max-wait-ms', '5000'], // requests wait 5 s in the batcher
      ),
    );
    const url = await waitFor(
      () => logLines(cli.stdout()).find((l) => l.msg === 'listening')?.url as string | undefined,
    );
    await waitFor(() => logLines(cli.stdout()).find((l) => l.msg === 'ready'));
    const sent = Array.from({ length: 3 }, (_, i) =>
      gql(url, CLASSIFY, { input: { pixels: testPixels(i) } }).catch((error: Error) => error),
    );
    await new Promise((r) => setTimeout(r, 400));
    cli.child.kill('SIGTERM');
    expect((await Promise.all(sent)).every((a) => a instanceof Error)).toBe(true);
    expect(await cli.exit).toBe(0);
    const warning = logLines(cli.stdout()).find((l) => l.msg === 'requests closed unanswered while draining');
    expect(warning).toMatchObject({ level: 'warn', unanswered: 3 });
  });

  it('drains in-flight requests on SIGTERM, then exits 0', async () => {
    const { dir } = await writeFixtureModels();
    const cli = runCli([
      '--models',
      dir,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--max-batch',
      '64',
      '--max-wait-ms',
      '1500',
    ]);
    const url = await waitFor(
      () => logLines(cli.stdout()).find((l) => l.msg === 'listening')?.url as string | undefined,
    );
    await waitFor(() => logLines(cli.stdout()).find((l) => l.msg === 'ready'));
    const sent = Array.from({ length: 12 }, (_, i) =>
      gql(url, CLASSIFY, { input: { pixels: testPixels(i) } }).then((r) => ({ ...r, at: Date.now() })),
    );
    await new Promise((r) => setTimeout(r, 400)); // the requests now wait in the batcher
    const signalledAt = Date.now();
    cli.child.kill('SIGTERM');
    const answers = await Promise.all(sent);
    expect(
      answers.every((a) => a.status === 200 && a.body.errors === undefined && a.body.data?.classify),
    ).toBe(true);
    expect(Math.min(...answers.map((a) => a.at))).toBeGreaterThan(signalledAt);
    expect(await cli.exit).toBe(0);
    expect(logLines(cli.stdout()).map((l) => l.msg)).toEqual(
      expect.arrayContaining(['signal received', 'draining', 'stopped']),
    );
    await expect(fetch(url)).rejects.toThrow();
  });
});
