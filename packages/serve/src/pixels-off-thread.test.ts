/**
 * The photo worker on its own: started ahead of the first photo (as the server does) or on first use, and kept, the photo's file handed to it (moved, not
 * copied) and decoded there, the same grey levels as decoding and reducing on this thread, a client's
 * errors (a file that cannot be decoded, too many pixels, a crop outside the photo) rebuilt as this
 * thread would throw them; a worker that dies fails the jobs it held with an error naming it, and the
 * next job starts a new one.
 */
import type * as WorkerThreads from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { fileFormat, imageToPixels, InvalidCropError, InvalidImageError } from '@facekit/core';
import { decodeFile, type PhotoFile } from './decode-file.js';
import { ServeError } from './errors.js';
import {
  offThreadJobCount,
  pixelsOffThread,
  pixelsWorkerStarted,
  startPixelsWorker,
} from './pixels-off-thread.js';

// Every worker this file starts, so a test can end the photo worker as a crash would.
const started = vi.hoisted(() => [] as Worker[]);
vi.mock('node:worker_threads', async (importOriginal) =>
  (await import('../../../tests/support/tracked-workers.js')).trackedWorkerThreads(
    await importOriginal<typeof WorkerThreads>(),
    started,
  ),
);

/** A width×height PNG of a pattern that differs with `seed`. */
const png = (seed: number, width = 96, height = 64) =>
  sharp(Buffer.from(Array.from({ length: width * height * 3 }, (_, i) => (i * 7 + seed) % 251)), {
    raw: { width, height, channels: 3 },
  })
    .png()
    .toBuffer();

const fileOf = (bytes: Uint8Array, field = 'image', maxImagePixels = 4096 * 4096): PhotoFile => ({
  bytes: new Uint8Array(bytes),
  format: fileFormat(bytes)!,
  field,
  maxImagePixels,
});

describe('pixelsOffThread', () => {
  // First: no worker runs before it.
  it('takes its first photo on the worker startPixelsWorker started, once that said it was ready', async () => {
    expect([pixelsWorkerStarted(), started.length]).toEqual([false, 0]);
    await startPixelsWorker();
    await startPixelsWorker();
    expect([pixelsWorkerStarted(), started.length, offThreadJobCount()]).toEqual([true, 1, 0]);
    expect((await pixelsOffThread(fileOf(await png(4)))).pixels).toHaveLength(48 * 48);
    expect(started).toHaveLength(1);
  });

  it('fails the jobs of a worker that dies, and starts a new worker for the next job', async () => {
    const one = await png(1);
    const expected = imageToPixels(await decodeFile(fileOf(one)));
    const before = offThreadJobCount();
    const file = fileOf(one);
    const face = await pixelsOffThread(file);
    expect([face.width, face.height]).toEqual([96, 64]);
    expect(Array.from(face.pixels)).toEqual(Array.from(expected));
    expect(file.bytes.byteLength).toBe(0);
    expect(started).toHaveLength(1);
    // 16 MP: a decode and a reduction of tens of milliseconds on the worker, which is ended meanwhile.
    const grey = { width: 4096, height: 4096, channels: 3, background: { r: 90, g: 90, b: 90 } } as const;
    const pending = pixelsOffThread(fileOf(await sharp({ create: grey }).png().toBuffer()));
    await started[0]!.terminate();
    await expect(pending).rejects.toThrow(/^image preprocessing worker exited with code 1$/);
    expect(Array.from((await pixelsOffThread(fileOf(one))).pixels)).toEqual(Array.from(expected));
    expect(started).toHaveLength(2);
    expect((await pixelsOffThread(fileOf(await png(3)))).pixels).toHaveLength(48 * 48);
    expect(started).toHaveLength(2);
    expect(offThreadJobCount() - before).toBe(4);
  });

  it("rebuilds a client's errors as this thread throws them", async () => {
    const file = await png(2);
    const truncated = pixelsOffThread(fileOf(file.subarray(0, 60), 'upload'));
    await expect(truncated).rejects.toBeInstanceOf(InvalidImageError);
    await expect(truncated).rejects.toMatchObject({
      code: 'INVALID_IMAGE',
      message: expect.stringMatching(/^upload: cannot be decoded \(.+\)$/),
    });
    const large = pixelsOffThread(fileOf(file, 'inputs[1].image', 1000));
    await expect(large).rejects.toBeInstanceOf(ServeError);
    await expect(large).rejects.toMatchObject({
      code: 'IMAGE_TOO_LARGE',
      httpStatus: 413,
      message: 'inputs[1].image: is 96×64 pixels; the limit is 1000 pixels and 4096 per side',
    });
    const outside = pixelsOffThread(fileOf(file), { x: 50, y: 0, size: 60 }, 'input.crop');
    await expect(outside).rejects.toBeInstanceOf(InvalidCropError);
    await expect(outside).rejects.toMatchObject({
      code: 'INVALID_CROP',
      message: 'input.crop: the square at (50, 0) of side 60 reaches (110, 60), outside the 96×64 image',
    });
  });
});
