import { describe, expect, it, vi } from 'vitest';
import { timeEach } from './runtime.js';

describe('timeEach', () => {
  it('runs the warm-up untimed until its run count, then times each run from index 0', async () => {
    const calls: number[] = [];
    const timings = await timeEach(3, { runs: 5, ms: 60_000 }, async (i) => {
      calls.push(i);
    });
    expect(calls).toEqual([0, 1, 2, 3, 4, 0, 1, 2]);
    expect(timings.warmUp).toHaveLength(5);
    expect(timings.timed).toHaveLength(3);
  });

  it('ends the warm-up when its time is up, after at least one run', async () => {
    // performance.now() is faked and each run takes exactly 20 ms of it, so the counts are exact.
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const run = async () => void vi.advanceTimersByTime(20);
      const none = await timeEach(2, { runs: 1000, ms: 0 }, run);
      expect(none.warmUp).toEqual([20]);
      const brief = await timeEach(1, { runs: 1000, ms: 100 }, run);
      expect(brief.warmUp).toEqual([20, 20, 20, 20, 20]);
      expect(brief.timed).toEqual([20]);
    } finally {
      vi.useRealTimers();
    }
  });
});
