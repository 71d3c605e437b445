import { describe, expect, it } from 'vitest';
import { ascending, percentile } from './percentile.js';

describe('percentile', () => {
  it('is the nearest rank: the median of 1..10 is 6, p90 10, p0 1 and p100 the largest', () => {
    const values = ascending([10, 3, 7, 1, 9, 2, 8, 4, 6, 5]);
    expect(values).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(percentile(values, 0.5)).toBe(6);
    expect(percentile(values, 0.9)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile(values, 1)).toBe(10);
    expect(percentile([4], 0.99)).toBe(4);
  });

  it('refuses an empty list rather than answering undefined', () => {
    expect(() => percentile([], 0.5)).toThrow('percentile of no measurements');
  });
});
