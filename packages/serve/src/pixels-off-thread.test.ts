/**
 * The photo worker on its own: started on first use and kept, the photo's pixels handed to it (not
 * copied), the same grey levels as this thread computes, an invalid photo refused with the field's name;
 * a worker that dies fails the jobs it held with an error naming it, and the next job starts a new one.
 */
import type * as WorkerThreads from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { imageToPixels } from '@facekit/core';
import { offThreadJobCount, pixelsOffThread } from './pixels-off-thread.js';

// Every worker this file starts, so a test can end the photo worker as a crash would.
const started = vi.hoisted(() => [] as Worker[]);
vi.mock('node:worker_threads', async (importOriginal) =>
  (await import('../../../tests/support/tracked-workers.js')).trackedWorkerThreads(
    await importOriginal<typeof WorkerThreads>(),
    started,
  ),
);

const photo = (seed: number) => ({
  width: 96,
  height: 64,
  data: new Uint8Array(96 * 64 * 4).map((_, i) => (i * 7 + seed) % 251),
});

describe('pixelsOffThread', () => {
  it('fails the jobs of a worker that dies, and starts a new worker for the next job', async () => {
    const expected = imageToPixels(photo(1));
    const before = offThreadJobCount();
    const image = photo(1);
    expect(Array.from(await pixelsOffThread(image, 'image'))).toEqual(Array.from(expected));
    expect(image.data.byteLength).toBe(0);
    expect(started).toHaveLength(1);
    // 16 MP: tens of milliseconds on the worker, which is ended meanwhile.
    const big = { width: 4096, height: 4096, data: new Uint8Array(4096 * 4096 * 4).fill(128) };
    const pending = pixelsOffThread(big, 'image');
    await started[0]!.terminate();
    await expect(pending).rejects.toThrow(/^image preprocessing worker exited with code 1$/);
    expect(Array.from(await pixelsOffThread(photo(1), 'image'))).toEqual(Array.from(expected));
    expect(started).toHaveLength(2);
    await expect(pixelsOffThread({ ...photo(2), height: 65 }, 'upload')).rejects.toMatchObject({
      code: 'INVALID_IMAGE',
      message: 'upload: RGBA buffer holds 24576 bytes, expected 24960',
    });
    expect(await pixelsOffThread(photo(3), 'image')).toHaveLength(48 * 48);
    expect(started).toHaveLength(2);
    expect(offThreadJobCount() - before).toBe(5);
  });
});
