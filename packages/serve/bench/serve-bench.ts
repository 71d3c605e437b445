/**
 * `pnpm bench:serve`: starts the server as a child process on the shipped models (or --models), then
 * loads it with autocannon at 1, 16 and 64 connections with pixel payloads, 200×200 JPEG payloads and a
 * 640×480 photo to classifyFaces (--payloads), and prints requests/s and p50/p99 latency beside the
 * in-process onnxruntime ceiling (one face per run and batched) measured in the same run, and how fast
 * /healthz answers while classifyBatch requests keep the models busy (health-under-load.ts). `--soak`
 * runs the 100,000-request soak instead (soak.ts).
 */
import os from 'node:os';
import autocannon from 'autocannon';
import { DEFAULT_MODELS, DEFAULT_OPTIONS } from '../src/options.js';
import { startBenchServer } from './bench-server.js';
import { measureCeiling } from './ceiling.js';
import { measureHealthUnderLoad } from './health-under-load.js';
import { loadFaces, makePayloads, PAYLOAD_KINDS, type PayloadKind } from './payloads.js';
import { runSoak } from './soak-run.js';
import { fmt, table } from './table.js';
import {
  dataFileFlag,
  modelsFolder,
  parseCommandArgs,
  refuseFlags,
  runCommand,
  userPath,
  wholeNumberFlag,
} from '@facekit/core/node';

const HELP = `Usage: pnpm bench:serve [options]
  --models <path>        manifest.json or its folder (default: the shipped models)
  --data <csv>           faces to send (default: $FACEKIT_DATA, data/age_gender.csv, ../shared/data/utkface48.csv; else synthetic)
  --duration <s>         seconds per load run (default 10)
  --connections <list>   default 1,16,64 (with --soak: one number, default 32)
  --payloads <list>      pixels, jpeg (a 200×200 face to classify), photo (a 640×480 JPEG holding
                         one face, to classifyFaces, in base64 JSON), photo-file (the same photos
                         as files of multipart requests) (default pixels,jpeg,photo)
  --ceiling-seconds <s>  seconds per in-process ceiling row (default 3)
  --server=<args>        extra flags for the server, e.g. --server="--ep cpu --max-batch 64 --max-wait-ms 1"
                         (with "=": a value that starts with -- is otherwise taken for a flag)
  --soak                 run the soak of mixed good and bad requests instead
  --requests <n>         requests in the soak (default 100000)
  -h, --help             this help
`;

async function main(): Promise<void> {
  const { values } = parseCommandArgs(HELP, {
    options: {
      models: { type: 'string' },
      data: { type: 'string' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string' },
      payloads: { type: 'string', default: 'pixels,jpeg,photo' },
      'ceiling-seconds': { type: 'string', default: '3' },
      server: { type: 'string' },
      soak: { type: 'boolean' },
      requests: { type: 'string', default: '100000' },
    },
  });
  const duration = wholeNumberFlag(HELP, 'duration', values.duration, 1);
  const ceilingSeconds = wholeNumberFlag(HELP, 'ceiling-seconds', values['ceiling-seconds'], 1);
  const requestCount = wholeNumberFlag(HELP, 'requests', values.requests, 1);
  const connectionCounts = (values.connections ?? (values.soak ? '32' : '1,16,64'))
    .split(',')
    .map((c) => wholeNumberFlag(HELP, 'connections', c, 1));
  if (values.soak && connectionCounts.length !== 1)
    refuseFlags(HELP, `--soak runs at one number of connections, got "${values.connections}"`);
  const kinds = values.payloads.split(',');
  for (const kind of kinds)
    if (!PAYLOAD_KINDS.includes(kind as PayloadKind))
      refuseFlags(HELP, `--payloads takes ${PAYLOAD_KINDS.join(', ')}, got "${kind}"`);
  const models = modelsFolder(values.models ? userPath(values.models) : DEFAULT_MODELS);
  const serverArgs = ['--models', models, ...(values.server ?? '').split(' ').filter(Boolean)];
  const { faces, source } = await loadFaces(64, dataFileFlag(HELP, values.data));
  if (values.soak)
    return runSoak({ serverArgs, faces, requests: requestCount, connections: connectionCounts[0]! });

  const payloads = await makePayloads(faces);
  console.log(`# serve benchmark — ${new Date().toISOString()}`);
  console.log(
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model}), node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `models: ${models}; faces: ${source}; JPEG payload ≈ ${fmt(payloads.jpegBytes)} bytes, photo ≈ ${fmt(payloads.photoBytes)}; server flags: ${serverArgs.slice(2).join(' ') || '(defaults)'}\n`,
  );

  const server = await startBenchServer(serverArgs);
  console.log(`server ready on ${server.url}, provider ${server.provider}`);
  // One request of each kind answered before any is timed (a payload the server refuses would
  // otherwise be measured as fast answers).
  for (const kind of kinds as PayloadKind[]) {
    const { bodies, contentType } = payloads[kind];
    const check = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': contentType, 'apollo-require-preflight': 'true' },
      body: typeof bodies[0] === 'string' ? bodies[0] : new Uint8Array(bodies[0]!),
    });
    const answer = (await check.json()) as { data?: unknown; errors?: unknown };
    if (!answered(JSON.stringify(answer)))
      throw new Error(`sanity request (${kind}) failed: ${JSON.stringify(answer)}`);
  }

  const threadsFlag = serverArgs.indexOf('--threads');
  const threads = threadsFlag >= 0 ? Number(serverArgs[threadsFlag + 1]) : DEFAULT_OPTIONS.intraOpThreads;
  const ceiling = await measureCeiling(models, server.provider, faces, [1, 64, 256], ceilingSeconds, threads);
  console.log(
    `\n## In-process ceiling (onnxruntime-node, ${server.provider}, ${threads || 'auto'} intra-op thread(s), all models per face)\n`,
  );
  console.log(
    table(
      ['batch', 'faces/s', 'ms per run'],
      ceiling.map((r) => [r.batch, fmt(r.facesPerSecond), fmt(r.msPerRun, 2)]),
    ),
  );

  const rows: (string | number)[][] = [];
  const results: Record<string, { rps: number; p99: number; failed: number }> = {};
  for (const kind of kinds as PayloadKind[]) {
    const { bodies, contentType } = payloads[kind];
    const requests = bodies.map((body) => ({ method: 'POST' as const, body }));
    // An answer counts only when it classified: GraphQL errors come back with HTTP 200 too.
    const base = {
      url: server.url,
      headers: { 'content-type': contentType, 'apollo-require-preflight': 'true' },
      requests,
      verifyBody: (body: unknown) => answered(String(body)),
    };
    await autocannon({ ...base, connections: 16, duration: 2 }); // warm-up, not reported
    for (const connections of connectionCounts) {
      const r = await autocannon({ ...base, connections, duration });
      // Requests answered with a classification, per second; any other outcome is a failure.
      const failed = r.non2xx + r.errors + r.timeouts + r.mismatches;
      const rps = (r['2xx'] - r.mismatches) / r.duration;
      results[`${kind}@${connections}`] = { rps, p99: r.latency.p99, failed };
      rows.push([kind, connections, fmt(rps), fmt(r.latency.p50, 1), fmt(r.latency.p99, 1), failed]);
    }
  }
  const health = await measureHealthUnderLoad(server, faces, duration);
  const stopped = await server.stop();
  console.log(`\n## HTTP (autocannon → POST /graphql, classify or classifyFaces, all three tasks)\n`);
  console.log(table(['payload', 'connections', 'requests/s', 'p50 ms', 'p99 ms', 'failed'], rows));
  console.log(`\n## GET /healthz every 5 ms while 8 clients send classifyBatch of 32 faces\n`);
  console.log(
    table(
      ['checks', 'p50 ms', 'p99 ms', 'max ms', 'batch faces/s'],
      [
        [
          health.checks,
          fmt(health.p50, 1),
          fmt(health.p99, 1),
          fmt(health.max, 1),
          fmt(health.facesPerSecond),
        ],
      ],
    ),
  );
  console.log(
    `\nload average after: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; server exit code ${stopped}`,
  );
  const px = results['pixels@64'];
  const jp = results['jpeg@64'];
  if (px)
    console.log(
      `target pixels@64: ≥ 2,000 req/s and p99 ≤ 50 ms, none failed → ${fmt(px.rps)} req/s, p99 ${fmt(px.p99, 1)} ms, ${px.failed} failed: ${px.rps >= 2000 && px.p99 <= 50 && px.failed === 0 ? 'met' : 'NOT met'}`,
    );
  if (jp)
    console.log(
      `target jpeg@64: ≥ 500 req/s, none failed → ${fmt(jp.rps)} req/s, ${jp.failed} failed: ${jp.rps >= 500 && jp.failed === 0 ? 'met' : 'NOT met'}`,
    );
}

/**
 * Whether an answer's body is a classification (of the face given, or of a face found in the photo),
 * not a GraphQL error (which also comes with HTTP 200).
 */
function answered(body: string): boolean {
  return (body.includes('"classify"') || body.includes('"classification"')) && !body.includes('"errors"');
}

runCommand(HELP, main);
