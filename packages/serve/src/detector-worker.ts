/**
 * The face detector's thread (see detector-thread.ts): creates the detector's onnxruntime session from
 * the file's bytes, warms it once and checks its outputs, says whether that worked, then answers each
 * photo it is sent with the faces found and each face's 48×48 grey levels — core's `detectorInput`,
 * the session, `readDetections` and `imageToPixels`, the same lines the web demo runs around the same
 * file. An InvalidImageError travels back as its reason.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import {
  DETECTOR_ANCHORS,
  DETECTOR_BOX_VALUES,
  DETECTOR_BOXES_NAME,
  DETECTOR_INPUT_NAME,
  DETECTOR_INPUT_SHAPE,
  DETECTOR_INPUT_VALUES,
  DETECTOR_SCORES_NAME,
  detectorInput,
  imageToPixels,
  InvalidImageError,
  readDetections,
  type DetectedFace,
} from '@facekit/core';
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

async function run(session: ort.InferenceSession, input: Float32Array) {
  const outputs = await session.run({
    [DETECTOR_INPUT_NAME]: new ort.Tensor('float32', input, DETECTOR_INPUT_SHAPE),
  });
  return { scores: outputs[DETECTOR_SCORES_NAME]!, boxes: outputs[DETECTOR_BOXES_NAME]! };
}

/** The session, checked: its input and outputs by name, and their shapes on one warm-up run. */
async function createSession(): Promise<ort.InferenceSession> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      ...(intraOpThreads > 0 ? { intraOpNumThreads: intraOpThreads } : {}),
      // As for the classifiers (onnx-providers.ts): idle threads must not spin on the request cores.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
  } catch (error) {
    throw new Error(`cannot create a session (${ortReason(error)})`, { cause: error });
  }
  const names = `inputs [${session.inputNames}] and outputs [${session.outputNames}]`;
  if (
    !session.inputNames.includes(DETECTOR_INPUT_NAME) ||
    !session.outputNames.includes(DETECTOR_SCORES_NAME) ||
    !session.outputNames.includes(DETECTOR_BOXES_NAME)
  ) {
    await session.release();
    throw new Error(
      `graph has ${names}; expected input "${DETECTOR_INPUT_NAME}" and outputs "${DETECTOR_SCORES_NAME}", "${DETECTOR_BOXES_NAME}"`,
    );
  }
  try {
    const { scores, boxes } = await run(session, new Float32Array(DETECTOR_INPUT_VALUES));
    if (scores.size !== DETECTOR_ANCHORS || boxes.size !== DETECTOR_ANCHORS * DETECTOR_BOX_VALUES)
      throw new Error(
        `outputs have shapes [${scores.dims}] and [${boxes.dims}], expected [1, ${DETECTOR_ANCHORS}] and [1, ${DETECTOR_ANCHORS}, ${DETECTOR_BOX_VALUES}]`,
      );
  } catch (error) {
    await session.release();
    throw error instanceof Error && error.message.startsWith('outputs have')
      ? error
      : new Error(`cannot run (${ortReason(error)})`, { cause: error });
  }
  return session;
}

async function detect(session: ort.InferenceSession, job: DetectJob): Promise<DetectReply> {
  const started = performance.now();
  const image = { width: job.width, height: job.height, data: job.data };
  const { data, frame } = detectorInput(image, job.field);
  const { scores, boxes } = await run(session, data);
  const faces = readDetections(scores.data as Float32Array, boxes.data as Float32Array, frame, {
    minScore: job.minScore,
    maxFaces: job.maxFaces,
  });
  const pixels = faces.map((face) => imageToPixels(image, job.field, face.crop));
  return { type: 'done', id: job.id, faces, pixels, seconds: (performance.now() - started) / 1000 };
}

try {
  const session = await createSession();
  // One photo at a time: session.run computes on this thread, so a second would only wait behind it.
  let queue: Promise<unknown> = Promise.resolve();
  port.on('message', (message: ToDetector) => {
    queue = queue.then(async () => {
      try {
        const reply = await detect(session, message);
        if (reply.type === 'done') send(reply, reply.pixels.flatMap(wholeBuffer));
      } catch (error) {
        const invalidImage = error instanceof InvalidImageError;
        const text = error instanceof Error ? error.message : String(error);
        // An InvalidImageError's message is "<field>: <reason>"; the main thread rebuilds it from the reason.
        const reason = invalidImage ? text.slice(message.field.length + 2) : ortReason(error);
        send({ type: 'error', id: message.id, reason, invalidImage });
      }
    });
  });
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'failed', reason: error instanceof Error ? error.message : String(error) });
}
