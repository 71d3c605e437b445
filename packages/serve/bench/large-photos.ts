/**
 * What a large photo costs the server: a 4096×4096 JPEG to `classify` and a 4000×3000 one (a phone's
 * photo) to `classifyFaces`, each sent as base64 in JSON and as a file in a multipart request, one
 * request at a time after one warm-up — the bytes sent, the time a request takes, and the server's
 * longest event-loop stall while it reads one, the stall every other client waits through. The server
 * runs as `pnpm serve` does, in its own process, over the shipped models; the stall is read from its
 * own /metrics (`facekit_nodejs_eventloop_lag_max_seconds`, reset at each scrape; sampled every 10 ms,
 * so an idle server reads about 10 ms: the first row measures that floor).
 */
import { parseCommandArgs, percentiles, runCommand, wholeNumberFlag } from '@facekit/core/node';
import { startBenchServer } from './bench-server.js';
import { fileRequest, MULTIPART_HEADERS } from './payloads.js';
import { table } from './table.js';
import { largeJpeg } from '../test/harness.js';

const HELP = `Usage: pnpm bench:photos [options]

Sends a 4096×4096 JPEG to classify and a 4000×3000 JPEG to classifyFaces, each as base64 JSON and as a
multipart file, one request at a time, and prints the bytes sent, ms a request and the server's
longest event-loop stall for each.

Options:
  --photos <n>      requests of each kind, after one warm-up    [default 8]
  --server=<flags>  more flags for the server, e.g. --server="--ep cpu"
  -h, --help        show this text
`;

interface Kind {
  readonly name: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** What a right answer holds. */
  readonly answer: string;
}

/** The photo to `query` (whose variables are $image and $photo) as base64 JSON, and as a file. */
function bothWays(name: string, query: string, photo: Buffer, answer: string): Kind[] {
  const json = { query, variables: { image: photo.toString('base64') } };
  return [
    {
      name: `${name}, base64 in JSON`,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(json)),
      answer,
    },
    {
      name: `${name}, file (multipart)`,
      headers: MULTIPART_HEADERS,
      body: fileRequest(query, { photo: null }, 'variables.photo', photo),
      answer,
    },
  ];
}

/** The middle measurement, by the benchmarks' one percentile rule. */
const median = (values: number[]) => percentiles(values)(0.5);

async function main(): Promise<number> {
  const { values } = parseCommandArgs(HELP, {
    options: {
      photos: { type: 'string', default: '8' },
      server: { type: 'string', default: '' },
    },
  });
  const count = wholeNumberFlag(HELP, 'photos', values.photos, 1);
  const [square, phone] = await Promise.all([largeJpeg(4096, 4096), largeJpeg(4000, 3000)]);
  const kinds = [
    ...bothWays(
      `classify, 4096×4096 (${square.length} B)`,
      'mutation($image: String, $photo: Upload) { classify(input: { image: $image, photo: $photo }) { gender { label } } }',
      square,
      '"gender"',
    ),
    ...bothWays(
      `classifyFaces, 4000×3000 (${phone.length} B)`,
      'mutation($image: String, $photo: Upload) { classifyFaces(image: $image, photo: $photo) { width height faces { score } } }',
      phone,
      '"width":4000,"height":3000',
    ),
  ];
  const server = await startBenchServer([
    ...['--max-image-bytes', '20000000', '--max-body', '40000000'],
    ...values.server.split(' ').filter(Boolean),
  ]);
  const lagMax = async () => {
    const text = await (await fetch(`${server.base}/metrics`)).text();
    return Number(/^facekit_nodejs_eventloop_lag_max_seconds (\S+)/m.exec(text)![1]) * 1000;
  };
  const row = (name: string, bytes: number | string, times: number[], stalls: number[]) => [
    name,
    bytes,
    times.length ? median(times).toFixed(0) : '',
    median(stalls).toFixed(0),
    Math.min(...stalls).toFixed(0),
    Math.max(...stalls).toFixed(0),
  ];
  const rows: (string | number)[][] = [];
  try {
    // The floor: the metric samples every 10 ms, so an idle server reads about 10 ms, not 0.
    const idle: number[] = [];
    for (let i = 0; i < count; i++) {
      await lagMax();
      await new Promise((resolve) => setTimeout(resolve, 300));
      idle.push(await lagMax());
    }
    rows.push(row('idle, 300 ms', '', [], idle));
    for (const kind of kinds) {
      const send = async () => {
        const res = await fetch(server.url, {
          method: 'POST',
          headers: kind.headers,
          body: new Uint8Array(kind.body),
        });
        const text = await res.text();
        if (!text.includes(kind.answer) || text.includes('"errors"'))
          throw new Error(`${kind.name}: ${text}`);
      };
      await send(); // warm-up
      const [times, stalls] = [[] as number[], [] as number[]];
      for (let i = 0; i < count; i++) {
        await lagMax(); // resets the server's histogram
        const started = performance.now();
        await send();
        times.push(performance.now() - started);
        stalls.push(await lagMax());
      }
      rows.push(row(kind.name, kind.body.length, times, stalls));
    }
  } finally {
    await server.stop();
  }
  console.log(
    table(
      ['photo, sent as', 'body bytes', 'ms a request (median)', 'longest stall, median ms', 'min', 'max'],
      rows,
    ),
  );
  return 0;
}

runCommand(HELP, main);
