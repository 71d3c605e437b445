/**
 * A small seeded PRNG (mulberry32) so splits and per-epoch shuffles are reproducible from `--seed`
 * alone, on any machine, and a resumed run replays the same batch order.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The seed of one per-epoch random stream: (seed × multiplier + epoch) mod 2³², computed exactly.
 * As a double the product stops being exact past seed ≈ 5.8e8 (× 15,485,863), and epochs then shared
 * a stream; below that the value is the one the double gave (seededRandom takes its seed mod 2³²), so
 * every run made so far repeats as it was.
 */
export function streamSeed(seed: number, multiplier: number, epoch: number): number {
  return (Math.imul(seed >>> 0, multiplier) + epoch) >>> 0;
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(
  values: T,
  random: () => number,
): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = values[i]!;
    values[i] = values[j]!;
    values[j] = tmp;
  }
  return values;
}
