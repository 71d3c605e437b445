/**
 * What sending a large photo as a file (a multipart request) saves against base64 in JSON: the bytes
 * on the wire, the time a request takes, and the server's longest event-loop stall while it reads one —
 * the stall every other client waits through. The server runs as `pnpm serve` does, in its own process,
 * over the shipped models; `classify` answers each photo's centre square, sent one at a time. The stall
 * is read from the server's own /metrics (`nodejs_eventloop_lag_max_seconds`, reset at each scrape).
 */
import sharp from 'sharp';
import { parseCommandArgs, runCommand, wholeNumberFlag } from '@facekit/core/node';
import { startBenchServer } from './bench-server.js';
import { fileRequest, MULTIPART_HEADERS } from './payloads.js';
import { table } from './table.js';

const HELP = `Usage: pnpm bench:upload [options]

Sends the same large JPEG to classify as base64 JSON and as a multipart file, one request at a time,
and prints bytes sent, ms a request and the server's longest event-loop stall for each.

Options:
  --side <px>       the photo's width and height               [default 4096]
  --photos <n>      requests of each kind, after one warm-up    [default 8]
  --server=<flags>  more flags for the server, e.g. --server="--ep cpu"
  -h, --help        show this text
`;

const QUERY = `mutation($image: String, $photo: Upload) {
  classify(input: { image: $image, photo: $photo }) { gender { label } }
}`;

/** A side×side JPEG of smooth gradients and detail, as a camera's photo compresses. */
async function largeJpeg(side: number): Promise<Buffer> {
  const rgb = Buffer.alloc(side * side * 3);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const p = (y * side + x) * 3;
      rgb[p] = (x * 255) / side;
      rgb[p + 1] = (y * 255) / side;
      rgb[p + 2] = 128 + 100 * Math.sin(x / 7) * Math.cos(y / 11);
    }
  return sharp(rgb, { raw: { width: side, height: side, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<number> {
  const { values } = parseCommandArgs(HELP, {
    options: {
      side: { type: 'string', default: '4096' },
      photos: { type: 'string', default: '8' },
      server: { type: 'string', default: '' },
    },
  });
  const side = wholeNumberFlag(HELP, 'side', values.side, 48);
  const count = wholeNumberFlag(HELP, 'photos', values.photos, 1);
  const photo = await largeJpeg(side);
  const kinds = [
    {
      name: 'base64 in JSON',
      type: 'application/json',
      body: Buffer.from(JSON.stringify({ query: QUERY, variables: { image: photo.toString('base64') } })),
    },
    {
      name: 'file (multipart)',
      type: MULTIPART_HEADERS['content-type'],
      body: fileRequest(QUERY, { photo: null }, 'variables.photo', photo),
    },
  ];
  const limit = String(4 * photo.length);
  const server = await startBenchServer([
    ...['--max-image-bytes', limit, '--max-body', limit],
    ...values.server.split(' ').filter(Boolean),
  ]);
  const lagMax = async () => {
    const text = await (await fetch(`${server.base}/metrics`)).text();
    return Number(/^facekit_nodejs_eventloop_lag_max_seconds (\S+)/m.exec(text)![1]) * 1000;
  };
  const rows: (string | number)[][] = [];
  try {
    console.log(`# photo upload — a ${side}×${side} JPEG of ${photo.length} bytes, ${count} requests each`);
    for (const kind of kinds) {
      const send = async () => {
        const res = await fetch(server.url, {
          method: 'POST',
          headers: { 'content-type': kind.type, 'apollo-require-preflight': 'true' },
          body: new Uint8Array(kind.body),
        });
        const text = await res.text();
        if (!text.includes('"gender"') || text.includes('"errors"')) throw new Error(`${kind.name}: ${text}`);
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
      rows.push([
        kind.name,
        kind.body.length,
        median(times).toFixed(0),
        median(stalls).toFixed(0),
        Math.max(...stalls).toFixed(0),
      ]);
    }
  } finally {
    await server.stop();
  }
  console.log(
    table(['sent as', 'body bytes', 'ms a request (median)', 'longest stall, median ms', 'max ms'], rows),
  );
  return 0;
}

runCommand(HELP, main);
