/**
 * Exported models judged on a labelled CSV of one's own (faces the models never saw, say): every face
 * through the ONNX files in onnxruntime-node, as the server runs them, and per task the figures the
 * model card gives for the test part — accuracy, macro-F1, confusion, per-group accuracy, calibration —
 * computed by the same code (train's computeTaskMetrics).
 */
import * as ort from 'onnxruntime-node';
import {
  ageToGroup,
  inputShape,
  PIXEL_COUNT,
  taskLabels,
  writeModelInput,
  type Manifest,
  type Task,
} from '@facekit/core';
import { loadModels, modelFiles } from '@facekit/core/node';
import {
  computeTaskMetrics,
  facePixels,
  loadCsv,
  meanCrossEntropy,
  skippedReasons,
  taskTargets,
  type SkippedRows,
  type TaskMetrics,
} from '@facekit/train';

export interface EvaluationOptions {
  readonly modelsDir: string;
  readonly dataPath: string;
  /** Skip rows that fail validation (and count them) instead of stopping at the first. */
  readonly skipInvalid?: boolean;
  readonly log?: (line: string) => void;
}

export interface Evaluation {
  readonly modelsDir: string;
  readonly manifest: Manifest;
  readonly dataPath: string;
  readonly dataSha256: string;
  readonly faces: number;
  readonly skipped: SkippedRows;
  /**
   * The tasks whose models were trained on this very file (by sha256): their figures include training
   * faces. A part of that file (its test rows, say) is a file of its own, and not flagged.
   */
  readonly trainedOnThisFile: readonly Task[];
  readonly metrics: Partial<Record<Task, TaskMetrics>>;
}

const BATCH = 256;

export async function evaluateModels(options: EvaluationOptions): Promise<Evaluation> {
  const log = options.log ?? (() => {});
  const loaded = await loadModels(options.modelsDir);
  const { manifest } = loaded;
  log(`reading ${options.dataPath}`);
  const csv = await loadCsv(options.dataPath, { skipInvalid: options.skipInvalid ?? false });
  const { dataset } = csv;
  if (csv.skipped.count > 0) {
    log(`${csv.skipped.count} invalid rows skipped (${skippedReasons(csv.skipped)}), judged on none of them`);
    for (const example of csv.skipped.examples) log(`  skipped ${example}`);
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
  for (const { task, entry } of loaded.models) {
    const truth = taskTargets(dataset, task, grouping);
    const p = probabilities.get(task)!;
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
    dataPath: options.dataPath,
    dataSha256: csv.sha256,
    faces: dataset.size,
    skipped: csv.skipped,
    trainedOnThisFile: loaded.models
      .filter((m) => m.entry.training.dataSha256 === csv.sha256)
      .map((m) => m.task),
    metrics,
  };
}
