/**
 * Feeding the network: per-task class targets, and batches gathered from the one pixel array into a
 * reused Float32Array (grey / 255) — no per-sample tensors, one tensor per batch. Training batches may
 * be augmented on the way (augment.ts) and their targets shaped (label smoothing, class weights);
 * validation and test batches are fed as they are.
 */
import * as tf from '@tensorflow/tfjs';
import { ageToGroup, inputShape, PIXEL_COUNT, type AgeGrouping, type Task } from '@facekit/core';
import type { Augmenter } from './augment.js';
import type { FaceDataset } from './dataset.js';
import { blendRows, type MixupDraw } from './mixup.js';

/** The class index of every row for `task`. */
export function taskTargets(dataset: FaceDataset, task: Task, grouping: AgeGrouping): Uint8Array {
  switch (task) {
    case 'age':
      return dataset.age.map((age) => ageToGroup(age, grouping));
    case 'ethnicity':
      return dataset.ethnicity;
    case 'gender':
      return dataset.gender;
  }
}

/**
 * How training targets differ from one-hot: `distributions` gives each row its own target distribution
 * in place of one-hot (size × K, row-major; age-spread.ts), `smoothing` ε spreads ε over all K classes
 * ((1 − ε)·target + ε/K), and `classWeights` scales a row's target by its true class's weight, which
 * makes cross-entropy the class-weighted cross-entropy (the target is not renormalised by the loss).
 * Softmax heads only.
 */
export interface TargetShaping {
  readonly distributions?: Float32Array;
  readonly smoothing?: number;
  readonly classWeights?: Float32Array;
}

/**
 * Class weights from the class counts of `rows`: (mean count / count)^power, rescaled so that the
 * weighted mean over those rows is 1 (the loss keeps its scale). power 0.5 softens inverse frequency.
 */
export function classWeights(
  targets: Uint8Array,
  rows: ArrayLike<number>,
  classes: number,
  power: number,
): Float32Array {
  const counts = new Float64Array(classes);
  for (let i = 0; i < rows.length; i++) counts[targets[rows[i]!]!]!++;
  const mean = rows.length / classes;
  const w = Float32Array.from(counts, (n) => (n > 0 ? (mean / n) ** power : 0));
  let weighted = 0;
  counts.forEach((n, k) => (weighted += n * w[k]!));
  return w.map((v) => (v * rows.length) / weighted);
}

export class BatchFeeder {
  private readonly x: Float32Array;
  private readonly scale = new Float32Array(256).map((_, i) => i / 255);

  constructor(
    private readonly dataset: FaceDataset,
    private readonly targets: Uint8Array,
    /** Output width: K for a softmax head, 1 for a binary (sigmoid) head. */
    readonly classes: number,
    /** Whether the head is one sigmoid unit rather than a softmax over K classes. */
    readonly binary: boolean,
    maxBatch: number,
  ) {
    this.x = new Float32Array(maxBatch * PIXEL_COUNT);
  }

  /** The feeder for `model`'s (first) output: its width, and binary when that is one sigmoid unit. */
  static forHead(
    dataset: FaceDataset,
    targets: Uint8Array,
    model: tf.LayersModel,
    maxBatch: number,
  ): BatchFeeder {
    const width = model.outputs[0]!.shape[1]!;
    return new BatchFeeder(dataset, targets, width, width === 1, maxBatch);
  }

  /**
   * Input tensor for rows[start, start+count), each image augmented when `augmenter` is given, then
   * blended with its partner when `mix` is (mixup.ts; the targets take the same draw).
   */
  inputs(
    rows: ArrayLike<number>,
    start: number,
    count: number,
    augmenter?: Augmenter,
    mix?: MixupDraw,
  ): tf.Tensor4D {
    const { pixels } = this.dataset;
    for (let b = 0; b < count; b++) {
      const src = rows[start + b]! * PIXEL_COUNT;
      const dst = b * PIXEL_COUNT;
      if (augmenter) augmenter.apply(pixels, src, this.x, dst, this.scale);
      else for (let p = 0; p < PIXEL_COUNT; p++) this.x[dst + p] = this.scale[pixels[src + p]!]!;
    }
    if (mix) blendRows(this.x, PIXEL_COUNT, mix);
    return tf.tensor4d(this.x.subarray(0, count * PIXEL_COUNT), inputShape(count));
  }

  /**
   * Target tensor: one-hot [count, K] (shaped by `shaping`), or [count, 1] for a binary head; blended
   * by `mix` as the inputs were.
   */
  targetsFor(
    rows: ArrayLike<number>,
    start: number,
    count: number,
    shaping?: TargetShaping,
    mix?: MixupDraw,
  ): tf.Tensor2D {
    if (this.binary) {
      const y = new Float32Array(count);
      for (let b = 0; b < count; b++) y[b] = this.targets[rows[start + b]!]!;
      if (mix) blendRows(y, 1, mix);
      return tf.tensor2d(y, [count, 1]);
    }
    const k = this.classes;
    const y = new Float32Array(count * k);
    const eps = shaping?.smoothing ?? 0;
    const distributions = shaping?.distributions;
    for (let b = 0; b < count; b++) {
      const row = rows[start + b]!;
      const truth = this.targets[row]!;
      const w = shaping?.classWeights?.[truth] ?? 1;
      // w · ((1 − ε)·target + ε/K), the target one-hot unless the row has its own distribution.
      for (let c = 0; c < k; c++) {
        const target = distributions ? distributions[row * k + c]! : c === truth ? 1 : 0;
        y[b * k + c] = w * ((1 - eps) * target + eps / k);
      }
    }
    if (mix) blendRows(y, k, mix);
    return tf.tensor2d(y, [count, this.classes]);
  }
}
