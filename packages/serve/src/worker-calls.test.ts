/**
 * A worker's calls on their own, with a tiny worker from a data: URL: each reply settles the call with
 * its id; a worker that throws or exits fails its pending calls and every later one with an error naming
 * it and tells its owner once; a start that fails, or a death before 'ready', makes `ready()` throw why;
 * an end the owner asks for fails the calls with its reason and tells nobody; an unref'd worker keeps a
 * process alive while it has a call to answer, and only then.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { WorkerCalls, type WorkerCallsOptions } from './worker-calls.js';

type To =
  | { readonly type: 'echo'; readonly id: number; readonly text: string; readonly after?: number }
  | { readonly type: 'echo-bytes'; readonly id: number; readonly bytes: Uint8Array }
  | { readonly type: 'note' | 'throw'; readonly text: string }
  | { readonly type: 'exit'; readonly code: number };
type From =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly reason: string }
  | { readonly type: 'note'; readonly text: string }
  | { readonly id: number; readonly text: string };

// It starts as `workerData` says: 'ready', 'failed' (a reason sent), or 'throw' (dies before a word).
const WORKER = new URL(
  `data:text/javascript,${encodeURIComponent(`
    import { parentPort, workerData } from 'node:worker_threads';
    const send = (message) => parentPort.postMessage(message);
    parentPort.on('message', (m) => {
      if (m.type === 'echo') setTimeout(() => send({ id: m.id, text: m.text }), m.after ?? 0);
      if (m.type === 'echo-bytes') send({ id: m.id, text: String(m.bytes.length) });
      if (m.type === 'note') send({ type: 'note', text: m.text });
      if (m.type === 'throw') throw new Error(m.text);
      if (m.type === 'exit') process.exit(m.code);
    });
    if (workerData === 'ready') send({ type: 'ready' });
    if (workerData === 'failed') send({ type: 'failed', reason: 'no session' });
    if (workerData === 'throw') throw new Error('cannot start');
  `)}`,
);

function start(workerData: string, options: Partial<WorkerCallsOptions<From>> = {}) {
  const onDeath = vi.fn<(error: Error) => void>();
  const worker = new WorkerCalls<To, From>(WORKER, {
    name: 'the test worker',
    workerData,
    onDeath,
    ...options,
  });
  return { worker, onDeath };
}

const echo = (text: string, after?: number) => (id: number) => ({ type: 'echo', id, text, after }) as const;

// A broken helper tends to leave a call or ready() waiting: fail in seconds, not at the minute's default.
describe('WorkerCalls', { timeout: 10_000 }, () => {
  it('settles each call by the reply with its id, hands the rest to onMessage, and ends when asked', async () => {
    const replies: string[] = [];
    const notes: string[] = [];
    const { worker, onDeath } = start('ready', {
      onReply: (reply) => replies.push(reply.text),
      onMessage: (message) => notes.push(message.text),
    });
    await worker.ready();
    const [slow, fast] = [worker.call(echo('slow', 100)), worker.call(echo('fast'))];
    await expect(fast).resolves.toEqual({ id: 1, text: 'fast' });
    await expect(slow).resolves.toEqual({ id: 0, text: 'slow' });
    expect(replies).toEqual(['fast', 'slow']);
    const bytes = new Uint8Array(8);
    const counted = worker.call((id) => ({ type: 'echo-bytes', id, bytes }), [bytes.buffer]);
    expect(bytes.byteLength).toBe(0); // handed over, not copied
    await expect(counted).resolves.toEqual({ id: 2, text: '8' });
    worker.post({ type: 'note', text: 'hello' });
    await vi.waitFor(() => expect(notes).toEqual(['hello']));

    const pending = expect(worker.call(echo('never', 60_000))).rejects.toThrow(
      /^the test worker was closed$/,
    );
    await worker.end(new Error('the test worker was closed'));
    await pending;
    await expect(worker.call(echo('later'))).rejects.toThrow(/^the test worker was closed$/);
    expect(worker.failed?.message).toBe('the test worker was closed');
    expect(onDeath).not.toHaveBeenCalled();
  });

  it('fails the pending calls of a worker that throws, and every later one, naming it; tells its owner once', async () => {
    const { worker, onDeath } = start('ready');
    await worker.ready();
    const pending = [worker.call(echo('a', 60_000)), worker.call(echo('b', 60_000))];
    worker.post({ type: 'throw', text: 'boom' });
    for (const call of pending) await expect(call).rejects.toThrow(/^the test worker failed: boom$/);
    await expect(worker.call(echo('later'))).rejects.toThrow(/^the test worker failed: boom$/);
    // The 'exit' that follows the 'error' changes nothing.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(onDeath.mock.calls.map(([error]) => error.message)).toEqual(['the test worker failed: boom']);
  });

  it('names the exit code of a worker that exits', async () => {
    const { worker, onDeath } = start('ready');
    await worker.ready();
    const pending = worker.call(echo('a', 60_000));
    worker.post({ type: 'exit', code: 3 });
    await expect(pending).rejects.toThrow(/^the test worker exited with code 3$/);
    expect(onDeath).toHaveBeenCalledTimes(1);
  });

  it('takes a live worker for dead when told: its calls fail, its owner hears of it, and it is ended', async () => {
    const { worker, onDeath } = start('ready');
    await worker.ready();
    const pending = worker.call(echo('a', 60_000));
    worker.die(new Error('taken for broken'));
    await expect(pending).rejects.toThrow(/^taken for broken$/);
    expect(onDeath.mock.calls.map(([error]) => error.message)).toEqual(['taken for broken']);
    await expect(worker.call(echo('later'))).rejects.toThrow(/^taken for broken$/);
  });

  it("keeps a script alive while an unref'd worker has a call to answer, and lets it end then", async () => {
    // A script whose only work is one call: it must neither exit before the reply nor hang after it.
    const script = `
      const { WorkerCalls } = await import(${JSON.stringify(new URL('./worker-calls.ts', import.meta.url).href)});
      const worker = new WorkerCalls(new URL(process.env.WORKER_URL), { name: 'w', workerData: 'ready', unref: true });
      const reply = await worker.call((id) => ({ type: 'echo', id, text: 'answered', after: 300 }));
      console.log(reply.text);`;
    const ran = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: { ...process.env, WORKER_URL: WORKER.href },
        timeout: 8_000,
      },
    ).catch((error: { code: unknown; signal: unknown; stdout: string }) => error);
    expect(ran).toMatchObject({ stdout: 'answered\n' });
    expect(ran).not.toHaveProperty('signal', 'SIGTERM');
  });

  it("throws from ready() the start's failure, or the death before it, and ends the worker", async () => {
    const failed = start('failed');
    const pending = expect(failed.worker.call(echo('a'))).rejects.toThrow(/^no session$/);
    await expect(failed.worker.ready()).rejects.toThrow(/^no session$/);
    await pending;
    expect(failed.onDeath).not.toHaveBeenCalled();

    const rebuilt = start('failed', {
      startFailure: (message) => new RangeError(`rebuilt: ${message.reason}`),
    });
    await expect(rebuilt.worker.ready()).rejects.toThrow(RangeError);
    expect(rebuilt.worker.failed?.message).toBe('rebuilt: no session');

    const dead = start('throw');
    await expect(dead.worker.ready()).rejects.toThrow(/^the test worker failed: cannot start$/);
    expect(dead.onDeath).toHaveBeenCalledTimes(1);
  });
});
