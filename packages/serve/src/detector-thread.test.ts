/**
 * The face detector's threads on their own: the photo's file is handed over (moved, not copied) and
 * decoded on the thread, which answers the photo's size with its faces; a thread
 * that dies fails the photo it held with a clear error and is replaced by the next photo's, photos sent
 * together go to different threads, a closed detector refuses, and a provenance file that is not JSON
 * keeps the detector from loading.
 */
import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as WorkerThreads from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fileFormat, InvalidImageError } from '@facekit/core';
import { FaceDetector } from './detector-thread.js';
import { ServeError } from './errors.js';
import { faceScene, sampleFace } from '../../../tests/support/face-scene.js';
import { SHIPPED_DETECTOR, SHIPPED_DETECTOR_JSON } from '../test/face-photos.js';
import { tempFolder } from '../../../tests/support/temp-folder.js';

// Every worker this file starts, so a test can end the detector's thread as a crash would.
const started = vi.hoisted(() => [] as Worker[]);
vi.mock('node:worker_threads', async (importOriginal) =>
  (await import('../../../tests/support/tracked-workers.js')).trackedWorkerThreads(
    await importOriginal<typeof WorkerThreads>(),
    started,
  ),
);

const OPTIONS = { minScore: 0.5, maxFaces: 10, closeLook: true };
const opened: FaceDetector[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()));
});

async function detectorIn(json: string | null = null, threads = 1): Promise<FaceDetector> {
  const dir = await tempFolder('facekit-detector-');
  await copyFile(SHIPPED_DETECTOR, path.join(dir, 'face-detector.onnx'));
  if (json === null) await copyFile(SHIPPED_DETECTOR_JSON, path.join(dir, 'face-detector.json'));
  else await writeFile(path.join(dir, 'face-detector.json'), json);
  const detector = new FaceDetector(dir);
  opened.push(detector);
  await detector.load(1, threads);
  return detector;
}

/** A 400×300 PNG of one face, as the file decodePhoto hands on. */
const photo = async () => {
  const face = await sampleFace('white-female-55.png');
  const scene = faceScene([{ face, square: { x: 100, y: 60, size: 160 } }], 400, 300, 3);
  const png = await sharp(scene.data, { raw: { width: 400, height: 300, channels: 4 } })
    .png()
    .toBuffer();
  // In memory of its own, as decodePhoto hands it on (sharp's buffer could not be moved).
  const bytes = new Uint8Array(png);
  return { bytes, format: fileFormat(bytes)!, field: 'image', maxImagePixels: 4096 * 4096 };
};

describe('FaceDetector', () => {
  it("hands the photo's file to its thread and answers its size and each face's grey levels", async () => {
    const detector = await detectorIn();
    expect(detector.status).toBe('ready');
    const file = await photo();
    const found = await detector.detect(file, OPTIONS);
    expect(file.bytes.byteLength).toBe(0);
    expect([found.width, found.height]).toEqual([400, 300]);
    expect(found.faces).toHaveLength(1);
    expect(found.pixels).toHaveLength(1);
    expect(found.pixels[0]).toHaveLength(48 * 48);
    expect(found.seconds).toBeGreaterThan(0);
  });

  it("rebuilds a photo's errors, met on its thread, as decoding here would throw them", async () => {
    const detector = await detectorIn();
    const file = await photo();
    const truncated = detector.detect({ ...file, bytes: file.bytes.slice(0, 100) }, OPTIONS);
    await expect(truncated).rejects.toBeInstanceOf(InvalidImageError);
    await expect(truncated).rejects.toMatchObject({
      code: 'INVALID_IMAGE',
      message: expect.stringMatching(/^image: cannot be decoded \(.+\)$/),
    });
    const large = detector.detect({ ...file, field: 'photo.png', maxImagePixels: 100_000 }, OPTIONS);
    await expect(large).rejects.toBeInstanceOf(ServeError);
    await expect(large).rejects.toMatchObject({
      code: 'IMAGE_TOO_LARGE',
      httpStatus: 413,
      message: 'photo.png: is 400×300 pixels; the limit is 100000 pixels and 4096 per side',
    });
  });

  it('fails the photo of a thread that dies, and starts a new thread for the next photo', async () => {
    const detector = await detectorIn();
    const before = started.length;
    const pending = detector.detect(await photo(), OPTIONS);
    await started.at(-1)!.terminate();
    await expect(pending).rejects.toThrow(/the face detector's thread exited with code 1/);
    const found = await detector.detect(await photo(), OPTIONS);
    expect(found.faces).toHaveLength(1);
    expect(started.length).toBe(before + 1);
  });

  it('sends photos sent together to different threads, and replaces only the one that died', async () => {
    const before = started.length;
    const detector = await detectorIn(null, 2);
    expect(started.length).toBe(before + 2);
    const [first, second] = started.slice(-2);
    // Two photos at once: one on each thread, so ending the first thread fails only the first photo.
    const [one, two] = [await photo(), await photo()];
    const [a, b] = [detector.detect(one, OPTIONS), detector.detect(two, OPTIONS)];
    await first!.terminate();
    await expect(a).rejects.toThrow(/the face detector's thread exited with code 1/);
    expect((await b).faces).toHaveLength(1);
    // The next photo goes to the first slot, now empty: a new thread there, the second one kept.
    expect((await detector.detect(await photo(), OPTIONS)).faces).toHaveLength(1);
    expect(started.length).toBe(before + 3);
    const secondExited = new Promise((resolve) => second!.once('exit', resolve));
    await detector.close();
    await secondExited;
  });

  it('refuses photos once closed, its thread ended', async () => {
    const detector = await detectorIn();
    const thread = started.at(-1)!;
    const exited = new Promise((resolve) => thread.once('exit', resolve));
    await detector.close();
    await exited;
    await expect(detector.detect(await photo(), OPTIONS)).rejects.toMatchObject({
      code: 'DETECTOR_UNAVAILABLE',
      message: 'image: the server is stopping',
    });
  });

  it('is not loaded when face-detector.json is not JSON', async () => {
    const detector = await detectorIn('{ not json');
    expect(detector.status).toBe('failed');
    expect(detector.reason).toMatch(/^\S*\/face-detector\.json: is not valid JSON \(/);
    await expect(detector.detect(await photo(), OPTIONS)).rejects.toMatchObject({
      code: 'DETECTOR_UNAVAILABLE',
    });
  });
});
