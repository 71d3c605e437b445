/**
 * The face detector, on threads of its own (detector-worker.ts): onnxruntime-node's `session.run`
 * computes on the calling thread, and a 256×256 BlazeFace run plus the letterboxing and the faces'
 * reduction would hold the event loop for every other request. Each thread runs one photo at a time;
 * a photo goes to the thread with the fewest photos in hand (`--detector-threads`, one by default). Loaded at start from the file
 * `<models folder>/face-detector.json` names, its sha256 checked against it (detector-file.ts, as the
 * photo classifier opens it); a detector that is absent or cannot be loaded never stops
 * the server: `status` and `reason` say why, and `detect` refuses with DETECTOR_UNAVAILABLE. The
 * thread is handed the photo's file (moved, not copied) and decodes it itself, so that the decoded
 * pixels never cross a thread: sharp's buffer cannot be moved, and posting 48 MB of a 12-MP photo's
 * RGBA copied it in 25–35 ms of event-loop stall. A thread that dies fails the photos it held and is
 * replaced by the next photo sent its way.
 */
// Loaded by this thread before a detector thread loads it: sharp's native library must be (sharp's docs).
import 'sharp';
import { workerUrl } from '@facekit/core/node';
import type { PhotoFile } from './decode-file.js';
import { openDetector, type DetectorFile } from './detector-file.js';
import type { DetectReply, DetectorSetup, FromDetector, ToDetector } from './detector-worker.js';
import { ServeError } from './errors.js';
import type { DetectOptions, FoundFaces } from './face-finder.js';
import { wholeBuffer } from './pending-calls.js';
import { fromThreadError } from './thread-errors.js';
import { WorkerCalls } from './worker-calls.js';

/** loading (at start), ready, absent (no file: the server runs without detection) or failed. */
export type DetectorStatus = 'loading' | 'ready' | 'absent' | 'failed';

/** A photo's size (EXIF orientation applied) and its faces, best first, each with its 48×48 grey levels. */
export interface PhotoFaces extends FoundFaces {
  readonly width: number;
  readonly height: number;
  /** Time on the detector's thread, from the decoded photo to the last face's grey levels. */
  readonly seconds: number;
}

interface DetectorThread {
  detect(file: PhotoFile, options: DetectOptions): Promise<DetectReply>;
  close(): Promise<void>;
}

/** Starts a thread and waits for its session; `onDeath` hears of it if it dies later. */
async function startThread(setup: DetectorSetup, onDeath: () => void): Promise<DetectorThread> {
  const worker = new WorkerCalls<ToDetector, FromDetector>(workerUrl('detector-worker', import.meta.url), {
    name: "the face detector's thread",
    workerData: setup,
    unref: true,
    onDeath,
  });
  await worker.ready();
  return {
    detect: (file, { minScore, maxFaces, closeLook }) =>
      worker.call(
        (id) => ({ type: 'detect', id, file, minScore, maxFaces, closeLook }),
        wholeBuffer(file.bytes),
      ),
    close: () => worker.end(new Error('the face detector was closed')),
  };
}

export class FaceDetector {
  status: DetectorStatus = 'loading';
  /** Why the detector cannot be used (absent or failed), else undefined. */
  reason: string | undefined;
  /** The file, once read (also when it failed to load after that). */
  file: DetectorFile | undefined;
  private bytes: Uint8Array | undefined;
  /** Each slot's thread (started, starting, or none yet), and the photos it has in hand. */
  private threads: (Promise<DetectorThread> | undefined)[] = [undefined];
  private inHand: number[] = [0];
  /** Set by `close` (the server is stopping), also while `load` is still under way. */
  private closed = false;
  private intraOpThreads = 0;

  /** `dir`: the models folder. */
  constructor(readonly dir: string) {}

  /**
   * Reads, checks and starts the detector on `threads` threads, each with `intraOpThreads` onnxruntime
   * threads (0 lets it choose); never throws: `status` and `reason` tell how it went.
   */
  async load(intraOpThreads: number, threads = 1): Promise<void> {
    this.intraOpThreads = intraOpThreads;
    this.threads = Array.from({ length: threads }, () => undefined);
    this.inHand = this.threads.map(() => 0);
    const opening = await openDetector(this.dir, async (bytes, file) => {
      this.file = file;
      this.bytes = bytes;
      await Promise.all(this.threads.map((_, slot) => this.started(slot)));
    });
    this.file = opening.file;
    if (opening.status !== 'ready') {
      this.status = opening.status;
      this.reason = opening.reason;
      this.bytes = undefined;
    } else if (!this.closed) this.status = 'ready';
  }

  /**
   * The size of a photo and its faces, best first: its file (decode-image.ts's `decodePhoto`) is
   * handed to the thread, which decodes it; errors name `file.field`. Refused with DETECTOR_UNAVAILABLE
   * (503) when there is no usable detector, or its thread, lost, cannot be started again.
   */
  async detect(file: PhotoFile, options: DetectOptions): Promise<PhotoFaces> {
    const { field } = file;
    const unavailable = this.unavailable();
    if (unavailable) throw new ServeError('DETECTOR_UNAVAILABLE', field, unavailable, 503);
    // Counted as in hand from the choice on, so that photos sent together go to different threads.
    const slot = this.inHand.indexOf(Math.min(...this.inHand));
    this.inHand[slot]!++;
    try {
      let thread: DetectorThread;
      try {
        thread = await this.started(slot);
      } catch (error) {
        throw new ServeError(
          'DETECTOR_UNAVAILABLE',
          field,
          `the face detector's thread could not be started again (${(error as Error).message})`,
          503,
          { cause: error },
        );
      }
      const reply = await thread.detect(file, options);
      if (reply.type === 'error') throw fromThreadError(reply.error);
      const { width, height, faces, pixels, seconds } = reply;
      return { width, height, faces, pixels, seconds };
    } finally {
      this.inHand[slot]!--;
    }
  }

  /** Whether `close` was called: a load that ends after it leaves the detector unused, by design. */
  get stopped(): boolean {
    return this.closed;
  }

  /** Ends the threads; later photos are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const threads = this.threads;
    this.threads = threads.map(() => undefined);
    await Promise.all(threads.map(async (thread) => (await thread?.catch(() => undefined))?.close()));
  }

  /** Why photos cannot be searched now (stopping, still loading, absent or failed); undefined when they can. */
  unavailable(): string | undefined {
    if (this.closed) return 'the server is stopping';
    if (this.status === 'ready') return undefined;
    if (this.status === 'loading')
      return 'the face detector is still loading; retry when health.ready is true';
    return `no face detector is loaded: ${this.reason ?? this.status} (health.detector says why)`;
  }

  /** Slot `slot`'s running thread, or a new one (the first, or one replacing a thread that died). */
  private started(slot: number): Promise<DetectorThread> {
    if (this.closed) return Promise.reject(new Error('the face detector was closed'));
    const running = this.threads[slot];
    if (running) return running;
    const setup = { bytes: this.bytes!, intraOpThreads: this.intraOpThreads };
    const forget = () => {
      if (this.threads[slot] === thread) this.threads[slot] = undefined;
    };
    const thread: Promise<DetectorThread> = startThread(setup, forget);
    this.threads[slot] = thread;
    // A thread that could not start is not kept: the next photo sent its way tries again.
    thread.catch(forget);
    return thread;
  }
}
