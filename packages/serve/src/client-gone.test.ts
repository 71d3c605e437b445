/**
 * A client that hangs up before its answer: the photos of its classifyBatch still waiting for a decode
 * slot are dropped instead of decoded for no one, the faces already decoded are not run, and the server
 * counts them and goes on answering others.
 */
import { connect } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLASSIFY,
  CLASSIFY_BATCH,
  gql,
  postAndLeave,
  startTestServer,
  testPixels,
  type TestServer,
} from '../test/harness.js';

let server: TestServer;
const ITEMS = 96;

beforeAll(async () => {
  server = await startTestServer({
    maxBatchItems: ITEMS,
    maxBodyBytes: 64 * 1024 * 1024,
    maxImagePixels: 2048 * 2048,
    maxQueryCost: 100_000,
  });
});
afterAll(() => server?.stop());

/** The values of one metric in /metrics, by their label text ('' when it has none). */
async function metric(name: string): Promise<Map<string, number>> {
  const text = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
  const values = new Map<string, number>();
  for (const [, labels, value] of text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm')))
    values.set(labels ?? '', Number(value));
  return values;
}

async function waitFor(what: string, condition: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('a client that leaves unanswered', () => {
  it('has its waiting photos dropped, and the server keeps answering', { timeout: 90_000 }, async () => {
    // Four megapixels in a few kilobytes: each takes a while to decode, the request stays small.
    const grey = { width: 2048, height: 2048, channels: 3, background: { r: 90, g: 90, b: 90 } } as const;
    const photo = (await sharp({ create: grey }).jpeg().toBuffer()).toString('base64');
    // Each waiting photo listens for the client leaving: no "possible memory leak" warning for 96.
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const body = JSON.stringify({
      query: CLASSIFY_BATCH,
      variables: { inputs: Array.from({ length: ITEMS }, () => ({ image: photo })) },
    });
    const request = postAndLeave(server.url, body);

    const decodes = () => metric('facekit_photo_decodes');
    await waitFor(
      'photos to queue for decoding',
      async () => ((await decodes()).get('{state="waiting"}') ?? 0) > 0,
    );
    request.destroy();
    await waitFor('the decode queue to empty', async () => {
      const load = await decodes();
      return load.get('{state="waiting"}') === 0 && load.get('{state="active"}') === 0;
    });
    await waitFor(
      'the abandoned faces to be counted',
      async () => (await metric('facekit_abandoned_faces_total')).size > 0,
    );

    const abandoned = await metric('facekit_abandoned_faces_total');
    // Those decoding when it left finish (and are not run); every other one is dropped undecoded.
    const dropped = abandoned.get('{stage="decode"}')!;
    expect(dropped).toBeGreaterThan(0);
    expect(dropped + abandoned.get('{stage="run"}')!).toBe(ITEMS);
    expect((await metric('facekit_faces_total')).size).toBe(0);
    expect((await metric('facekit_errors_total')).get('{code="CLIENT_GONE"}')).toBe(1);
    expect(server.logs.filter((l) => l.code === 'CLIENT_GONE')).toHaveLength(1);
    process.off('warning', onWarning);
    expect(warnings).not.toContain('MaxListenersExceededWarning');

    const answer = await gql(server.url, CLASSIFY, { input: { pixels: testPixels(1) } });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data!.classify).toBeTruthy();
  });

  it(
    'has the faces of requests pipelined behind the one answered dropped too',
    { timeout: 60_000 },
    async () => {
      // Faces wait 1.5 s for a batch to fill: long enough to hang up while both requests wait there.
      const slow = await startTestServer({ maxBatchWaitMs: 1500 });
      try {
        const url = new URL(slow.url);
        const body = JSON.stringify({ query: CLASSIFY, variables: { input: { pixels: testPixels(2) } } });
        const request = `POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
        const socket = connect(Number(url.port), url.hostname);
        socket.on('error', () => {});
        await new Promise((resolve) => socket.once('connect', resolve));
        // Two requests in one write: Node runs the second while the first's answer is still owed.
        socket.write(request + request);
        await new Promise((resolve) => setTimeout(resolve, 300));
        socket.destroy();
        const text = async () => (await fetch(slow.url.replace('/graphql', '/metrics'))).text();
        const deadline = performance.now() + 10_000;
        while (!/facekit_abandoned_faces_total\{stage="run"\} 2/.test(await text())) {
          if (performance.now() > deadline) throw new Error(`not both abandoned:\n${await text()}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        // Past the batch wait: no batch ran (the warm-up's runs are not counted).
        await new Promise((resolve) => setTimeout(resolve, 1800));
        expect(await text()).toMatch(/^facekit_batch_size_count 0$/m);
      } finally {
        await slow.stop();
      }
    },
  );
});
