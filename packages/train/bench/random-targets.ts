/**
 * Bench support: random targets for a network's outputs, side by side as the batch trainer takes
 * them — a one-hot row per output (a 0/1 label for a one-unit head). Used where only the speed of a
 * step matters (kernel-profile, gpu:check's throughput), seeded so every backend gets the same.
 */
import * as tf from '@tensorflow/tfjs';

export function randomTargets(model: tf.LayersModel, rows: number): tf.Tensor2D {
  return tf.tidy(() =>
    tf.concat(
      model.outputs.map((o, i) => {
        const classes = o.shape[1]!;
        return classes === 1
          ? tf.randomUniform([rows, 1], 0, 2, 'int32', 2 + i).toFloat()
          : tf.oneHot(tf.randomUniform([rows], 0, classes, 'int32', 2 + i) as tf.Tensor1D, classes).toFloat();
      }),
      1,
    ),
  ) as tf.Tensor2D;
}
