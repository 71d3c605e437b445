import { describe, expect, it } from 'vitest';
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
    const sleep = () => new Promise<void>((done) => setTimeout(done, 20));
    const none = await timeEach(2, { runs: 1000, ms: 0 }, sleep);
    expect(none.warmUp).toHaveLength(1);
    const brief = await timeEach(1, { runs: 1000, ms: 100 }, sleep);
    expect(brief.warmUp.length).toBeGreaterThan(1);
    expect(brief.warmUp.length).toBeLessThan(20);
    expect(Math.min(...brief.warmUp, ...brief.timed)).toBeGreaterThanOrEqual(15);
  });
});
