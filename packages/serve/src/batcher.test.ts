import { describe, expect, it, vi } from 'vitest';
import { MicroBatcher } from './batcher.js';

/** A runner that records each batch and doubles its items after `delayMs`. */
function recordingRunner(delayMs = 0) {
  const batches: number[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const run = async (items: readonly number[]) => {
    batches.push([...items]);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    await new Promise((r) => setTimeout(r, delayMs));
    inFlight--;
    return items.map((x) => x * 2);
  };
  return { run, batches, maxInFlight: () => maxInFlight };
}

describe('MicroBatcher', () => {
  it('drops a group whose signal aborts while it waits, and runs the others', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batches: number[][] = [];
    const b = new MicroBatcher(
      async (items: readonly number[]) => {
        batches.push([...items]);
        await gate;
        return items.map((x) => x * 2);
      },
      { maxBatchSize: 2, maxWaitMs: 0 },
    );
    const first = b.submitAll([1, 2]);
    await new Promise((resolve) => setImmediate(resolve)); // the first batch is running
    const gone = new AbortController();
    const dropped = b.submitAll([3, 4, 5], gone.signal); // two groups: [3, 4] and [5]
    const kept = b.submit(6);
    expect(b.pending).toBe(4);
    gone.abort(new Error('the client is gone'));
    expect(b.pending).toBe(1);
    const settled = await Promise.allSettled(dropped);
    expect(settled.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual([
      'the client is gone',
      'the client is gone',
      'the client is gone',
    ]);
    release();
    expect(await Promise.all([...first, kept])).toEqual([2, 4, 12]);
    expect(batches).toEqual([[1, 2], [6]]);
    // Already aborted: refused at once, never queued; a group already running is not affected.
    await expect(b.submit(7, gone.signal)).rejects.toThrow('the client is gone');
    expect(b.pending).toBe(0);
    await b.idle();
  });

  it('gathers concurrent submissions into one run and answers each in order', async () => {
    const r = recordingRunner();
    const b = new MicroBatcher(r.run, { maxBatchSize: 8, maxWaitMs: 5 });
    const out = await Promise.all([1, 2, 3, 4, 5].map((x) => b.submit(x)));
    expect(out).toEqual([2, 4, 6, 8, 10]);
    expect(r.batches).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('never exceeds maxBatchSize and keeps one run in flight', async () => {
    const r = recordingRunner(5);
    const b = new MicroBatcher(r.run, { maxBatchSize: 4, maxWaitMs: 1 });
    const items = Array.from({ length: 19 }, (_, i) => i);
    const out = await Promise.all(items.map((x) => b.submit(x)));
    expect(out).toEqual(items.map((x) => x * 2));
    expect(Math.max(...r.batches.map((x) => x.length))).toBe(4);
    expect(r.batches.flat()).toEqual(items);
    expect(r.maxInFlight()).toBe(1);
  });

  it('flushes a lone item after maxWaitMs, and at once when the batch is full', async () => {
    // The batcher's clock is faked, so the test says when time passes rather than timing it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] });
    try {
      const batches: number[][] = [];
      const slow = new MicroBatcher(
        async (items: readonly number[]) => {
          batches.push([...items]);
          return items.map((x) => x * 2);
        },
        { maxBatchSize: 4, maxWaitMs: 40 },
      );
      const lone = slow.submit(1);
      await vi.advanceTimersByTimeAsync(39);
      expect(batches).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(batches).toEqual([[1]]);
      expect(await lone).toBe(2);
      const full = [1, 2, 3, 4].map((x) => slow.submit(x));
      await vi.advanceTimersByTimeAsync(0);
      expect(batches).toEqual([[1], [1, 2, 3, 4]]);
      expect(await Promise.all(full)).toEqual([2, 4, 6, 8]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps items submitted together in one run when they fit', async () => {
    const r = recordingRunner(5);
    const b = new MicroBatcher(r.run, { maxBatchSize: 5, maxWaitMs: 1 });
    const singles = [b.submit(100), b.submit(101)];
    const group = b.submitAll([1, 2, 3, 4]);
    await Promise.all([...singles, ...group]);
    // 2 singles + a group of 4 do not fit in 5: the group is not split across runs.
    expect(r.batches).toContainEqual([1, 2, 3, 4]);
    const big = b.submitAll(Array.from({ length: 12 }, (_, i) => i));
    await Promise.all(big);
    expect(r.batches.slice(-3).map((x) => x.length)).toEqual([5, 5, 2]);
  });

  it('rejects every item of a failed run and keeps serving', async () => {
    let fail = true;
    const b = new MicroBatcher(
      async (items: readonly number[]) => {
        if (fail) throw new Error('boom');
        return items;
      },
      { maxBatchSize: 4, maxWaitMs: 1 },
    );
    const failed = await Promise.allSettled([b.submit(1), b.submit(2)]);
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(b.submit(3)).resolves.toBe(3);
  });

  it('rejects a runner that returns the wrong number of results', async () => {
    const b = new MicroBatcher(async () => [1], { maxBatchSize: 4, maxWaitMs: 1 });
    await expect(Promise.all([b.submit(1), b.submit(2)])).rejects.toThrow(/1 results for 2 items/);
  });

  it('idle() waits for queued and running work', async () => {
    const r = recordingRunner(20);
    const b = new MicroBatcher(r.run, { maxBatchSize: 2, maxWaitMs: 1 });
    const all = [1, 2, 3].map((x) => b.submit(x));
    let settled = 0;
    for (const p of all) void p.then(() => settled++);
    await b.idle();
    expect(settled).toBe(3);
    expect(b.pending).toBe(0);
    expect(r.batches.flat()).toEqual([1, 2, 3]);
  });

  it('refuses nonsense settings', () => {
    expect(() => new MicroBatcher(async (x) => x, { maxBatchSize: 0, maxWaitMs: 1 })).toThrow(RangeError);
    expect(() => new MicroBatcher(async (x) => x, { maxBatchSize: 2, maxWaitMs: -1 })).toThrow(RangeError);
  });
});
