/**
 * The face detector's thread (see detector-thread.ts): only its messaging. It creates the detector's
 * session from the file's bytes (face-finder.ts, which checks it), says whether that worked, then answers
 * each photo file it is sent — decoded here (decode-file.ts), so that its pixels never cross a thread —
 * with the photo's size, face-finder's faces and each face's 48×48 grey levels, handing their memory
 * back. A client's error travels back by its parts (thread-errors.ts), any other as its reason.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DetectedFace } from '@facekit/core';
import { decodeFile, type PhotoFile } from './decode-file.js';
import { createDetectorSession, findFaces } from './face-finder.js';
import { ortReason } from './ort-reason.js';
import { wholeBuffer } from './pending-calls.js';
import { toThreadError, type ThreadError } from './thread-errors.js';

export interface DetectorSetup {
  /** The ONNX file's bytes. */
  readonly bytes: Uint8Array;
  /** onnxruntime intra-op threads; 0 lets it choose. */
  readonly intraOpThreads: number;
}

export interface DetectJob {
  readonly type: 'detect';
  readonly id: number;
  /** The photo's file (handed over). */
  readonly file: PhotoFile;
  readonly minScore: number;
  readonly maxFaces: number;
  readonly closeLook: boolean;
}

export type ToDetector = DetectJob;

export type DetectReply =
  | {
      readonly type: 'done';
      readonly id: number;
      /** The photo's size, EXIF orientation applied. */
      readonly width: number;
      readonly height: number;
      readonly faces: DetectedFace[];
      /** Each face's 48×48 grey levels, in `faces`' order. */
      readonly pixels: Uint8Array[];
      /** Time on the thread, from the decoded photo to the last face's grey levels. */
      readonly seconds: number;
    }
  | { readonly type: 'error'; readonly id: number; readonly error: ThreadError };

export type FromDetector =
  { readonly type: 'ready' } | { readonly type: 'failed'; readonly reason: string } | DetectReply;

const port = parentPort!;
const send = (message: FromDetector, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const { bytes, intraOpThreads } = workerData as DetectorSetup;

try {
  const session = await createDetectorSession(bytes, intraOpThreads);
  // One photo at a time on the session (session.run computes on this thread, so a second would only
  // wait behind it); photos decode meanwhile, on libuv's threads, and join the queue once decoded.
  let queue: Promise<unknown> = Promise.resolve();
  const detect = async (job: DetectJob) => {
    const image = await decodeFile(job.file);
    const turn = queue.then(async () => {
      const started = performance.now();
      const found = await findFaces(session, image, job.file.field, job);
      return { ...found, seconds: (performance.now() - started) / 1000 };
    });
    queue = turn.catch(() => {});
    return { image, ...(await turn) };
  };
  port.on('message', (job: ToDetector) => {
    detect(job).then(
      ({ image, faces, pixels, seconds }) => {
        const { width, height } = image;
        send(
          { type: 'done', id: job.id, width, height, faces, pixels, seconds },
          pixels.flatMap(wholeBuffer),
        );
      },
      (error: unknown) => send({ type: 'error', id: job.id, error: toThreadError(error, ortReason) }),
    );
  });
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'failed', reason: error instanceof Error ? error.message : String(error) });
}
