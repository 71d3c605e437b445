/**
 * Large photos are reduced to 48×48 grey levels on a worker thread: the area average over a 16-MP photo
 * takes about 70 ms, which on the event loop would stall every other request for as long. One worker,
 * started on first use and unref'd (it never keeps the process alive); the decoded pixels are moved to
 * it, not copied. A worker that dies fails the jobs it held and is replaced on the next one.
 */
import { Worker } from 'node:worker_threads';
import { InvalidImageError, type FaceCrop, type RgbaImage } from '@facekit/core';
import { workerUrl } from '@facekit/core/node';
import type { PixelsJob, PixelsReply } from './pixels-worker.js';

interface Pending {
  readonly field: string;
  resolve(pixels: Uint8Array): void;
  reject(error: Error): void;
}

interface PixelsWorker {
  readonly thread: Worker;
  readonly pending: Map<number, Pending>;
}

let current: PixelsWorker | undefined;
let nextId = 0;
let jobs = 0;

/** Photos preprocessed on the worker so far (the tests read it to see which path a photo took). */
export const offThreadJobCount = (): number => jobs;

function startWorker(): PixelsWorker {
  const w: PixelsWorker = {
    thread: new Worker(workerUrl('pixels-worker', import.meta.url)),
    pending: new Map(),
  };
  w.thread.unref();
  w.thread.on('message', (reply: PixelsReply) => {
    const job = w.pending.get(reply.id);
    if (!job) return;
    w.pending.delete(reply.id);
    if ('pixels' in reply) job.resolve(reply.pixels);
    else
      job.reject(reply.invalidImage ? new InvalidImageError(job.field, reply.error) : new Error(reply.error));
  });
  const fail = (error: Error) => {
    if (current === w) current = undefined;
    for (const job of w.pending.values()) job.reject(error);
    w.pending.clear();
  };
  w.thread.on('error', (error) => fail(new Error(`image preprocessing worker failed: ${error.message}`)));
  w.thread.on('exit', (code) => fail(new Error(`image preprocessing worker exited with code ${code}`)));
  return w;
}

/**
 * imageToPixels(image, field, crop), computed on the worker; `image.data` is handed over (detached
 * here). Check the crop first: the worker's errors name `field` only.
 */
export function pixelsOffThread(
  image: RgbaImage & { readonly data: Uint8Array },
  field: string,
  crop?: FaceCrop,
): Promise<Uint8Array> {
  const w = (current ??= startWorker());
  const job: PixelsJob = {
    id: nextId++,
    field,
    width: image.width,
    height: image.height,
    data: image.data,
    ...(crop ? { crop } : {}),
  };
  jobs++;
  return new Promise((resolve, reject) => {
    w.pending.set(job.id, { field, resolve, reject });
    const whole = image.data.byteOffset === 0 && image.data.byteLength === image.data.buffer.byteLength;
    w.thread.postMessage(job, whole ? [image.data.buffer as ArrayBuffer] : []);
  });
}
