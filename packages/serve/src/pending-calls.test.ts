import { describe, expect, it } from 'vitest';
import { PendingCalls, wholeBuffer } from './pending-calls.js';

describe('PendingCalls', () => {
  it('settles each call by its id, fails the pending ones and every later one once failed', async () => {
    const calls = new PendingCalls<string>();
    const sent: number[] = [];
    const [a, b] = [calls.add((id) => sent.push(id)), calls.add((id) => sent.push(id))];
    expect(sent).toEqual([0, 1]);
    calls.settle(1, 'second');
    await expect(b).resolves.toBe('second');
    calls.failAll(new Error('thread exited'));
    await expect(a).rejects.toThrow('thread exited');
    calls.settle(0, 'too late'); // ignored
    calls.failAll(new Error('another reason'));
    expect(calls.failed?.message).toBe('thread exited');
    await expect(calls.add(() => sent.push(99))).rejects.toThrow('thread exited');
    expect(sent).toEqual([0, 1]);
  });

  it('hands over a buffer only when the view spans all of it', () => {
    const whole = new Float32Array(4);
    expect(wholeBuffer(whole)).toEqual([whole.buffer]);
    expect(wholeBuffer(whole.subarray(1))).toEqual([]);
  });
});
