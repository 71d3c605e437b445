/**
 * The server's photo answers without a server: `openPhotoClassifier` binds the models as `pnpm serve`
 * does (the cuda → webgpu → cpu registry of onnx-providers.ts, `--ep`'s names and order), and
 * `classifyPhoto` takes a photo file's bytes through the server's own lines — decodePhoto (formats,
 * limits, errors), the face detector's lines (photo-faces.ts), the inference engine, face-answer.ts —
 * so it answers exactly what classifyFaces answers (or, with `detect: false`, what classify answers for
 * the crop or the centre square). For scripts and `pnpm classify`, where DeepFace users expect
 * `analyze(img_path)`. The detector is opened on first use, on this thread; one that is absent or
 * broken fails detection with the reason the server's health.detector gives, and `detect: false` still
 * works.
 */
import { centreSquare, isTask, TASKS, type FaceCrop, type Task } from '@facekit/core';
import { loadModels, type LoadedModel, type LoadedModels } from '@facekit/core/node';
import { decodePhoto, type ImageLimits } from './decode-image.js';
import { ServeError } from './errors.js';
import {
  answerFace,
  answerFoundFace,
  type FaceAnswer,
  type FaceSquare,
  type FoundFaceAnswer,
} from './face-answer.js';
import { InferenceEngine } from './inference.js';
import { onnxProviderRegistry } from './onnx-providers.js';
import { DEFAULT_MODELS, DEFAULT_OPTIONS } from './options.js';
import { PhotoFaceFinder } from './photo-faces.js';
import { pixelsOffThread } from './pixels-off-thread.js';
import type { ProviderAttempt } from './provider-registry.js';

export interface PhotoClassifierOptions {
  /** The models folder, or its manifest.json; default the shipped models (the repository's models/). */
  readonly models?: string;
  /** Execution providers to try, in order (cuda, webgpu, cpu); default all three, as `pnpm serve`. */
  readonly executionProviders?: readonly string[];
  /** Tasks to answer; default every task the manifest holds. */
  readonly tasks?: readonly Task[];
  /** onnxruntime intra-op threads per session; 0 (the default) lets it choose. */
  readonly intraOpThreads?: number;
  /** Largest photo file and image; default the server's (8 MiB, 4096 × 4096 pixels). */
  readonly limits?: ImageLimits;
}

export interface ClassifyPhotoOptions {
  /** What errors call the photo (a file's path); default "photo". */
  readonly name?: string;
  /** Find the faces with the detector (default), or classify one square: `crop`, else the centre one. */
  readonly detect?: boolean;
  /** Lowest detector score a face is kept at: above 0, at most 1; default DETECTION_DEFAULTS.minScore. */
  readonly minScore?: number;
  /** Most faces answered, best first; default DETECTION_DEFAULTS.maxFaces. */
  readonly maxFaces?: number;
  /**
   * Also search a photo larger than 256 px in tiles, for faces too small for the whole-photo look
   * (core's CLOSE_LOOK: up to four tiles, those where the whole photo hints at a small face); default
   * DETECTION_DEFAULTS.closeLook (on). Off: one or two detector runs a photo, and no more.
   */
  readonly closeLook?: boolean;
  /** With `detect: false`: the square holding the face, as classify's `crop`. */
  readonly crop?: FaceCrop;
}

/** A face's answer with the 48×48 grey levels the models saw (classify's `inputPixels`). */
export type PhotoClassification = FaceAnswer & { readonly inputPixels: Uint8Array };

/** A face found by the detector, as classifyFaces answers it. */
export type FoundFace = FoundFaceAnswer<PhotoClassification>;

/** The square classified without the detector, and its answer (as classify answers it). */
export interface SquareFace {
  readonly crop: FaceSquare;
  readonly classification: PhotoClassification;
}

/** A photo's size (EXIF orientation applied) and its faces, best first; none when there are none. */
export interface PhotoAnswer<F = FoundFace | SquareFace> {
  readonly width: number;
  readonly height: number;
  readonly faces: F[];
}

export class PhotoClassifier {
  private readonly byTask: ReadonlyMap<Task, LoadedModel>;
  /** Set by close(): its ending, which every later close() waits for too. */
  private closing: Promise<void> | undefined;
  /** Photos being answered, which close() lets finish before it releases what they run on. */
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    readonly models: LoadedModels,
    private readonly engine: InferenceEngine,
    /** Every provider considered, and how it went (the chosen one, those skipped or failed and why). */
    readonly attempts: readonly ProviderAttempt[],
    /** The models folder's face detector. */
    private readonly faceFinder: PhotoFaceFinder,
  ) {
    this.byTask = new Map(models.models.map((m) => [m.task, m]));
  }

  /** The execution provider the models run on. */
  get provider(): string {
    return this.engine.provider;
  }

  /** The tasks answered, in the canonical order. */
  get tasks(): Task[] {
    return this.engine.tasks;
  }

  /**
   * Why photos cannot be searched for faces (the models folder's detector is absent or broken, in the
   * words of the server's health.detector), else undefined; opens the detector the first time.
   */
  detectorUnavailable(): Promise<string | undefined> {
    return this.faceFinder.unavailable();
  }

  /** Largest photo file and image. */
  get limits(): ImageLimits {
    return this.faceFinder.limits;
  }

  /**
   * A photo file's faces (PNG, JPEG or WebP bytes), found by the detector and classified, as
   * classifyFaces answers them; with `detect: false`, the one face in `crop` or the centre square, as
   * classify answers it. Errors are the server's (codes and reasons), naming `name`.
   */
  classifyPhoto(
    bytes: Uint8Array,
    options?: ClassifyPhotoOptions & { detect?: true },
  ): Promise<PhotoAnswer<FoundFace>>;
  classifyPhoto(
    bytes: Uint8Array,
    options: ClassifyPhotoOptions & { detect: false },
  ): Promise<PhotoAnswer<SquareFace>>;
  classifyPhoto(bytes: Uint8Array, options?: ClassifyPhotoOptions): Promise<PhotoAnswer>;
  async classifyPhoto(bytes: Uint8Array, options: ClassifyPhotoOptions = {}): Promise<PhotoAnswer> {
    if (this.closing) throw new Error('the photo classifier is closed');
    const answer = this.answer(bytes, options);
    this.running.add(answer);
    try {
      return await answer;
    } finally {
      this.running.delete(answer);
    }
  }

  /**
   * Refuses later photos, lets those being answered finish (each with its answer or its own error), then
   * ends the models' thread and the detector's session.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.running]);
      await this.engine.idle();
      await this.engine.bound.release();
      await this.faceFinder.close();
    })();
    return this.closing;
  }

  private async answer(bytes: Uint8Array, options: ClassifyPhotoOptions): Promise<PhotoAnswer> {
    const { name = 'photo', detect = true } = options;
    if (!detect) return this.classifySquare(bytes, name, options.crop);
    if (options.crop)
      throw new ServeError(
        'INVALID_INPUT',
        'crop',
        'applies only with detect: false (the detector finds the squares)',
      );
    const found = await this.faceFinder.find(bytes, name, options);
    const answers = await this.classify(found.pixels, 'detected');
    return {
      width: found.width,
      height: found.height,
      faces: found.faces.map((face, i) => answerFoundFace(face, answers[i]!)),
    };
  }

  private async classifySquare(
    bytes: Uint8Array,
    name: string,
    crop: FaceCrop | undefined,
  ): Promise<PhotoAnswer<SquareFace>> {
    const { width, height, pixels } = await decodePhoto(bytes, name, this.limits, (file) =>
      // Errors read 'photo.jpg: crop: …', which pnpm classify prints after the file's name unrepeated.
      pixelsOffThread(file, crop, `${name}: crop`),
    );
    const { x, y, size, angle } = crop ?? centreSquare(width, height);
    const [classification] = await this.classify([pixels], 'image');
    return {
      width,
      height,
      faces: [{ crop: { x, y, size, angle: angle ?? null }, classification: classification! }],
    };
  }

  /** The faces' answers, from one run for all of them (as the server runs a photo's faces). */
  private async classify(faces: readonly Uint8Array[], source: string): Promise<PhotoClassification[]> {
    const tasks = this.engine.tasks;
    const results = await Promise.all(this.engine.classifyAll(faces.map((pixels) => ({ pixels, tasks }))));
    return results.map((result, i) => ({
      ...answerFace(result, this.byTask, this.engine.provider, source),
      inputPixels: faces[i]!,
    }));
  }
}

/**
 * What is wrong with `tasks` as openPhotoClassifier (and pnpm classify's --tasks) takes it: a task it
 * does not know, or none at all; undefined when nothing is.
 */
export function tasksProblem(tasks: readonly string[]): string | undefined {
  const unknown = tasks.filter((t) => !isTask(t));
  if (unknown.length > 0)
    return `unknown task ${unknown.map((t) => JSON.stringify(t)).join(', ')}; known: ${TASKS.join(', ')}`;
  if (tasks.length === 0) return 'names no task; leave it out for every task the models hold';
  return undefined;
}

/**
 * Reads and checks the models (as `pnpm serve` does: manifest, sizes, sha256s) and binds them to the
 * first execution provider that can run them; throws naming the file at fault, or every provider's
 * failure. Close it when done: its models run on a thread of their own.
 */
export async function openPhotoClassifier(options: PhotoClassifierOptions = {}): Promise<PhotoClassifier> {
  const { tasks, executionProviders: eps = [], intraOpThreads = 0 } = options;
  const problem = tasks && tasksProblem(tasks);
  if (problem) throw new ServeError('INVALID_INPUT', 'tasks', problem);
  const models = await loadModels(options.models ?? DEFAULT_MODELS, tasks ? { tasks } : {});
  const registry = onnxProviderRegistry(
    models.models,
    { intraOpThreads, warmBatchSizes: [1] },
    { cpuFallback: eps.length === 0 || eps.includes('cpu') },
  );
  const choice = await registry.resolve(eps);
  // As the server batches (a photo's faces in one run): only the faces already asked for, no waiting.
  const engine = new InferenceEngine(choice.value, {
    maxBatchSize: DEFAULT_OPTIONS.maxBatchSize,
    maxWaitMs: 0,
  });
  const { maxImageBytes, maxImagePixels } = options.limits ?? DEFAULT_OPTIONS;
  const faceFinder = new PhotoFaceFinder(models.dir, { maxImageBytes, maxImagePixels }, intraOpThreads);
  return new PhotoClassifier(models, engine, choice.attempts, faceFinder);
}
