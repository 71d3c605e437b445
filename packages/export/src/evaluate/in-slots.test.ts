import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { inSlots } from './in-slots.js';

describe('inSlots', () => {
  it('runs every job once, in order of beginning, never more than `slots` at once', async () => {
    const begun: number[] = [];
    let running = 0;
    let most = 0;
    await inSlots(50, 4, async (i) => {
      begun.push(i);
      most = Math.max(most, ++running);
      await sleep(i % 3);
      running--;
      return true;
    });
    expect(begun).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(most).toBe(4);
  });

  it('begins no job after one says to stop or throws; those begun finish', async () => {
    const begun: number[] = [];
    await inSlots(20, 3, async (i) => {
      begun.push(i);
      await sleep(1);
      return i !== 4;
    });
    expect(begun).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const thrown: number[] = [];
    const failing = inSlots(20, 2, async (i) => {
      thrown.push(i);
      await sleep(1);
      if (i === 3) throw new Error('job 3');
      return true;
    });
    await expect(failing).rejects.toThrow('job 3');
    await sleep(5);
    expect(thrown).toEqual([0, 1, 2, 3, 4]);
  });
});
