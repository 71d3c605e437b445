import { describe, expect, it } from 'vitest';
import { seededRandom, streamSeed } from './random.js';

describe('streamSeed', () => {
  it('is the seed the plain product gave wherever that was exact, so earlier runs repeat', () => {
    for (const seed of [0, 1, 7, 42, 43, 12345, 500_000_000])
      for (const [multiplier, epoch] of [
        [1000, 1],
        [7919, 45],
        [104729, 3],
        [15485863, 30],
      ] as const)
        expect(streamSeed(seed, multiplier, epoch)).toBe((seed * multiplier + epoch) >>> 0);
  });

  it('gives each epoch its own stream however large the seed (the product as a double did not)', () => {
    const seed = 2 ** 32 - 1;
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8].map((epoch) => streamSeed(seed, 15485863, epoch));
    expect(new Set(seeds).size).toBe(8);
    // The double product lost the epoch: 4294967295 × 15485863 + epoch rounds alike for several.
    const rounded = [1, 2, 3].map((epoch) => (seed * 15485863 + epoch) >>> 0);
    expect(new Set(rounded).size).toBeLessThan(3);
    expect(seededRandom(seeds[0]!)()).not.toBe(seededRandom(seeds[1]!)());
  });
});
