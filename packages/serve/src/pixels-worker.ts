/**
 * The worker side of pixels-off-thread.ts: a photo's file in, decoded here (decode-file.ts) so that its
 * pixels never cross a thread, and its 48×48 grey levels out (core's imageToPixels, the function the
 * browser runs too) with the photo's size. A client's error travels back by its parts (thread-errors.ts).
 */
import { parentPort } from 'node:worker_threads';
import { imageToPixels, type FaceCrop } from '@facekit/core';
import { decodeFile, type PhotoFile } from './decode-file.js';
import { toThreadError, type ThreadError } from './thread-errors.js';

export interface PixelsJob {
  readonly id: number;
  /** The photo's file (handed over). */
  readonly file: PhotoFile;
  /** The square to reduce, named `cropField` in errors; the centre square when absent. */
  readonly crop?: FaceCrop;
  readonly cropField?: string;
}

export type PixelsReply =
  | { readonly type: 'ready' }
  | { readonly id: number; readonly width: number; readonly height: number; readonly pixels: Uint8Array }
  | { readonly id: number; readonly error: ThreadError };

// Each photo as it comes: sharp decodes on libuv's threads, so several decode at once (as many as the
// main thread's decode slots let through), and only their reductions take turns on this thread.
parentPort!.on('message', async ({ id, file, crop, cropField }: PixelsJob) => {
  let reply: PixelsReply;
  try {
    const image = await decodeFile(file);
    const pixels = imageToPixels(image, file.field, crop, cropField);
    reply = { id, width: image.width, height: image.height, pixels };
  } catch (error) {
    reply = { id, error: toThreadError(error) };
  }
  parentPort!.postMessage(reply);
});
// Its modules (sharp's native library among them) are loaded: photos can come.
parentPort!.postMessage({ type: 'ready' } satisfies PixelsReply);
