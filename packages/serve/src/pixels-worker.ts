/**
 * The worker side of pixels-off-thread.ts: a decoded photo in, its 48×48 grey levels out (core's
 * imageToPixels, the function the browser runs too). An InvalidImageError travels back as its reason.
 */
import { parentPort } from 'node:worker_threads';
import { imageToPixels, InvalidImageError, type FaceCrop } from '@facekit/core';

export interface PixelsJob {
  readonly id: number;
  readonly field: string;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  /** The square to reduce (checked by the sender); the centre square when absent. */
  readonly crop?: FaceCrop;
}

export type PixelsReply =
  | { readonly id: number; readonly pixels: Uint8Array }
  | { readonly id: number; readonly error: string; readonly invalidImage: boolean };

parentPort!.on('message', (job: PixelsJob) => {
  let reply: PixelsReply;
  try {
    reply = { id: job.id, pixels: imageToPixels(job, job.field, job.crop) };
  } catch (error) {
    const invalidImage = error instanceof InvalidImageError;
    const message = (error as Error).message;
    // An InvalidImageError's message is "<field>: <reason>"; the main thread rebuilds it from the reason.
    reply = { id: job.id, error: invalidImage ? message.slice(job.field.length + 2) : message, invalidImage };
  }
  parentPort!.postMessage(reply);
});
