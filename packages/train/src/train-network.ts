/**
 * Fitting one network — a task's own, or a shared trunk with one head per task: seeded per-epoch shuffles
 * (and augmentation and mixup draws), one tensor per batch, the preset's learning-rate schedule and target
 * shaping, a progress line, validation after each epoch, early stopping on validation loss (the heads'
 * losses summed), and a checkpoint (model, optimizer state, histories) after each epoch so an interrupted
 * run resumes exactly where its last finished epoch left off. With the preset's `weightAverage`, the
 * weights' moving average (weight-average.ts) is what is validated, kept and returned.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { jsonFields, type AgeGrouping, type Task } from '@facekit/core';
import { AdamW } from './adamw.js';
import { NesterovSgd } from './nesterov-sgd.js';
import { createBatchTrainer } from './backends/index.js';
import { ageGroupDistributions } from './data/age-spread.js';
import { Augmenter } from './data/augment.js';
import { BatchFeeder, classWeights, type TargetShaping } from './data/batches.js';
import type { FaceDataset } from './data/dataset.js';
import { drawMixup, type MixupDraw } from './data/mixup.js';
import { seededRandom, shuffleInPlace, streamSeed } from './data/random.js';
import type { DataSplit } from './data/split.js';
import { predictHeads } from './evaluate.js';
import { loadLayersModel, recoverInterruptedSave, saveLayersModel } from './model-io.js';
import type { FitSettings, Preset } from './presets.js';
import { ProgressBar } from './progress.js';
import { bestEpochIndex, epochsSinceBest, replayAdamBetaPowers, setLearningRate } from './fit-control.js';
import { learningRateFactor } from './schedule.js';
import type { EpochRecord } from './report/metrics-types.js';
import { readJson } from './run-folder.js';
import { WeightAverage } from './weight-average.js';

const CHECKPOINT_STATE = 'state.json';
/** In a checkpoint of an averaging preset: the averaged weights, and the steps they have folded in. */
const AVERAGE_WEIGHTS = 'average.bin';
const AVERAGE_STATE = 'average.json';

/** A task the network predicts, with every row's class index for it. */
export interface Head {
  readonly task: Task;
  readonly targets: Uint8Array;
}

export interface TrainNetworkOptions {
  /** One head: the preset's network for that task; several: the preset's shared network. */
  readonly heads: readonly Head[];
  readonly preset: Preset;
  readonly dataset: FaceDataset;
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

/** What a head of the trained network gives the run: its task alone, as a model of its own. */
export interface TrainedHead extends Head {
  /** The network from the input to this head's output (the trunk's weights are shared, not copied). */
  readonly model: tf.LayersModel;
  readonly history: EpochRecord[];
  readonly feeder: BatchFeeder;
}

export interface TrainNetworkResult {
  /** The whole network; dispose it when done with the heads. */
  readonly model: tf.LayersModel;
  readonly heads: TrainedHead[];
  /** The epoch whose weights the model holds: the best on validation loss, else the last. */
  readonly bestEpoch: number;
  readonly interrupted: boolean;
}

function buildNetwork(options: TrainNetworkOptions): tf.LayersModel {
  const { preset, heads, grouping, seed } = options;
  if (heads.length === 1) return preset.build(heads[0]!.task, grouping, seed);
  if (!preset.buildShared) throw new Error(`preset ${preset.name} has no shared network for several tasks`);
  return preset.buildShared(
    heads.map((h) => h.task),
    grouping,
    seed,
  );
}

async function startingPoint(
  options: TrainNetworkOptions,
): Promise<{ model: tf.LayersModel; histories: EpochRecord[][]; average?: WeightAverage }> {
  const statePath = join(options.checkpointDir, CHECKPOINT_STATE);
  // Killed while its checkpoint was being replaced, a run finds the previous one put aside.
  if (options.resume && (await recoverInterruptedSave(options.checkpointDir)))
    options.log?.(
      `${options.checkpointDir}: the last checkpoint write was cut short; resuming from the one before`,
    );
  // A checkpoint folder is renamed in whole, state.json with it: one without it has lost files, and
  // training the task from its first epoch would drop the epochs it holds without a word.
  if (options.resume && existsSync(options.checkpointDir) && !existsSync(statePath))
    throw new Error(
      `${statePath} is missing from the checkpoint: cannot tell which epoch it holds ` +
        `(remove ${options.checkpointDir} to train this network again from its first epoch)`,
    );
  if (options.resume && existsSync(statePath)) {
    const histories = checkpointHistories(
      await readJson<unknown>(statePath),
      statePath,
      options.heads.length,
    );
    // The checkpoint carries the compiled training config and the optimizer's moments.
    const model = await loadLayersModel(options.checkpointDir);
    replayAdamBetaPowers(model.optimizer);
    const average = await resumedAverage(model, options);
    return { model, histories, ...(average ? { average } : {}) };
  }
  const model = buildNetwork(options);
  const fit = options.preset.fit(options.heads[0]!.task);
  compileNetwork(model, fit);
  const average = fit.weightAverage === undefined ? undefined : new WeightAverage(model, fit.weightAverage);
  return { model, histories: options.heads.map(() => []), ...(average ? { average } : {}) };
}

/**
 * The per-head histories of a checkpoint's state.json, checked: one non-empty history per head, each
 * the epochs 1, 2, … in order. Anything else (an empty or edited file) is refused by name: read as it
 * was, it resumed from the first epoch on the checkpoint's trained weights, or failed on an undefined.
 */
function checkpointHistories(state: unknown, path: string, heads: number): EpochRecord[][] {
  const f = jsonFields(path, { hint: 'the checkpoint cannot be resumed' });
  const { histories, history } = f.object(state, '', "a JSON object (a checkpoint's state)");
  // `history`: a one-task checkpoint written before networks could have several heads.
  const found = histories ?? (history === undefined ? undefined : [history]);
  if (!Array.isArray(found) || found.length !== heads)
    f.fail('histories', { expected: `a list of one history per head of the network (${heads})`, found });
  for (const [h, records] of (found as unknown[]).entries()) {
    if (!Array.isArray(records) || records.length === 0)
      f.fail(`histories[${h}]`, {
        expected: 'a list of the epochs trained (a checkpoint is written after one)',
        found: records,
      });
    (records as unknown[]).forEach((record, i) => {
      if ((record as EpochRecord | null)?.epoch !== i + 1)
        f.fail(`histories[${h}][${i}]`, { expected: `the record of epoch ${i + 1}`, found: record });
    });
    if ((records as unknown[]).length !== (found as unknown[][])[0]!.length)
      f.fail('histories', 'cover different epochs for different heads');
  }
  return found as EpochRecord[][];
}

/** The weight average a checkpoint was saved with (written in the same folder, so of the same epoch). */
async function resumedAverage(
  model: tf.LayersModel,
  options: TrainNetworkOptions,
): Promise<WeightAverage | undefined> {
  const decay = options.preset.fit(options.heads[0]!.task).weightAverage;
  if (decay === undefined) return undefined;
  const weightsPath = join(options.checkpointDir, AVERAGE_WEIGHTS);
  const statePath = join(options.checkpointDir, AVERAGE_STATE);
  if (!existsSync(weightsPath) || !existsSync(statePath))
    throw new Error(
      `cannot resume ${options.checkpointDir}: its averaged weights (${AVERAGE_WEIGHTS}) are missing`,
    );
  // Unchecked, a missing or edited count made every averaged weight NaN (or a string sum) without a word.
  const f = jsonFields(statePath, { hint: 'the checkpoint cannot be resumed' });
  const steps = f.whole(f.object(await readJson<unknown>(statePath), '').steps, 'steps', 0);
  return WeightAverage.fromBytes(model, decay, await readFile(weightsPath), steps, weightsPath);
}

/**
 * Compiles a network the way the training loop trains it with `fit`: Adam at its learning rate (AdamW
 * when it has a weight decay) or Nesterov SGD, cross-entropy per output (binary for a one-unit head,
 * else categorical), accuracy as the metric.
 */
export function compileNetwork(
  model: tf.LayersModel,
  {
    learningRate,
    weightDecay = 0,
    optimizer = 'adam',
  }: Pick<FitSettings, 'learningRate' | 'weightDecay' | 'optimizer'>,
): void {
  const lossOf = (output: tf.SymbolicTensor) =>
    output.shape[1] === 1 ? 'binaryCrossentropy' : 'categoricalCrossentropy';
  model.compile({
    optimizer:
      optimizer === 'sgd'
        ? new NesterovSgd(learningRate, weightDecay)
        : weightDecay > 0
          ? new AdamW(learningRate, weightDecay)
          : tf.train.adam(learningRate),
    loss: model.outputs.length === 1 ? lossOf(model.outputs[0]!) : model.outputs.map(lossOf),
    metrics: ['accuracy'],
  });
}

/** The network from its input to output `h`: the network itself when it has one output. */
export function headModel(model: tf.LayersModel, h: number, task: Task): tf.LayersModel {
  if (model.outputs.length === 1) return model;
  return tf.model({ inputs: model.inputs, outputs: model.outputs[h]!, name: `${task}_${model.name}` });
}

/**
 * The record early stopping and checkpoint choice look at: the heads' losses summed (validation too),
 * their accuracies averaged. For one head, that head's own record.
 */
function combinedHistory(histories: readonly (readonly EpochRecord[])[]): EpochRecord[] {
  if (histories.length === 1) return [...histories[0]!];
  return histories[0]!.map((first, i) => {
    const at = histories.map((h) => h[i]!);
    const sum = (pick: (r: EpochRecord) => number | undefined) =>
      at.every((r) => pick(r) !== undefined) ? at.reduce((s, r) => s + pick(r)!, 0) : undefined;
    const valLoss = sum((r) => r.valLoss);
    const valAccuracy = sum((r) => r.valAccuracy);
    return {
      ...first,
      loss: sum((r) => r.loss)!,
      accuracy: sum((r) => r.accuracy)! / at.length,
      ...(valLoss === undefined ? {} : { valLoss, valAccuracy: valAccuracy! / at.length }),
    };
  });
}

export async function trainNetwork(options: TrainNetworkOptions): Promise<TrainNetworkResult> {
  const { split, epochs } = options;
  const { model, histories, average } = await startingPoint(options);
  const label = options.heads.map((h) => h.task).join('+');
  // Said at once, before the first batch's progress line: what the checkpoint kept.
  const trained = histories[0]!.length;
  if (trained > 0)
    options.log?.(`${label}: resuming after epoch ${trained} of ${epochs}, from its checkpoint`);
  const fit = options.preset.fit(options.heads[0]!.task);
  const { batchSize } = fit;
  const heads = options.heads.map((head, h) => {
    const view = headModel(model, h, head.task);
    const feeder = BatchFeeder.forHead(options.dataset, head.targets, view, Math.max(batchSize, 256));
    const shaping: TargetShaping = {
      ...(fit.ageSpread !== undefined && head.task === 'age'
        ? { distributions: ageGroupDistributions(options.dataset.age, options.grouping, fit.ageSpread) }
        : {}),
      ...(fit.labelSmoothing ? { smoothing: fit.labelSmoothing } : {}),
      ...(fit.classWeightPower !== undefined && !feeder.binary
        ? { classWeights: classWeights(head.targets, split.train, feeder.classes, fit.classWeightPower) }
        : {}),
    };
    return { task: head.task, targets: head.targets, model: view, feeder, shaping, history: histories[h]! };
  });
  const progress = options.progress ?? new ProgressBar();
  const order = Uint32Array.from(split.train);
  const trainer = await createBatchTrainer(model, {
    maxBatch: batchSize,
    ...(fit.taskWeights ? { lossWeights: heads.map((h) => fit.taskWeights![h.task] ?? 1) } : {}),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.log ? { log: options.log } : {}),
  });
  try {
    const interrupted = await fitEpochs();
    if (!interrupted) average?.keep();
    const bestEpoch = interrupted
      ? histories[0]!.length
      : await restoreBest(model, combinedHistory(histories), options.checkpointDir);
    return {
      model,
      heads: heads.map(({ task, targets, model: view, history, feeder }) => ({
        task,
        targets,
        model: view,
        history,
        feeder,
      })),
      interrupted,
      bestEpoch,
    };
  } finally {
    average?.dispose();
    await trainer.dispose();
    // The network lives on (evaluated, saved, joined); its optimizer's moments do not, and the model
    // does not own an optimizer it was given, so disposing the model would leave them.
    model.optimizer?.dispose();
  }

  /** The batch's targets: each head's, side by side in output order. */
  function targetsFor(start: number, count: number, mix: MixupDraw | undefined): tf.Tensor {
    const parts = heads.map((h) => h.feeder.targetsFor(order, start, count, h.shaping, mix));
    if (parts.length === 1) return parts[0]!;
    const y = tf.concat(parts, 1);
    tf.dispose(parts);
    return y;
  }

  async function fitEpochs(): Promise<boolean> {
    for (let epoch = histories[0]!.length + 1; epoch <= epochs; epoch++) {
      if (fit.patience !== undefined && epochsSinceBest(combinedHistory(histories)) >= fit.patience) {
        options.log?.(`${label}: early stop, no lower validation loss in ${fit.patience} epochs`);
        break;
      }
      // The order and augmentation depend only on (seed, epoch): a resumed run replays the same batches.
      order.set(split.train);
      shuffleInPlace(order, seededRandom(streamSeed(options.seed, 1000, epoch)));
      const augmenter = fit.augment
        ? new Augmenter(fit.augment, seededRandom(streamSeed(options.seed, 7919, epoch)))
        : undefined;
      const mixing =
        fit.mixup === undefined ? undefined : seededRandom(streamSeed(options.seed, 104729, epoch));
      // Dropout masks too: seeded per (seed, epoch) on every thread, so a run — resumed or not — repeats.
      trainer.reseed(streamSeed(options.seed, 15485863, epoch));
      const learningRate = fit.learningRate * learningRateFactor(fit.schedule, epoch, epochs);
      setLearningRate(model.optimizer, learningRate);
      const started = performance.now();
      const sums = heads.map(() => ({ loss: 0, accuracy: 0 }));
      let done = 0;
      for (let start = 0; start < order.length; start += batchSize) {
        if (options.shouldStop()) return true;
        const count = Math.min(batchSize, order.length - start);
        const mix = mixing && drawMixup(count, fit.mixup!, mixing);
        const x = heads[0]!.feeder.inputs(order, start, count, augmenter, mix);
        const y = targetsFor(start, count, mix);
        const step = await trainer.trainOnBatch(x, y);
        tf.dispose([x, y]);
        if (!Number.isFinite(step.loss))
          throw new Error(
            `${label}: the training loss became ${step.loss} at epoch ${epoch}, batch ${start / batchSize + 1}: ` +
              'the network diverged (a lower learning rate, or a look at the data, may help)',
          );
        // On one thread a step never waits on anything: without this turn of the event loop a Ctrl-C
        // would be heard only at the epoch's end, and a second one (quit at once) not at all.
        await new Promise((resolve) => setImmediate(resolve));
        average?.update();
        step.heads.forEach((h, k) => {
          sums[k]!.loss += h.loss * count;
          sums[k]!.accuracy += h.accuracy * count;
        });
        done += count;
        const seconds = (performance.now() - started) / 1000;
        progress.update({
          label,
          epoch,
          epochs,
          done,
          total: order.length,
          loss: sums.reduce((s, h) => s + h.loss, 0) / done,
          accuracy: sums.reduce((s, h) => s + h.accuracy, 0) / done / sums.length,
          samplesPerSecond: done / seconds,
        });
      }
      const seconds = (performance.now() - started) / 1000;
      // Every head in one pass over the validation part: the trunk runs once, not once per head.
      const validated = await kept(async () =>
        split.validation.length === 0
          ? heads.map(() => ({}))
          : (
              await predictHeads(
                model,
                heads[0]!.feeder,
                split.validation,
                heads.map((h) => h.targets),
              )
            ).map((p) => ({ valLoss: p.loss, valAccuracy: p.accuracy })),
      );
      for (const [k, head] of heads.entries()) {
        head.history.push({
          epoch,
          loss: sums[k]!.loss / done,
          accuracy: sums[k]!.accuracy / done,
          seconds,
          samplesPerSecond: done / seconds,
          ...validated[k],
        });
      }
      const record = combinedHistory(histories).at(-1)!;
      progress.finish(
        {
          label,
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
          : `  val loss ${record.valLoss!.toFixed(4)} acc ${heads.map((h) => (h.history.at(-1)!.valAccuracy! * 100).toFixed(1)).join('/')}%`) +
          (fit.schedule ? `  lr ${learningRate.toExponential(2)}` : ''),
      );
      // The best weights first, then the checkpoint that says which epoch they are: stopped between
      // the two, a resume replays this epoch (the same steps) and writes both again.
      if (isBest(combinedHistory(histories)))
        await kept(() => saveLayersModel(model, bestDir(options.checkpointDir)));
      // The average goes into the checkpoint's own folder: one rename puts both in place, or neither.
      await saveLayersModel(model, options.checkpointDir, {
        includeOptimizer: true,
        extraFiles: {
          [CHECKPOINT_STATE]: JSON.stringify({ label, epoch, histories }),
          ...(average
            ? {
                [AVERAGE_WEIGHTS]: average.bytes(),
                [AVERAGE_STATE]: JSON.stringify({ steps: average.stepCount }),
              }
            : {}),
        },
      });
    }
    return false;
  }

  /** Runs `use` on the weights the run keeps: the averaged ones when the preset averages. */
  function kept<T>(use: () => Promise<T>): Promise<T> {
    return average ? average.swappedIn(use) : use();
  }
}

const bestDir = (checkpointDir: string) => `${checkpointDir}-best`;

/** Whether the last record has the lowest validation loss so far (ties keep the earlier epoch). */
const isBest = (history: readonly EpochRecord[]) =>
  history.length > 0 && bestEpochIndex(history) === history.length - 1;

/**
 * Keeps the weights of the epoch with the lowest validation loss (Keras's save_best_only): later
 * epochs that only fit the training part better are not shipped. Without validation, the last epoch.
 */
async function restoreBest(
  model: tf.LayersModel,
  history: readonly EpochRecord[],
  checkpointDir: string,
): Promise<number> {
  const index = bestEpochIndex(history);
  if (index < 0) return history.at(-1)?.epoch ?? 0;
  const best = history[index]!;
  if (best.epoch === history.at(-1)!.epoch) return best.epoch;
  await recoverInterruptedSave(bestDir(checkpointDir));
  const saved = await loadLayersModel(bestDir(checkpointDir));
  model.setWeights(saved.getWeights());
  saved.dispose();
  return best.epoch;
}
