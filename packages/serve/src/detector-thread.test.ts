/**
 * The face detector's threads on their own: the photo's pixels are handed over (not copied), a thread
 * that dies fails the photo it held with a clear error and is replaced by the next photo's, photos sent
 * together go to different threads, a closed detector refuses, and a provenance file that is not JSON
 * keeps the detector from loading.
 */
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as WorkerThreads from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FaceDetector } from './detector-thread.js';
import { faceScene, sampleFace } from '../../../tests/support/face-scene.js';
import { SHIPPED_DETECTOR, SHIPPED_DETECTOR_JSON } from '../test/face-photos.js';

// Every worker this file starts, so a test can end the detector's thread as a crash would.
const started = vi.hoisted(() => [] as Worker[]);
vi.mock('node:worker_threads', async (importOriginal) =>
  (await import('../../../tests/support/tracked-workers.js')).trackedWorkerThreads(
    await importOriginal<typeof WorkerThreads>(),
    started,
  ),
);

const OPTIONS = { minScore: 0.5, maxFaces: 10 };
const opened: FaceDetector[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()));
});

async function detectorIn(json: string | null = null, threads = 1): Promise<FaceDetector> {
  const dir = await mkdtemp(path.join(tmpdir(), 'facekit-detector-'));
  await copyFile(SHIPPED_DETECTOR, path.join(dir, 'face-detector.onnx'));
  if (json === null) await copyFile(SHIPPED_DETECTOR_JSON, path.join(dir, 'face-detector.json'));
  else await writeFile(path.join(dir, 'face-detector.json'), json);
  const detector = new FaceDetector(dir);
  opened.push(detector);
  await detector.load(1, threads);
  return detector;
}

const photo = async () =>
  faceScene(
    [{ face: await sampleFace('white-female-55.png'), square: { x: 100, y: 60, size: 160 } }],
    400,
    300,
    3,
  );

describe('FaceDetector', () => {
  it("hands the photo's pixels to its thread and answers each face with its grey levels", async () => {
    const detector = await detectorIn();
    expect(detector.status).toBe('ready');
    const image = await photo();
    const found = await detector.detect(image, 'image', OPTIONS);
    expect(image.data.byteLength).toBe(0);
    expect(found.faces).toHaveLength(1);
    expect(found.pixels).toHaveLength(1);
    expect(found.pixels[0]).toHaveLength(48 * 48);
    expect(found.seconds).toBeGreaterThan(0);
  });

  it('fails the photo of a thread that dies, and starts a new thread for the next photo', async () => {
    const detector = await detectorIn();
    const before = started.length;
    const pending = detector.detect(await photo(), 'image', OPTIONS);
    await started.at(-1)!.terminate();
    await expect(pending).rejects.toThrow(/the face detector's thread exited with code 1/);
    const found = await detector.detect(await photo(), 'image', OPTIONS);
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
    const [a, b] = [detector.detect(one, 'image', OPTIONS), detector.detect(two, 'image', OPTIONS)];
    await first!.terminate();
    await expect(a).rejects.toThrow(/the face detector's thread exited with code 1/);
    expect((await b).faces).toHaveLength(1);
    // The next photo goes to the first slot, now empty: a new thread there, the second one kept.
    expect((await detector.detect(await photo(), 'image', OPTIONS)).faces).toHaveLength(1);
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
    await expect(detector.detect(await photo(), 'image', OPTIONS)).rejects.toMatchObject({
      code: 'DETECTOR_UNAVAILABLE',
      message: 'image: the server is stopping',
    });
  });

  it('is not loaded when face-detector.json is not JSON', async () => {
    const detector = await detectorIn('{ not json');
    expect(detector.status).toBe('failed');
    expect(detector.reason).toMatch(/^\S*\/face-detector\.json \$: is not valid JSON/);
    await expect(detector.detect(await photo(), 'image', OPTIONS)).rejects.toMatchObject({
      code: 'DETECTOR_UNAVAILABLE',
    });
  });
});
