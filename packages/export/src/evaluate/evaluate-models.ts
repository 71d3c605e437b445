/**
 * Exported models judged on labelled faces of one's own (faces the models never saw, say) — the rows of
 * a CSV in the Kaggle layout, or a folder of photos labelled by their names as UTKFace names its faces
 * (load-photos.ts), both loaded into one dataset: every face through the ONNX files in
 * onnxruntime-node, as the server runs them, and per task the figures the model card gives for the
 * test part — accuracy, macro-F1, confusion, per-group accuracy, calibration — computed by the same code
 * (train's computeTaskMetrics).
 */
import * as ort from 'onnxruntime-node';
import {
  ageToGroup,
  FaceKitError,
  inputShape,
  PIXEL_COUNT,
  taskLabels,
  writeModelInput,
  type Manifest,
  type Task,
} from '@facekit/core';
import { ignoredEntries, loadModels, modelFiles } from '@facekit/core/node';
import { PhotoFaceFinder } from '@facekit/serve';
import {
  computeTaskMetrics,
  facePixels,
  loadCsv,
  meanCrossEntropy,
  skippedReasons,
  taskTargets,
  type FaceDataset,
  type SkippedRows,
  type TaskMetrics,
} from '@facekit/train';
import { loadPhotos, PHOTO_LIMITS, type LoadPhotosOptions } from './load-photos.js';

/**
 * Where the labelled faces are: a CSV (`dataPath`) or a folder of photos (`photosDir`), not both; of a
 * photo, the centre square is judged, or with `detect` the square the face detector puts on its best face
 * (its close look for small faces on unless `closeLook` is false, as classifyFaces').
 */
export type FaceSource =
  | {
      readonly dataPath: string;
      readonly photosDir?: never;
      readonly detect?: never;
      readonly closeLook?: never;
    }
  | {
      readonly photosDir: string;
      readonly dataPath?: never;
      readonly detect?: boolean;
      readonly closeLook?: boolean;
    };

export type EvaluationOptions = FaceSource & {
  readonly modelsDir: string;
  /** Skip rows (photos) that fail validation (and count them) instead of stopping at the first. */
  readonly skipInvalid?: boolean;
  readonly log?: (line: string) => void;
};

export interface Evaluation {
  readonly modelsDir: string;
  readonly manifest: Manifest;
  /** What the faces were: a CSV's rows, or photos labelled by their names. */
  readonly dataKind: 'csv' | 'photos';
  /** Of each photo, the square the face detector put on its best face (else the centre square). */
  readonly detected: boolean;
  /** Whether the detector also took its close look (tiles, for small faces); false when not detected. */
  readonly closeLook: boolean;
  /** The CSV, or the photos' folder. */
  readonly dataPath: string;
  /** The CSV's sha256; for photos, that of their sha256sum lines in name order. */
  readonly dataSha256: string;
  readonly faces: number;
  readonly skipped: SkippedRows;
  /**
   * The tasks whose models were trained on this very file (by sha256): their figures include training
   * faces. A part of that file (its test rows, say) is a file of its own, and not flagged. Null for
   * photos: whether they include training faces cannot be told, as the manifest knows the training
   * data only by its CSV's sha256.
   */
  readonly trainedOnThisFile: readonly Task[] | null;
  readonly metrics: Partial<Record<Task, TaskMetrics>>;
  /** Each face's answers, in the data's order (for `--answers`; left out of `--json`). */
  readonly answers: FaceAnswers;
}

/** Per face judged: what it is called, and per task its true class and the model's probabilities. */
export interface FaceAnswers {
  /** A photo's file name, or a CSV row's line (`line 12`). */
  readonly faces: readonly string[];
  readonly tasks: Partial<
    Record<
      Task,
      { readonly labels: readonly string[]; readonly truth: Uint8Array; readonly probabilities: Float32Array }
    >
  >;
}

/** The faces to judge, loaded from either source into the one dataset shape. */
interface LabelledFaces {
  readonly kind: Evaluation['dataKind'];
  readonly path: string;
  readonly sha256: string;
  readonly dataset: FaceDataset;
  /** Photos only: the folder's photos' names, which `dataset.line` counts in. */
  readonly names?: readonly string[];
  readonly skipped: SkippedRows;
}

async function loadFaces(
  options: EvaluationOptions,
  modelsDir: string,
  log: (line: string) => void,
): Promise<LabelledFaces> {
  const skipInvalid = options.skipInvalid ?? false;
  if (options.photosDir === undefined) {
    log(`reading ${options.dataPath}`);
    return { kind: 'csv', ...(await loadCsv(options.dataPath, { skipInvalid })) };
  }
  const faceFinder = options.detect ? new PhotoFaceFinder(modelsDir, PHOTO_LIMITS) : undefined;
  try {
    const unavailable = await faceFinder?.unavailable();
    if (unavailable !== undefined)
      throw new FaceKitError('MODEL_LOAD_FAILED', `--detect needs the face detector: ${unavailable}`);
    log(`reading the photos in ${options.photosDir}${faceFinder ? ', each searched for its face' : ''}`);
    const { closeLook } = options;
    return await readPhotos(options.photosDir, { skipInvalid, log, faceFinder, closeLook });
  } finally {
    await faceFinder?.close();
  }
}

async function readPhotos(dir: string, options: LoadPhotosOptions): Promise<LabelledFaces> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const photos = await loadPhotos(dir, options);
  const read = photos.dataset.size + photos.skipped.count;
  log(`  ${read} photos read in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const ignored = ignoredEntries(photos.ignored);
  if (ignored) log(`  ignored: ${ignored}`);
  return { kind: 'photos', ...photos };
}

const BATCH = 256;

export async function evaluateModels(options: EvaluationOptions): Promise<Evaluation> {
  const log = options.log ?? (() => {});
  const loaded = await loadModels(options.modelsDir);
  const { manifest } = loaded;
  const faces = await loadFaces(options, loaded.dir, log);
  const { dataset, skipped } = faces;
  if (skipped.count > 0) {
    const reasons = skippedReasons(skipped);
    log(
      faces.kind === 'csv'
        ? `${skipped.count} invalid row${skipped.count === 1 ? '' : 's'} skipped (${reasons}), judged on none of them`
        : `${skipped.count} photo${skipped.count === 1 ? '' : 's'} not judged (${reasons})`,
    );
    for (const example of skipped.examples) log(`  skipped ${example}`);
  }
  const grouping = manifest.models.age?.ageGrouping ?? 'six';
  const probabilities = new Map<Task, Float32Array>();
  const input = new Float32Array(BATCH * PIXEL_COUNT);
  for (const file of modelFiles(loaded.models)) {
    log(`${file.models.map((m) => m.task).join(', ')}: ${dataset.size} faces through ${file.path}`);
    const session = await ort.InferenceSession.create(file.bytes);
    try {
      for (const m of file.models)
        probabilities.set(m.task, new Float32Array(dataset.size * m.entry.labels.length));
      for (let start = 0; start < dataset.size; start += BATCH) {
        const count = Math.min(BATCH, dataset.size - start);
        for (let i = 0; i < count; i++) writeModelInput(facePixels(dataset, start + i), input, i);
        const feed = new ort.Tensor('float32', input.subarray(0, count * PIXEL_COUNT), inputShape(count));
        const out = await session.run({ [session.inputNames[0]!]: feed });
        for (const m of file.models)
          probabilities
            .get(m.task)!
            .set(out[m.entry.output.name]!.data as Float32Array, start * m.entry.labels.length);
      }
    } finally {
      await session.release();
    }
  }
  const demographics = {
    ethnicity: dataset.ethnicity,
    gender: dataset.gender,
    ageGroup: Uint8Array.from(dataset.age, (a) => ageToGroup(a, grouping)),
    ageLabels: taskLabels('age', grouping),
  };
  const metrics: Partial<Record<Task, TaskMetrics>> = {};
  const answers: FaceAnswers = {
    faces: Array.from(dataset.line, (line) => (faces.names ? faces.names[line - 1]! : `line ${line}`)),
    tasks: {},
  };
  for (const { task, entry } of loaded.models) {
    const truth = taskTargets(dataset, task, grouping);
    const p = probabilities.get(task)!;
    answers.tasks[task] = { labels: entry.labels, truth, probabilities: p };
    metrics[task] = computeTaskMetrics({
      task,
      labels: entry.labels,
      truth,
      probabilities: p,
      loss: meanCrossEntropy(p, entry.labels.length, truth),
      demographics,
    });
  }
  return {
    modelsDir: loaded.dir,
    manifest,
    dataKind: faces.kind,
    detected: options.detect === true,
    closeLook: options.detect === true && options.closeLook !== false,
    dataPath: faces.path,
    dataSha256: faces.sha256,
    faces: dataset.size,
    skipped,
    trainedOnThisFile:
      faces.kind === 'photos'
        ? null
        : loaded.models.filter((m) => m.entry.training.dataSha256 === faces.sha256).map((m) => m.task),
    metrics,
    answers,
  };
}
