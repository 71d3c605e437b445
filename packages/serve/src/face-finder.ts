/**
 * Finding the faces in a decoded photo with the face detector's onnxruntime session: core's
 * `detectFaces` around the session, then `imageToPixels` — the same lines the web demo runs
 * around the same file. Its own module so that the server's detector thread (detector-worker.ts) and the
 * in-process face finder (photo-faces.ts: the photo classifier, pnpm evaluate --detect) run the very
 * same code and give the same faces.
 * Always on the CPU provider: the detector is one 256×256 run a photo.
 */
import * as ort from 'onnxruntime-node';
import {
  DETECTOR_ANCHORS,
  DETECTOR_BOX_VALUES,
  DETECTOR_BOXES_NAME,
  DETECTOR_INPUT_NAME,
  DETECTOR_INPUT_SHAPE,
  DETECTOR_INPUT_VALUES,
  DETECTOR_SCORES_NAME,
  detectFaces,
  imageToPixels,
  type DetectedFace,
  type RgbaImage,
} from '@facekit/core';
import { ortReason } from './ort-reason.js';

export interface DetectOptions {
  readonly minScore: number;
  readonly maxFaces: number;
  /** Also search a photo larger than the detector's input in tiles, for small faces (core's CLOSE_LOOK). */
  readonly closeLook: boolean;
}

/** The faces of one photo, best first, each with its 48×48 grey levels. */
export interface FoundFaces {
  readonly faces: DetectedFace[];
  /** Each face's 48×48 grey levels, in `faces`' order. */
  readonly pixels: Uint8Array[];
}

async function run(session: ort.InferenceSession, input: Float32Array) {
  const outputs = await session.run({
    [DETECTOR_INPUT_NAME]: new ort.Tensor('float32', input, DETECTOR_INPUT_SHAPE),
  });
  return { scores: outputs[DETECTOR_SCORES_NAME]!, boxes: outputs[DETECTOR_BOXES_NAME]! };
}

/**
 * The detector's session from the ONNX file's bytes, with `intraOpThreads` onnxruntime threads (0 lets
 * it choose), checked: its input and outputs by name, and their shapes on one warm-up run.
 */
export async function createDetectorSession(
  bytes: Uint8Array,
  intraOpThreads: number,
): Promise<ort.InferenceSession> {
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

/**
 * The faces in `image`, best first, each with its square's 48×48 grey levels; a bad image is an
 * InvalidImageError naming `field`.
 */
export async function findFaces(
  session: ort.InferenceSession,
  image: RgbaImage,
  field: string,
  { minScore, maxFaces, closeLook }: DetectOptions,
): Promise<FoundFaces> {
  const faces = await detectFaces(
    image,
    async (input) => {
      const { scores, boxes } = await run(session, input);
      return { scores: scores.data as Float32Array, boxes: boxes.data as Float32Array };
    },
    { minScore, maxFaces, closeLook },
    field,
  );
  return { faces, pixels: faces.map((face) => imageToPixels(image, field, face.crop)) };
}
