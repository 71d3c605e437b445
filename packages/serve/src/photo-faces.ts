/**
 * The faces in a photo file, found in process: the models folder's face detector opened on first use
 * (detector-file.ts, as the server opens it) as a session on the calling thread, and each photo checked
 * by the server's `decodePhoto` (formats, limits, errors), decoded on the calling thread by the same
 * decode-file.ts and searched by face-finder.ts, the lines the detector thread runs. The photo
 * classifier (photo-classifier.ts) classifies what it finds; `pnpm evaluate --photos --detect` judges
 * the models on it. A detector that is absent or broken is refused with DETECTOR_UNAVAILABLE and the
 * reason the server's health.detector gives.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { DETECTION_DEFAULTS } from '@facekit/core';
import { decodeFile } from './decode-file.js';
import { decodePhoto, type ImageLimits } from './decode-image.js';
import { openDetector, type DetectorOpening } from './detector-file.js';
import { ServeError } from './errors.js';
import { createDetectorSession, findFaces, type DetectOptions, type FoundFaces } from './face-finder.js';

/** A photo's size (EXIF orientation applied) and its faces, best first, each with its 48×48 grey levels. */
export type FacesInPhotoFile = FoundFaces & { readonly width: number; readonly height: number };

/**
 * Refuses minScore outside (0, 1] and maxFaces that is not a whole number from 1 (to `maxBatchItems`, the
 * server's --max-batch-items, where there is one), INVALID_INPUT naming the option; classifyFaces'
 * arguments and the photo classifier's options alike.
 */
export function checkDetectOptions({ minScore, maxFaces }: DetectOptions, maxBatchItems?: number): void {
  if (!(minScore > 0 && minScore <= 1))
    throw new ServeError('INVALID_INPUT', 'minScore', `must be above 0 and at most 1, got ${minScore}`);
  if (!Number.isInteger(maxFaces) || maxFaces < 1 || maxFaces > (maxBatchItems ?? Infinity))
    throw new ServeError(
      'INVALID_INPUT',
      'maxFaces',
      maxBatchItems === undefined
        ? `must be a whole number ≥ 1, got ${maxFaces}`
        : `must be a whole number from 1 to ${maxBatchItems} (--max-batch-items), got ${maxFaces}`,
    );
}

export class PhotoFaceFinder {
  private detector: Promise<DetectorOpening<InferenceSession>> | undefined;
  private closed = false;

  constructor(
    /** The models folder holding face-detector.json. */
    readonly modelsDir: string,
    /** Largest photo file and image. */
    readonly limits: ImageLimits,
    /** onnxruntime intra-op threads; 0 lets it choose. */
    private readonly intraOpThreads = 0,
  ) {}

  /**
   * Why photos cannot be searched for faces (the detector is absent or broken, in the words of the
   * server's health.detector), else undefined; opens the detector the first time.
   */
  async unavailable(): Promise<string | undefined> {
    const opening = await this.open();
    return opening.status === 'ready' ? undefined : opening.reason;
  }

  /**
   * The faces in a photo file (PNG, JPEG or WebP bytes), best first; errors are the server's (codes and
   * reasons), naming `name`. Defaults as classifyFaces': DETECTION_DEFAULTS.
   */
  async find(
    bytes: Uint8Array,
    name: string,
    options: Partial<DetectOptions> = {},
  ): Promise<FacesInPhotoFile> {
    if (this.closed) throw new Error('the face finder is closed');
    const detection = {
      minScore: options.minScore ?? DETECTION_DEFAULTS.minScore,
      maxFaces: options.maxFaces ?? DETECTION_DEFAULTS.maxFaces,
      closeLook: options.closeLook ?? DETECTION_DEFAULTS.closeLook,
    };
    checkDetectOptions(detection);
    const opening = await this.open();
    if (opening.status !== 'ready')
      throw new ServeError(
        'DETECTOR_UNAVAILABLE',
        name,
        `no face detector is loaded: ${opening.reason}`,
        503,
      );
    return decodePhoto(bytes, name, this.limits, async (file) => {
      const image = await decodeFile(file);
      return {
        width: image.width,
        height: image.height,
        ...(await findFaces(opening.value, image, name, detection)),
      };
    });
  }

  /** Releases the detector's session; later photos are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const opening = await this.detector;
    if (opening?.status === 'ready') await opening.value.release();
  }

  /** The detector's session, opened on first use (never rejects: how it went is the answer). */
  private open(): Promise<DetectorOpening<InferenceSession>> {
    return (this.detector ??= openDetector(this.modelsDir, (bytes) =>
      createDetectorSession(bytes, this.intraOpThreads),
    ));
  }
}
