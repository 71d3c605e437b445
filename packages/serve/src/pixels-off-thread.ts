/**
 * Large photos are reduced to 48×48 grey levels on a worker thread: the area average over a 16-MP photo
 * takes about 70 ms, which on the event loop would stall every other request for as long. One worker,
 * started on first use and unref'd (it never keeps the process alive); the decoded pixels are moved to
 * it, not copied. A worker that dies fails the jobs it held and is replaced on the next one.
 */
import { Worker } from 'node:worker_threads';
import { InvalidImageError, type FaceCrop, type RgbaImage } from '@facekit/core';
import { workerUrl } from '@facekit/core/node';
import { PendingCalls, wholeBuffer } from './pending-calls.js';
import type { PixelsJob, PixelsReply } from './pixels-worker.js';

interface PixelsWorker {
  readonly thread: Worker;
  readonly calls: PendingCalls<PixelsReply>;
}

let current: PixelsWorker | undefined;
let jobs = 0;

/** Photos preprocessed on the worker so far (the tests read it to see which path a photo took). */
export const offThreadJobCount = (): number => jobs;

function startWorker(): PixelsWorker {
  const w: PixelsWorker = {
    thread: new Worker(workerUrl('pixels-worker', import.meta.url)),
    calls: new PendingCalls(),
  };
  w.thread.unref();
  w.thread.on('message', (reply: PixelsReply) => w.calls.settle(reply.id, reply));
  const fail = (error: Error) => {
    if (current === w) current = undefined;
    w.calls.failAll(error);
  };
  w.thread.on('error', (error) => fail(new Error(`image preprocessing worker failed: ${error.message}`)));
  w.thread.on('exit', (code) => fail(new Error(`image preprocessing worker exited with code ${code}`)));
  return w;
}

/**
 * imageToPixels(image, field, crop), computed on the worker; `image.data` is handed over (detached
 * here). Check the crop first: the worker's errors name `field` only.
 */
export async function pixelsOffThread(
  image: RgbaImage & { readonly data: Uint8Array },
  field: string,
  crop?: FaceCrop,
): Promise<Uint8Array> {
  const w = (current ??= startWorker());
  jobs++;
  const reply = await w.calls.add((id) => {
    const job: PixelsJob = {
      id,
      field,
      width: image.width,
      height: image.height,
      data: image.data,
      ...(crop ? { crop } : {}),
    };
    w.thread.postMessage(job, wholeBuffer(image.data));
  });
  if ('pixels' in reply) return reply.pixels;
  throw reply.invalidImage ? new InvalidImageError(field, reply.error) : new Error(reply.error);
}
