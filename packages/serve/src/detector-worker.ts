/**
 * The face detector's thread (see detector-thread.ts): only its messaging. It creates the detector's
 * session from the file's bytes (face-finder.ts, which checks it), says whether that worked, then answers
 * each photo it is sent with face-finder's faces and each face's 48×48 grey levels, handing their
 * memory back. An InvalidImageError travels back as its reason.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InvalidImageError, type DetectedFace } from '@facekit/core';
import { createDetectorSession, findFaces } from './face-finder.js';
import { ortReason } from './ort-reason.js';
import { wholeBuffer } from './pending-calls.js';

export interface DetectorSetup {
  /** The ONNX file's bytes. */
  readonly bytes: Uint8Array;
  /** onnxruntime intra-op threads; 0 lets it choose. */
  readonly intraOpThreads: number;
}

export interface DetectJob {
  readonly type: 'detect';
  readonly id: number;
  readonly field: string;
  readonly width: number;
  readonly height: number;
  /** RGBA, width × height × 4 (handed over, not copied). */
  readonly data: Uint8Array;
  readonly minScore: number;
  readonly maxFaces: number;
}

export type ToDetector = DetectJob;

export type DetectReply =
  | {
      readonly type: 'done';
      readonly id: number;
      readonly faces: DetectedFace[];
      /** Each face's 48×48 grey levels, in `faces`' order. */
      readonly pixels: Uint8Array[];
      /** Time on the thread, from the photo to the last face's grey levels. */
      readonly seconds: number;
    }
  | { readonly type: 'error'; readonly id: number; readonly reason: string; readonly invalidImage: boolean };

export type FromDetector =
  { readonly type: 'ready' } | { readonly type: 'failed'; readonly reason: string } | DetectReply;

const port = parentPort!;
const send = (message: FromDetector, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const { bytes, intraOpThreads } = workerData as DetectorSetup;

try {
  const session = await createDetectorSession(bytes, intraOpThreads);
  // One photo at a time: session.run computes on this thread, so a second would only wait behind it.
  let queue: Promise<unknown> = Promise.resolve();
  port.on('message', (job: ToDetector) => {
    queue = queue.then(async () => {
      try {
        const started = performance.now();
        const image = { width: job.width, height: job.height, data: job.data };
        const { faces, pixels } = await findFaces(session, image, job.field, job);
        const seconds = (performance.now() - started) / 1000;
        send({ type: 'done', id: job.id, faces, pixels, seconds }, pixels.flatMap(wholeBuffer));
      } catch (error) {
        const invalidImage = error instanceof InvalidImageError;
        const text = error instanceof Error ? error.message : String(error);
        // An InvalidImageError's message is "<field>: <reason>"; the main thread rebuilds it from the reason.
        const reason = invalidImage ? text.slice(job.field.length + 2) : ortReason(error);
        send({ type: 'error', id: job.id, reason, invalidImage });
      }
    });
  });
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'failed', reason: error instanceof Error ? error.message : String(error) });
}
