/**
 * Feeding the network: per-task class targets, and batches gathered from the one pixel array into a
 * reused Float32Array (grey / 255) — no per-sample tensors, one tensor per batch.
 */
import * as tf from '@tensorflow/tfjs';
import { ageToGroup, inputShape, PIXEL_COUNT, type AgeGrouping, type Task } from '@facekit/core';
import type { FaceDataset } from './dataset.js';

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

/** Whether the network ends in one sigmoid unit (binary) rather than a softmax over K classes. */
export function isBinaryHead(model: tf.LayersModel): boolean {
  return model.outputs[0]!.shape[1] === 1;
}

export class BatchFeeder {
  private readonly x: Float32Array;
  private readonly scale = new Float32Array(256).map((_, i) => i / 255);

  constructor(
    private readonly dataset: FaceDataset,
    private readonly targets: Uint8Array,
    private readonly classes: number,
    private readonly binary: boolean,
    maxBatch: number,
  ) {
    this.x = new Float32Array(maxBatch * PIXEL_COUNT);
  }

  /** Input tensor for rows[start, start+count). */
  inputs(rows: ArrayLike<number>, start: number, count: number): tf.Tensor4D {
    const { pixels } = this.dataset;
    for (let b = 0; b < count; b++) {
      const src = rows[start + b]! * PIXEL_COUNT;
      const dst = b * PIXEL_COUNT;
      for (let p = 0; p < PIXEL_COUNT; p++) this.x[dst + p] = this.scale[pixels[src + p]!]!;
    }
    return tf.tensor4d(this.x.subarray(0, count * PIXEL_COUNT), inputShape(count));
  }

  /** Target tensor: one-hot [count, K], or [count, 1] for a binary head. */
  targetsFor(rows: ArrayLike<number>, start: number, count: number): tf.Tensor2D {
    if (this.binary) {
      const y = new Float32Array(count);
      for (let b = 0; b < count; b++) y[b] = this.targets[rows[start + b]!]!;
      return tf.tensor2d(y, [count, 1]);
    }
    const y = new Float32Array(count * this.classes);
    for (let b = 0; b < count; b++) y[b * this.classes + this.targets[rows[start + b]!]!] = 1;
    return tf.tensor2d(y, [count, this.classes]);
  }
}
