/**
 * The face detector, on a thread of its own (detector-worker.ts): onnxruntime-node's `session.run`
 * computes on the calling thread, and a 256×256 BlazeFace run plus the letterboxing and the faces'
 * reduction would hold the event loop for every other request. Loaded at start from the file
 * `<models folder>/face-detector.json` names, its sha256 checked against it (as the web demo does); a
 * detector that is absent or cannot be loaded never stops
 * the server: `status` and `reason` say why, and `detect` refuses with DETECTOR_UNAVAILABLE. The
 * decoded photo is handed to the thread, not copied. A thread that dies fails the photos it held and is
 * replaced by the next photo's.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DETECTOR_INFO_FILE, InvalidImageError, parseDetectorInfo, type DetectedFace } from '@facekit/core';
import { sha256OfBytes, workerUrl } from '@facekit/core/node';
import type { DecodedPhoto } from './decode-image.js';
import type { DetectReply, DetectorSetup, FromDetector, ToDetector } from './detector-worker.js';
import { ServeError } from './errors.js';
import { PendingCalls, wholeBuffer } from './pending-calls.js';

/** classifyFaces' defaults: the lowest score a face is kept at, and the most faces answered. */
export const DEFAULT_MIN_SCORE = 0.5;
export const DEFAULT_MAX_FACES = 10;

/** loading (at start), ready, absent (no file: the server runs without detection) or failed. */
export type DetectorStatus = 'loading' | 'ready' | 'absent' | 'failed';

/** The detector's file, as face-detector.json describes it and as read at start. */
export interface DetectorFile {
  /** Its path. */
  readonly path: string;
  /** Its name in the models folder. */
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  /** Where its weights came from: package@version. */
  readonly source: string;
  readonly licence: readonly string[];
}

/** The faces of one photo, best first, each with its 48×48 grey levels. */
export interface PhotoFaces {
  readonly faces: DetectedFace[];
  readonly pixels: Uint8Array[];
  /** Time on the detector's thread. */
  readonly seconds: number;
}

export interface DetectOptions {
  readonly minScore: number;
  readonly maxFaces: number;
}

interface DetectorThread {
  detect(photo: DecodedPhoto, field: string, options: DetectOptions): Promise<DetectReply>;
  close(): Promise<void>;
}

/** Starts a thread and waits for its session; `onDeath` hears of it if it dies later. */
async function startThread(setup: DetectorSetup, onDeath: () => void): Promise<DetectorThread> {
  const worker = new Worker(workerUrl('detector-worker', import.meta.url), { workerData: setup });
  worker.unref();
  const calls = new PendingCalls<DetectReply>();
  let started: (failure: Error | undefined) => void = () => {};
  const starting = new Promise<Error | undefined>((resolve) => (started = resolve));
  const die = (error: Error) => {
    if (calls.failed) return;
    calls.failAll(error);
    started(error);
    onDeath();
  };
  worker.on('message', (message: FromDetector) => {
    if (message.type === 'ready') return started(undefined);
    if (message.type === 'failed') return started(new Error(message.reason));
    calls.settle(message.id, message);
  });
  worker.on('error', (error) => die(new Error(`the face detector's thread failed: ${error.message}`)));
  worker.on('exit', (code) => die(new Error(`the face detector's thread exited with code ${code}`)));
  const failure = await starting;
  if (failure) {
    calls.failAll(failure);
    await worker.terminate();
    throw failure;
  }
  return {
    detect: (photo, field, { minScore, maxFaces }) =>
      calls.add((id) => {
        const job: ToDetector = {
          type: 'detect',
          id,
          field,
          width: photo.width,
          height: photo.height,
          data: photo.data,
          minScore,
          maxFaces,
        };
        worker.postMessage(job, wholeBuffer(photo.data));
      }),
    close: async () => {
      calls.failAll(new Error('the face detector was closed'));
      await worker.terminate();
    },
  };
}

export class FaceDetector {
  status: DetectorStatus = 'loading';
  /** Why the detector cannot be used (absent or failed), else undefined. */
  reason: string | undefined;
  /** The file, once read (also when it failed to load after that). */
  file: DetectorFile | undefined;
  private bytes: Uint8Array | undefined;
  private thread: Promise<DetectorThread> | undefined;
  private closed = false;
  private intraOpThreads = 0;

  /** `dir`: the models folder. */
  constructor(readonly dir: string) {}

  /**
   * Reads, checks and starts the detector with `intraOpThreads` onnxruntime threads (0 lets it
   * choose); never throws: `status` and `reason` tell how it went.
   */
  async load(intraOpThreads: number): Promise<void> {
    this.intraOpThreads = intraOpThreads;
    const infoPath = path.join(this.dir, DETECTOR_INFO_FILE);
    if (!existsSync(infoPath)) {
      this.status = 'absent';
      this.reason = `no ${DETECTOR_INFO_FILE} in ${this.dir} (pnpm export:detector writes it and the detector)`;
      return;
    }
    let at = infoPath;
    try {
      const info = parseDetectorInfo(await readFile(infoPath, 'utf8'));
      at = path.join(this.dir, info.file);
      const bytes = new Uint8Array(await readFile(at));
      const sha256 = sha256OfBytes(bytes);
      this.file = {
        path: at,
        file: info.file,
        sha256,
        bytes: bytes.length,
        source: `${info.source.package}@${info.source.version}`,
        licence: info.licence,
      };
      if (sha256 !== info.sha256) {
        throw new Error(
          `sha256 is ${sha256}, ${DETECTOR_INFO_FILE} says ${info.sha256} — the file is corrupt or not the one exported`,
        );
      }
      this.bytes = bytes;
      await this.started();
      if (this.closed) return;
      this.status = 'ready';
    } catch (error) {
      const message = (error as Error).message;
      this.status = 'failed';
      // Said of the file at fault: face-detector.json's own errors name it; the others, the file being read.
      this.reason = message.startsWith(DETECTOR_INFO_FILE)
        ? path.join(this.dir, message)
        : `${at}: ${message}`;
      this.bytes = undefined;
    }
  }

  /**
   * The faces in a decoded photo (its pixels are handed to the thread), best first; errors name
   * `field`. Refused with DETECTOR_UNAVAILABLE (503) when there is no usable detector, or its thread,
   * lost, cannot be started again.
   */
  async detect(photo: DecodedPhoto, field: string, options: DetectOptions): Promise<PhotoFaces> {
    const unavailable = this.unavailable();
    if (unavailable) throw new ServeError('DETECTOR_UNAVAILABLE', field, unavailable, 503);
    let thread: DetectorThread;
    try {
      thread = await this.started();
    } catch (error) {
      throw new ServeError(
        'DETECTOR_UNAVAILABLE',
        field,
        `the face detector's thread could not be started again (${(error as Error).message})`,
        503,
        { cause: error },
      );
    }
    const reply = await thread.detect(photo, field, options);
    if (reply.type === 'done') return { faces: reply.faces, pixels: reply.pixels, seconds: reply.seconds };
    throw reply.invalidImage ? new InvalidImageError(field, reply.reason) : new Error(reply.reason);
  }

  /** Ends the thread; later photos are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    this.thread = undefined;
    await (await thread?.catch(() => undefined))?.close();
  }

  /** Why photos cannot be searched now (stopping, still loading, absent or failed); undefined when they can. */
  unavailable(): string | undefined {
    if (this.closed) return 'the server is stopping';
    if (this.status === 'ready') return undefined;
    if (this.status === 'loading')
      return 'the face detector is still loading; retry when health.ready is true';
    return `no face detector is loaded: ${this.reason ?? this.status} (health.detector says why)`;
  }

  /** The running thread, or a new one (the first, or one replacing a thread that died). */
  private started(): Promise<DetectorThread> {
    if (this.closed) return Promise.reject(new Error('the face detector was closed'));
    if (this.thread) return this.thread;
    const setup = { bytes: this.bytes!, intraOpThreads: this.intraOpThreads };
    const thread: Promise<DetectorThread> = startThread(setup, () => {
      if (this.thread === thread) this.thread = undefined;
    });
    this.thread = thread;
    // A thread that could not start is not kept: the next photo tries again.
    thread.catch(() => {
      if (this.thread === thread) this.thread = undefined;
    });
    return thread;
  }
}
