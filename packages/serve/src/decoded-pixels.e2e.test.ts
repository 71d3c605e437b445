/**
 * A large photo's decoded pixels never cross a thread, end to end through a real server: classify's
 * 4096×4096 JPEG and classifyFaces' 4000×3000 one go to their worker threads as the file's bytes, handed
 * over (moved), never as width × height × 4 bytes of RGBA — sharp's output buffer cannot be moved, so
 * posting it was a copy of 67 MB that held the event loop for 33–108 ms. Checked by what the server
 * posts to its workers, not by timing it (a loaded machine makes timings flaky); the answers are those
 * of the photo decoded here.
 */
import type * as WorkerThreads from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { imageToPixels } from '@facekit/core';
import { modelsWithDetector } from '../test/face-photos.js';
import { gql, largeJpeg, startTestServer, type TestServer } from '../test/harness.js';

/** Each message posted to a worker: its largest ArrayBuffer, and whether that was handed over. */
const posted = vi.hoisted(() => [] as { bytes: number; moved: boolean }[]);

/** The ArrayBuffers a message holds (at any depth), each once. */
function buffersIn(value: unknown, found = new Set<ArrayBufferLike>()): Set<ArrayBufferLike> {
  if (value instanceof ArrayBuffer) found.add(value);
  else if (ArrayBuffer.isView(value)) found.add(value.buffer);
  else if (value && typeof value === 'object')
    for (const v of Object.values(value as Record<string, unknown>)) buffersIn(v, found);
  return found;
}

vi.mock('node:worker_threads', async (importOriginal) => {
  const original = await importOriginal<typeof WorkerThreads>();
  const { trackedWorkerThreads } = await import('../../../tests/support/tracked-workers.js');
  return trackedWorkerThreads(original, [], (worker: Worker) => {
    const post = worker.postMessage.bind(worker);
    worker.postMessage = (message: unknown, transfer?: readonly WorkerThreads.Transferable[]) => {
      const largest = [...buffersIn(message)].sort((a, b) => b.byteLength - a.byteLength)[0];
      if (largest)
        posted.push({ bytes: largest.byteLength, moved: (transfer ?? []).includes(largest as ArrayBuffer) });
      post(message, transfer as WorkerThreads.Transferable[]);
    };
  });
});

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    models: await modelsWithDetector(),
    maxImageBytes: 20_000_000,
    maxBodyBytes: 40_000_000,
  });
});
afterAll(() => server?.stop());

/** What the server posts to its workers while it answers `query`. */
async function postsWhile(query: string, variables: Record<string, unknown>) {
  posted.length = 0;
  const answer = await gql(server.url, query, variables);
  expect(answer.body.errors).toBeUndefined();
  return { data: answer.body.data!, posts: [...posted] };
}

describe("a large photo's decoded pixels", () => {
  it('are not posted to the photo worker: classify hands it the file', { timeout: 60_000 }, async () => {
    const jpeg = await largeJpeg(4096, 4096);
    const { data, info } = await sharp(jpeg)
      .rotate()
      .toColourspace('srgb')
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const expected = imageToPixels({ width: info.width, height: info.height, data });
    const { data: answer, posts } = await postsWhile(
      'mutation($i: String!) { classify(input: { image: $i }) { inputPixels } }',
      { i: jpeg.toString('base64') },
    );
    expect((answer.classify as { inputPixels: number[] }).inputPixels).toEqual(Array.from(expected));
    // The file (1.6 MB), handed over; nothing the size of its pixels (67 MB), and nothing large copied.
    expect(Math.max(...posts.map((p) => p.bytes))).toBeLessThanOrEqual(jpeg.length);
    expect(posts).toContainEqual({ bytes: jpeg.length, moved: true });
    expect(posts.filter((p) => !p.moved && p.bytes > 64 * 1024)).toEqual([]);
  });

  it('are not posted to the detector: classifyFaces hands it the file', { timeout: 60_000 }, async () => {
    const jpeg = await largeJpeg(4000, 3000);
    const { data: answer, posts } = await postsWhile(
      'mutation($i: String!) { classifyFaces(image: $i) { width height faces { score } } }',
      { i: jpeg.toString('base64') },
    );
    expect(answer.classifyFaces).toMatchObject({ width: 4000, height: 3000 });
    expect(Math.max(...posts.map((p) => p.bytes))).toBeLessThanOrEqual(jpeg.length);
    expect(posts).toContainEqual({ bytes: jpeg.length, moved: true });
    expect(posts.filter((p) => !p.moved && p.bytes > 64 * 1024)).toEqual([]);
  });
});
