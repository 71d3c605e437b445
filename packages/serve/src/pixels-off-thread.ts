/**
 * Large photos are reduced to 48×48 grey levels on a worker thread: the area average over a 16-MP photo
 * takes about 70 ms, which on the event loop would stall every other request for as long. One worker,
 * started on first use and unref'd (it never keeps the process alive); the decoded pixels are moved to
 * it, not copied. A worker that dies fails the jobs it held and is replaced on the next one.
 */
import { InvalidImageError, type FaceCrop, type RgbaImage } from '@facekit/core';
import { workerUrl } from '@facekit/core/node';
import { wholeBuffer } from './pending-calls.js';
import type { PixelsJob, PixelsReply } from './pixels-worker.js';
import { WorkerCalls } from './worker-calls.js';

type PixelsWorker = WorkerCalls<PixelsJob, PixelsReply>;

let current: PixelsWorker | undefined;
let jobs = 0;

/** Photos preprocessed on the worker so far (the tests read it to see which path a photo took). */
export const offThreadJobCount = (): number => jobs;

function startWorker(): PixelsWorker {
  const w: PixelsWorker = new WorkerCalls(workerUrl('pixels-worker', import.meta.url), {
    name: 'image preprocessing worker',
    unref: true,
    onDeath: () => {
      if (current === w) current = undefined;
    },
  });
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
  const reply = await w.call(
    (id) => ({
      id,
      field,
      width: image.width,
      height: image.height,
      data: image.data,
      ...(crop ? { crop } : {}),
    }),
    wholeBuffer(image.data),
  );
  if ('pixels' in reply) return reply.pixels;
  throw reply.invalidImage ? new InvalidImageError(field, reply.error) : new Error(reply.error);
}
