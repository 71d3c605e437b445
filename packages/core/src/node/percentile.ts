/**
 * The one percentile rule of the toolkit's benchmarks (latency in bench:latency, bench:serve and the
 * parity suite): the measurement at index ⌊q·n⌋ of the sorted n, the first at or above a share `q` of
 * them. Where q·n is whole it is one above the textbook nearest rank (p99 of 100 is the largest): a
 * reading on the slow side, kept so that every figure the project has published is comparable.
 */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no measurements');
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** `values`' percentiles by share `q`, the values sorted once (a copy; `values` stays as it is). */
export function percentiles(values: readonly number[]): (q: number) => number {
  const sorted = [...values].sort((a, b) => a - b);
  return (q) => percentile(sorted, q);
}
