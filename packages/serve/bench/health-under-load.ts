/**
 * How the server answers a light request while heavy ones keep its models busy: `clients` loops each
 * send a classifyBatch of `batch` faces back to back while one more asks GET /healthz every 5 ms. The
 * health check's latency shows whether model runs hold the event loop (they did, until inference moved
 * to its own thread); the batches' faces/s is the price of the thread hop.
 */
import { percentiles } from '@facekit/core/node';
import type { BenchServer } from './bench-server.js';

export interface HealthUnderLoad {
  readonly checks: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly facesPerSecond: number;
}

const BATCH_QUERY =
  'mutation($inputs: [ClassifyInput!]!) { classifyBatch(inputs: $inputs) { age { label } ethnicity { label } gender { label } } }';

export async function measureHealthUnderLoad(
  server: BenchServer,
  faces: readonly number[][],
  seconds: number,
  { clients = 8, batch = 32 } = {},
): Promise<HealthUnderLoad> {
  const body = JSON.stringify({
    query: BATCH_QUERY,
    variables: { inputs: Array.from({ length: batch }, (_, i) => ({ pixels: faces[i % faces.length] })) },
  });
  let running = true;
  let answered = 0;
  let failure: Error | undefined;
  const started = performance.now();
  const load = Array.from({ length: clients }, async () => {
    while (running && !failure) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const answer = (await response.json()) as { errors?: unknown[] };
      if (answer.errors) throw new Error(`classifyBatch failed: ${JSON.stringify(answer.errors[0])}`);
      answered += batch;
    }
  }).map((client) =>
    // A failing client stops the measurement (below), not the process.
    client.catch((error: unknown) => {
      failure ??= error instanceof Error ? error : new Error(String(error));
    }),
  );
  const latencies: number[] = [];
  try {
    while (performance.now() - started < seconds * 1000 && !failure) {
      const sent = performance.now();
      const response = await fetch(`${server.base}/healthz`);
      await response.text();
      // A quick refusal is not a quick answer.
      if (!response.ok) throw new Error(`/healthz answered ${response.status} under load`);
      latencies.push(performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    running = false;
    await Promise.all(load);
  }
  if (failure) throw failure;
  const elapsed = (performance.now() - started) / 1000;
  const at = percentiles(latencies);
  return {
    checks: latencies.length,
    p50: at(0.5),
    p99: at(0.99),
    max: at(1),
    facesPerSecond: answered / elapsed,
  };
}
