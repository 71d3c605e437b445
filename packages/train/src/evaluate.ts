/**
 * Running a trained network over a set of rows: class probabilities (a one-unit sigmoid head is
 * widened to [1 − p, p], as the exported graph does) and the mean cross-entropy, in batches.
 */
import * as tf from '@tensorflow/tfjs';
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
  const binary = model.outputs[0]!.shape[1] === 1;
  const classes = binary ? 2 : model.outputs[0]!.shape[1]!;
  const probabilities = new Float32Array(rows.length * classes);
  for (let start = 0; start < rows.length; start += batchSize) {
    const count = Math.min(batchSize, rows.length - start);
    const out = tf.tidy(() => {
      const y = model.predict(feeder.inputs(rows, start, count)) as tf.Tensor2D;
      return binary ? tf.concat([tf.sub(1, y), y], 1) : y;
    });
    probabilities.set(await out.data(), start * classes);
    out.dispose();
  }
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = probabilities.subarray(i * classes, (i + 1) * classes);
    const truth = targets[rows[i]!]!;
    loss -= Math.log(Math.max(row[truth]!, 1e-7));
    let best = 0;
    for (let k = 1; k < classes; k++) if (row[k]! > row[best]!) best = k;
    if (best === truth) correct++;
  }
  return { probabilities, classes, loss: loss / rows.length, accuracy: correct / rows.length };
}
