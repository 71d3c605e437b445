import { describe, expect, it } from 'vitest';
import { Limiter } from './limiter.js';

/** A task that resolves (or rejects) when told to, recording when it started. */
function gate(started: number[], id: number) {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const done = new Promise<number>((resolve, reject) => {
    open = () => resolve(id);
    fail = reject;
  });
  return { task: () => (started.push(id), done), open, fail };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Limiter', () => {
  it('runs at most `slots` tasks at once, the rest in arrival order, and frees a slot on failure', async () => {
    const limiter = new Limiter(2);
    const started: number[] = [];
    const gates = [0, 1, 2, 3].map((i) => gate(started, i));
    const results = gates.map((g) => limiter.run(g.task));
    await tick();
    expect(started).toEqual([0, 1]);
    expect(limiter.load).toEqual({ active: 2, waiting: 2 });
    gates[1]!.fail(new Error('bad photo'));
    await expect(results[1]).rejects.toThrow('bad photo');
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.open();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[2]!.open();
    gates[3]!.open();
    expect(await Promise.all([results[0], results[2], results[3]])).toEqual([0, 2, 3]);
    expect(limiter.load).toEqual({ active: 0, waiting: 0 });
  });

  it('drops a waiting task whose signal aborts, without running it or holding up the others', async () => {
    const limiter = new Limiter(1);
    const started: number[] = [];
    const gates = [0, 1, 2].map((i) => gate(started, i));
    const gone = new AbortController();
    const results = [
      limiter.run(gates[0]!.task),
      limiter.run(gates[1]!.task, gone.signal),
      limiter.run(gates[2]!.task),
    ];
    await tick();
    expect(limiter.load).toEqual({ active: 1, waiting: 2 });
    gone.abort(new Error('the client is gone'));
    await expect(results[1]).rejects.toThrow('the client is gone');
    expect(limiter.load).toEqual({ active: 1, waiting: 1 });
    gates[0]!.open();
    await tick();
    expect(started).toEqual([0, 2]);
    gates[2]!.open();
    expect(await Promise.all([results[0], results[2]])).toEqual([0, 2]);
    expect(limiter.load).toEqual({ active: 0, waiting: 0 });
    // Aborted before it asks: refused at once. A running task is not stopped by a late abort.
    await expect(limiter.run(gates[1]!.task, gone.signal)).rejects.toThrow('the client is gone');
    const late = new AbortController();
    const running = limiter.run(gates[0]!.task, late.signal);
    late.abort();
    expect(await running).toBe(0);
    expect(started).toEqual([0, 2, 0]);
  });

  it("lets requests take turns: one request's many waiting tasks do not hold up another's one", async () => {
    const limiter = new Limiter(1);
    const started: number[] = [];
    const gates = [0, 1, 2, 3, 4, 5].map((i) => gate(started, i));
    const [big, small] = [new AbortController(), new AbortController()];
    // The big request's five photos arrive first, then the small request's one.
    const results = [0, 1, 2, 3, 4].map((i) => limiter.run(gates[i]!.task, big.signal));
    results.push(limiter.run(gates[5]!.task, small.signal));
    await tick();
    expect(limiter.load).toEqual({ active: 1, waiting: 5 });
    for (const i of [0, 5, 1, 2, 3]) {
      gates[i]!.open();
      await tick();
    }
    gates[4]!.open();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4, 5]);
    // The small request's photo ran second, not sixth.
    expect(started).toEqual([0, 5, 1, 2, 3, 4]);
    expect(limiter.load).toEqual({ active: 0, waiting: 0 });
  });

  it('refuses a slot count that is not a positive integer', () => {
    expect(() => new Limiter(0)).toThrow(RangeError);
    expect(() => new Limiter(1.5)).toThrow(RangeError);
  });
});
