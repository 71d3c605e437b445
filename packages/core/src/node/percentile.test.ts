import { describe, expect, it } from 'vitest';
import { percentile, percentiles } from './percentile.js';

describe('percentile', () => {
  it('takes the value at index ⌊q·n⌋: the median of 1..10 is 6, p90 10, p0 1 and p100 the largest', () => {
    const values = [10, 3, 7, 1, 9, 2, 8, 4, 6, 5];
    const at = percentiles(values);
    expect(values).toEqual([10, 3, 7, 1, 9, 2, 8, 4, 6, 5]);
    expect(at(0.5)).toBe(6);
    expect(at(0.9)).toBe(10);
    expect(at(0)).toBe(1);
    expect(at(1)).toBe(10);
    expect(percentile([4], 0.99)).toBe(4);
    // One above the textbook nearest rank where q·n is whole: p99 of 1..100 is 100, not 99.
    expect(percentiles(Array.from({ length: 100 }, (_, i) => i + 1))(0.99)).toBe(100);
  });

  it('refuses an empty list rather than answering undefined', () => {
    expect(() => percentile([], 0.5)).toThrow('percentile of no measurements');
    expect(() => percentiles([])(0.5)).toThrow('percentile of no measurements');
  });
});
