/**
 * The soak: 100,000 mixed requests (28 pixel faces, 4 JPEG photos — one sent as a multipart file — and 12 bad
 * requests, two of them multipart, in every 44,
 * plus 50 oversized bodies sent alongside) against one server, sampling its memory from /metrics as it
 * goes. Passes when no connection fails, every bad kind got its code, the server's answer for a
 * reference face is identical before and after, and resident memory stops growing in the second half.
 */
import autocannon from 'autocannon';
import { startBenchServer } from './bench-server.js';
import { badRequests, body, fileRequest, makePayloads, MULTIPART_HEADERS, PHOTO_QUERY } from './payloads.js';
import { fmt, table } from './table.js';

export interface SoakOptions {
  readonly serverArgs: readonly string[];
  readonly faces: number[][];
  readonly requests: number;
  readonly connections?: number;
}

function metric(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

export async function runSoak(options: SoakOptions): Promise<void> {
  const { faces } = options;
  const payloads = await makePayloads(faces.slice(0, 8));
  const bad = badRequests(faces[0]!);
  const jpegFile = Buffer.from(JSON.parse(payloads.jpeg.bodies[3] as string).variables.input.image, 'base64');
  const mix: { body: string | Buffer; headers?: Record<string, string> }[] = [
    ...Array.from({ length: 28 }, (_, i) => ({ body: body({ pixels: faces[i % faces.length]! }) })),
    ...payloads.jpeg.bodies.slice(0, 3).map((b) => ({ body: b })),
    // The fourth photo sent as a file, in a multipart request.
    {
      body: fileRequest(PHOTO_QUERY, { photo: null }, 'variables.photo', jpegFile),
      headers: MULTIPART_HEADERS,
    },
    ...bad.map(({ body, headers }) => ({ body, ...(headers ? { headers } : {}) })),
  ];
  // autocannon replays the mix from its start on every connection: with fewer requests than a whole
  // mix per connection, the bad requests at its end would never be sent, and the soak would fail.
  const connections = Math.min(options.connections ?? 32, options.requests);
  if (options.requests < connections * mix.length)
    throw new RangeError(
      `--requests ${options.requests} is too few: each of the ${connections} connections replays the ${mix.length}-request mix from its start, so at least ${connections * mix.length} are needed for every kind of bad request to be sent`,
    );
  const server = await startBenchServer(options.serverArgs, 'error');
  const post = (text: string) =>
    fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
  const metrics = async () => (await fetch(`${server.base}/metrics`)).text();
  const reference = body({ pixels: faces[0]! });
  const before = await (await post(reference)).text();

  const samples: { at: number; done: number; rss: number; heap: number }[] = [];
  let done = 0;
  const started = Date.now();
  const sample = async () => {
    const m = await metrics();
    samples.push({
      at: (Date.now() - started) / 1000,
      done,
      rss: metric(m, 'facekit_process_resident_memory_bytes'),
      heap: metric(m, 'facekit_nodejs_heap_size_used_bytes'),
    });
  };
  await sample();
  const timer = setInterval(() => void sample(), 3000);
  const oversized = Array.from({ length: 50 }, (_, i) =>
    new Promise((r) => setTimeout(r, i * 500))
      .then(() => post('x'.repeat(17 * 1024 * 1024)))
      .then((r) => r.status),
  );
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const options_ = {
      url: server.url,
      connections,
      amount: options.requests,
      headers: { 'content-type': 'application/json' },
      requests: mix.map((request) => ({ method: 'POST' as const, ...request })),
    };
    const instance = autocannon(options_, (error, r) => (error ? reject(error) : resolve(r)));
    instance.on('response', () => done++);
  });
  clearInterval(timer);
  const oversizedStatus = await Promise.all(oversized);
  await new Promise((r) => setTimeout(r, 5000));
  await sample();
  const after = await (await post(reference)).text();
  const m = await metrics();
  const exit = await server.stop();

  console.log(
    `# soak — ${fmt(options.requests)} requests over ${connections} connections in ${fmt(result.duration, 1)} s (${fmt(result.requests.total / result.duration)} req/s)\n`,
  );
  console.log(
    table(
      ['status', 'count'],
      Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, fmt(s.count ?? 0)]),
    ),
  );
  console.log(
    `connection errors ${result.errors}, timeouts ${result.timeouts}; p50 ${fmt(result.latency.p50, 1)} ms, p99 ${fmt(result.latency.p99, 1)} ms`,
  );
  console.log('\nerrors by code (server /metrics):\n');
  const codes = [...new Set([...bad.map((b) => b.code), 'PAYLOAD_TOO_LARGE', 'INTERNAL_SERVER_ERROR'])];
  console.log(
    table(
      ['code', 'count'],
      codes.map((c) => [c, fmt(metric(m, 'facekit_errors_total', `{code="${c}"}`))]),
    ),
  );
  console.log(
    `\noversized bodies: ${oversizedStatus.filter((s) => s === 413).length}/${oversizedStatus.length} answered 413`,
  );
  console.log('\nmemory (server process):\n');
  const mb = (b: number) => fmt(b / 1024 / 1024, 1);
  console.log(
    table(
      ['t s', 'requests done', 'RSS MB', 'heap used MB'],
      samples.map((s) => [fmt(s.at, 0), fmt(s.done), mb(s.rss), mb(s.heap)]),
    ),
  );
  // RSS swings with garbage collection; "settled" means the last third sets no new high above the
  // middle third's (10% allowed for the swing), i.e. no upward trend.
  const third = Math.floor(samples.length / 3);
  const peakOf = (part: typeof samples) => Math.max(...part.map((s) => s.rss));
  const middlePeak = peakOf(samples.slice(third, 2 * third));
  const lastPeak = peakOf(samples.slice(2 * third));
  const last = samples.at(-1)!;
  const peak = peakOf(samples);
  // Fewer than six samples (a soak of a few seconds) cannot show a trend: memory is then not judged.
  const judged = samples.length >= 6;
  const growth = judged ? (lastPeak - middlePeak) / middlePeak : 0;
  const same = before === after;
  const missing = codes.filter(
    (c) => c !== 'INTERNAL_SERVER_ERROR' && metric(m, 'facekit_errors_total', `{code="${c}"}`) === 0,
  );
  const internal = metric(m, 'facekit_errors_total', '{code="INTERNAL_SERVER_ERROR"}');
  console.log(
    judged
      ? `\nRSS: ${mb(samples[0]!.rss)} MB at start, peak ${mb(peak)} MB, ${mb(last.rss)} MB 5 s after; highest in the middle third ${mb(middlePeak)} MB, in the last third ${mb(lastPeak)} MB (${(growth * 100).toFixed(1)}%)`
      : `\nRSS: ${mb(samples[0]!.rss)} MB at start, peak ${mb(peak)} MB (too short a soak to judge a trend)`,
  );
  console.log(
    `reference answer identical before and after: ${same}; internal errors: ${internal}; codes never seen: ${missing.join(', ') || 'none'}; server exit code ${exit}`,
  );
  const pass =
    same &&
    result.errors === 0 &&
    result.timeouts === 0 &&
    missing.length === 0 &&
    internal === 0 &&
    growth < 0.1 &&
    oversizedStatus.every((s) => s === 413);
  console.log(`soak: ${pass ? 'PASS' : 'FAIL'}`);
  if (!pass) process.exitCode = 1;
}
