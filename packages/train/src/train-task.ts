/**
 * Fitting one task's network: seeded per-epoch shuffles (and augmentation draws), one tensor per batch,
 * the preset's learning-rate schedule and target shaping, a progress line, validation after each
 * epoch, early stopping on validation loss, and a checkpoint (model, optimizer state, history) after
 * each epoch so an interrupted run resumes exactly where its last finished epoch left off.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { AgeGrouping, Task } from '@facekit/core';
import { createBatchTrainer } from './backends/index.js';
import { Augmenter } from './data/augment.js';
import { BatchFeeder, classWeights, isBinaryHead, type TargetShaping } from './data/batches.js';
import type { FaceDataset } from './data/dataset.js';
import { seededRandom, shuffleInPlace } from './data/random.js';
import type { DataSplit } from './data/split.js';
import { predict } from './evaluate.js';
import { loadLayersModel, saveLayersModel } from './model-io.js';
import type { Preset } from './presets.js';
import { ProgressBar } from './progress.js';
import { epochsSinceBest, setLearningRate } from './fit-control.js';
import { learningRateFactor } from './schedule.js';
import type { EpochRecord } from './report/metrics-types.js';

const CHECKPOINT_STATE = 'state.json';

export interface TrainTaskOptions {
  readonly task: Task;
  readonly preset: Preset;
  readonly dataset: FaceDataset;
  readonly targets: Uint8Array;
  readonly split: DataSplit;
  readonly grouping: AgeGrouping;
  readonly epochs: number;
  readonly seed: number;
  readonly checkpointDir: string;
  readonly resume: boolean;
  /** Checked between batches: true stops after the last finished epoch's checkpoint. */
  readonly shouldStop: () => boolean;
  readonly progress?: ProgressBar;
  /** Training threads on CPU backends (default: as many as pay off; see createBatchTrainer). */
  readonly threads?: number;
  readonly log?: (line: string) => void;
}

export interface TrainTaskResult {
  readonly model: tf.LayersModel;
  readonly history: EpochRecord[];
  /** The epoch whose weights the model holds: the best on validation loss, else the last. */
  readonly bestEpoch: number;
  readonly feeder: BatchFeeder;
  readonly interrupted: boolean;
}

async function startingPoint(
  options: TrainTaskOptions,
): Promise<{ model: tf.LayersModel; history: EpochRecord[] }> {
  const statePath = join(options.checkpointDir, CHECKPOINT_STATE);
  if (options.resume && existsSync(statePath)) {
    const state = JSON.parse(await readFile(statePath, 'utf8')) as { history: EpochRecord[] };
    // The checkpoint carries the compiled training config and the optimizer's moments.
    return { model: await loadLayersModel(options.checkpointDir), history: state.history };
  }
  const model = options.preset.build(options.task, options.grouping, options.seed);
  const fit = options.preset.fit(options.task);
  model.compile({
    optimizer: tf.train.adam(fit.learningRate),
    loss: isBinaryHead(model) ? 'binaryCrossentropy' : 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return { model, history: [] };
}

export async function trainTask(options: TrainTaskOptions): Promise<TrainTaskResult> {
  const { task, split, epochs } = options;
  const { model, history } = await startingPoint(options);
  const fit = options.preset.fit(task);
  const { batchSize } = fit;
  const binary = isBinaryHead(model);
  const classes = binary ? 1 : model.outputs[0]!.shape[1]!;
  const feeder = new BatchFeeder(options.dataset, options.targets, classes, binary, Math.max(batchSize, 256));
  const shaping: TargetShaping = {
    ...(fit.labelSmoothing ? { smoothing: fit.labelSmoothing } : {}),
    ...(fit.classWeightPower !== undefined && !binary
      ? { classWeights: classWeights(options.targets, split.train, classes, fit.classWeightPower) }
      : {}),
  };
  const progress = options.progress ?? new ProgressBar();
  const order = Uint32Array.from(split.train);
  const trainer = await createBatchTrainer(model, {
    maxBatch: batchSize,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.log ? { log: options.log } : {}),
  });
  try {
    const interrupted = await fitEpochs();
    const bestEpoch = interrupted ? history.length : await restoreBest(model, history, options.checkpointDir);
    return { model, history, feeder, interrupted, bestEpoch };
  } finally {
    await trainer.dispose();
  }

  async function fitEpochs(): Promise<boolean> {
    for (let epoch = history.length + 1; epoch <= epochs; epoch++) {
      if (fit.patience !== undefined && epochsSinceBest(history) >= fit.patience) {
        options.log?.(`${task}: early stop, no lower validation loss in ${fit.patience} epochs`);
        break;
      }
      // The order and augmentation depend only on (seed, epoch): a resumed run replays the same batches.
      order.set(split.train);
      shuffleInPlace(order, seededRandom(options.seed * 1000 + epoch));
      const augmenter = fit.augment
        ? new Augmenter(fit.augment, seededRandom(options.seed * 7919 + epoch))
        : undefined;
      const learningRate = fit.learningRate * learningRateFactor(fit.schedule, epoch, epochs);
      setLearningRate(model.optimizer, learningRate);
      const started = performance.now();
      let lossSum = 0;
      let accSum = 0;
      let done = 0;
      for (let start = 0; start < order.length; start += batchSize) {
        if (options.shouldStop()) return true;
        const count = Math.min(batchSize, order.length - start);
        const x = feeder.inputs(order, start, count, augmenter);
        const y = feeder.targetsFor(order, start, count, shaping);
        const [loss, acc] = await trainer.trainOnBatch(x, y);
        tf.dispose([x, y]);
        lossSum += loss! * count;
        accSum += acc! * count;
        done += count;
        const seconds = (performance.now() - started) / 1000;
        progress.update({
          label: task,
          epoch,
          epochs,
          done,
          total: order.length,
          loss: lossSum / done,
          accuracy: accSum / done,
          samplesPerSecond: done / seconds,
        });
      }
      const seconds = (performance.now() - started) / 1000;
      const record: EpochRecord = {
        epoch,
        loss: lossSum / done,
        accuracy: accSum / done,
        seconds,
        samplesPerSecond: done / seconds,
        ...(split.validation.length > 0
          ? await validation(model, feeder, split.validation, options.targets)
          : {}),
      };
      history.push(record);
      progress.finish(
        {
          label: task,
          epoch,
          epochs,
          done,
          total: order.length,
          loss: record.loss,
          accuracy: record.accuracy,
          samplesPerSecond: record.samplesPerSecond,
        },
        (record.valAccuracy === undefined
          ? ''
          : `  val loss ${record.valLoss!.toFixed(4)} acc ${(record.valAccuracy * 100).toFixed(1)}%`) +
          (fit.schedule ? `  lr ${learningRate.toExponential(2)}` : ''),
      );
      await saveLayersModel(model, options.checkpointDir, {
        includeOptimizer: true,
        extraFiles: { [CHECKPOINT_STATE]: JSON.stringify({ task, epoch, history }) },
      });
      if (isBest(history, record)) await saveLayersModel(model, bestDir(options.checkpointDir));
    }
    return false;
  }
}

const bestDir = (checkpointDir: string) => `${checkpointDir}-best`;

/** Whether `record` has the lowest validation loss so far (ties keep the earlier epoch). */
function isBest(history: readonly EpochRecord[], record: EpochRecord): boolean {
  if (record.valLoss === undefined) return false;
  return history.every((h) => h === record || h.valLoss === undefined || h.valLoss > record.valLoss!);
}

/**
 * Keeps the weights of the epoch with the lowest validation loss (Keras's save_best_only): later
 * epochs that only fit the training part better are not shipped. Without validation, the last epoch.
 */
async function restoreBest(
  model: tf.LayersModel,
  history: readonly EpochRecord[],
  checkpointDir: string,
): Promise<number> {
  const withVal = history.filter((h) => h.valLoss !== undefined);
  if (withVal.length === 0) return history.at(-1)?.epoch ?? 0;
  const best = withVal.reduce((a, b) => (b.valLoss! < a.valLoss! ? b : a));
  if (best.epoch === history.at(-1)!.epoch) return best.epoch;
  const saved = await loadLayersModel(bestDir(checkpointDir));
  model.setWeights(saved.getWeights());
  saved.dispose();
  return best.epoch;
}

async function validation(
  model: tf.LayersModel,
  feeder: BatchFeeder,
  rows: Uint32Array,
  targets: Uint8Array,
) {
  const p = await predict(model, feeder, rows, targets);
  return { valLoss: p.loss, valAccuracy: p.accuracy };
}
