/**
 * Running a trained network over a set of rows: class probabilities (a one-unit sigmoid head is
 * widened to [1 − p, p], as the exported graph does) and the mean cross-entropy, in batches.
 */
import * as tf from '@tensorflow/tfjs';
import { argmax } from '@facekit/core';
import type { BatchFeeder } from './data/batches.js';

export interface Predictions {
  /** rows × K probabilities, row-major. */
  readonly probabilities: Float32Array;
  readonly classes: number;
  /** Mean cross-entropy against `targets`. */
  readonly loss: number;
  readonly accuracy: number;
}

export async function predict(
  model: tf.LayersModel,
  feeder: BatchFeeder,
  rows: Uint32Array,
  targets: Uint8Array,
  batchSize = 256,
): Promise<Predictions> {
  return (await predictHeads(model, feeder, rows, [targets], batchSize))[0]!;
}

/**
 * `predict` for every output of a network at once: one pass per batch for all heads of a shared trunk
 * (each head's own network would run the trunk again for each), `targets[h]` judging output h.
 */
export async function predictHeads(
  model: tf.LayersModel,
  feeder: BatchFeeder,
  rows: Uint32Array,
  targets: readonly Uint8Array[],
  batchSize = 256,
): Promise<Predictions[]> {
  if (targets.length !== model.outputs.length)
    throw new RangeError(`${targets.length} target sets for ${model.outputs.length} outputs`);
  const outputs = model.outputs.map((o) => {
    const binary = o.shape[1] === 1;
    const classes = binary ? 2 : o.shape[1]!;
    return { binary, classes, probabilities: new Float32Array(rows.length * classes) };
  });
  for (let start = 0; start < rows.length; start += batchSize) {
    const count = Math.min(batchSize, rows.length - start);
    const out = tf.tidy(() => {
      const predicted = model.predict(feeder.inputs(rows, start, count));
      return (Array.isArray(predicted) ? predicted : [predicted]).map((y, h) =>
        outputs[h]!.binary ? tf.concat([tf.sub(1, y), y], 1) : y,
      );
    });
    for (const [h, y] of out.entries())
      outputs[h]!.probabilities.set(await y.data(), start * outputs[h]!.classes);
    tf.dispose(out);
  }
  return outputs.map(({ classes, probabilities }, h) => {
    const truth = Uint8Array.from(rows, (r) => targets[h]![r]!);
    let correct = 0;
    for (let i = 0; i < rows.length; i++)
      if (argmax(probabilities.subarray(i * classes, (i + 1) * classes)) === truth[i]) correct++;
    return {
      probabilities,
      classes,
      loss: meanCrossEntropy(probabilities, classes, truth),
      accuracy: correct / rows.length,
    };
  });
}

/** Mean cross-entropy of row-major `rows × classes` probabilities against `truth` (p floored at 1e-7). */
export function meanCrossEntropy(probabilities: Float32Array, classes: number, truth: Uint8Array): number {
  let loss = 0;
  for (let i = 0; i < truth.length; i++)
    loss -= Math.log(Math.max(probabilities[i * classes + truth[i]!]!, 1e-7));
  return loss / truth.length;
}
