/**
 * A photo to the 48×48 grey levels of its centre square (or of `crop`), on a worker thread: the file is
 * decoded there and reduced there, so neither the decode's bookkeeping nor the area average (about 70 ms
 * over a 16-MP photo) holds the event loop, and the decoded pixels never cross a thread — sharp's output
 * buffer cannot be moved, and posting 67 MB of RGBA copied it in 33–108 ms of stall. Only the file's
 * bytes are handed over (moved, not copied). One worker, started by the server while it warms (else
 * on first use) and unref'd (it keeps the process alive only while it has photos to answer). A worker
 * that dies fails the jobs it held and is replaced on the next one.
 */
// Loaded by this thread before the worker loads it: sharp's native library must be (sharp's docs).
import 'sharp';
import type { FaceCrop } from '@facekit/core';
import { workerUrl } from '@facekit/core/node';
import type { PhotoFile } from './decode-file.js';
import { wholeBuffer } from './pending-calls.js';
import type { PixelsJob, PixelsReply } from './pixels-worker.js';
import { fromThreadError } from './thread-errors.js';
import { WorkerCalls } from './worker-calls.js';

type PixelsWorker = WorkerCalls<PixelsJob, PixelsReply>;

let current: PixelsWorker | undefined;
let jobs = 0;

/** Photos sent to the worker so far (the tests read it to see which path a photo took). */
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
 * Starts the worker and waits until it can take photos (its start, loading sharp, took about 200 ms
 * of the first photo's request); throws why it could not start, and the first photo tries again.
 */
export async function startPixelsWorker(): Promise<void> {
  const w = (current ??= startWorker());
  try {
    await w.ready();
  } catch (error) {
    if (current === w) current = undefined;
    throw error;
  }
}

/** Whether a worker is running or starting (the tests read it to see when the server started it). */
export const pixelsWorkerStarted = (): boolean => current !== undefined;

/** A photo's size (EXIF orientation applied) and the 48×48 grey levels of the square reduced. */
export interface PhotoFace {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

/**
 * The file decoded and reduced on the worker: `imageToPixels(decodeFile(file), file.field, crop,
 * cropField)`, with the same errors. `file.bytes` is handed over (detached here).
 */
export async function pixelsOffThread(
  file: PhotoFile,
  crop?: FaceCrop,
  cropField?: string,
): Promise<PhotoFace> {
  const w = (current ??= startWorker());
  jobs++;
  const reply = await w.call(
    (id) => ({ id, file, ...(crop ? { crop } : {}), ...(cropField ? { cropField } : {}) }),
    wholeBuffer(file.bytes),
  );
  if ('pixels' in reply) return { width: reply.width, height: reply.height, pixels: reply.pixels };
  throw fromThreadError(reply.error);
}
