/**
 * An exponential moving average of a network's weights (Polyak averaging, as timm's ModelEma): after
 * each training step every weight's average moves towards the weight by 1 − d, with
 * d = min(decay, (1 + t) / (10 + t)) at step t, so the first steps do not keep the initial weights for
 * long. Batch norm's moving statistics are averaged with the rest. The training loop validates, keeps
 * and ships the averaged network; the live weights go on training.
 */
import * as tf from '@tensorflow/tfjs';

export class WeightAverage {
  private readonly average: tf.Variable[];

  /**
   * Averages `model`'s weights from `start` (the weights themselves when absent: a fresh run) after
   * `steps` steps already taken (a resumed run's count, so its decays are the uninterrupted run's).
   */
  constructor(
    private readonly model: tf.LayersModel,
    private readonly decay: number,
    start: readonly tf.Tensor[] = model.weights.map((w) => w.read()),
    private steps = 0,
  ) {
    if (!(decay > 0 && decay < 1))
      throw new RangeError(`weight average decay must be in (0, 1), got ${decay}`);
    if (start.length !== model.weights.length)
      throw new Error(`weight average: ${start.length} tensors for ${model.weights.length} weights`);
    this.average = start.map((t) => tf.variable(t, false));
  }

  /**
   * An average saved with `bytes()`, for `model` (the same network), after `steps` steps; `file` names
   * where the bytes came from when they do not fit the network.
   */
  static fromBytes(
    model: tf.LayersModel,
    decay: number,
    bytes: Uint8Array,
    steps: number,
    file: string,
  ): WeightAverage {
    const sizes = model.weights.map((w) => tf.util.sizeFromShape(w.shape as number[]));
    const need = sizes.reduce((a, b) => a + b, 0) * 4;
    if (bytes.byteLength !== need)
      throw new Error(`${file}: ${bytes.byteLength} bytes, but the network's weights need ${need}`);
    const values = new Float32Array(bytes.slice().buffer);
    let at = 0;
    const start = model.weights.map((w, i) => {
      const t = tf.tensor(values.subarray(at, at + sizes[i]!), w.shape as number[]);
      at += sizes[i]!;
      return t;
    });
    try {
      return new WeightAverage(model, decay, start, steps);
    } finally {
      tf.dispose(start);
    }
  }

  /** The averaged weights as float32 bytes, in the order of `model.weights`. */
  bytes(): Uint8Array {
    const parts = this.average.map((v) => v.dataSync() as Float32Array);
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return new Uint8Array(out.buffer);
  }

  /** Training steps folded in so far (a checkpoint stores it for resuming). */
  get stepCount(): number {
    return this.steps;
  }

  /** Folds the model's current weights into the average; call once after each training step. */
  update(): void {
    const d = Math.min(this.decay, (1 + this.steps) / (10 + this.steps));
    this.steps += 1;
    tf.tidy(() => {
      this.model.weights.forEach((w, i) => {
        const avg = this.average[i]!;
        avg.assign(avg.mul(d).add(w.read().mul(1 - d)));
      });
    });
  }

  /** Runs `use` with the averaged weights in the model, then puts the live weights back. */
  async swappedIn<T>(use: () => Promise<T>): Promise<T> {
    const live = this.model.weights.map((w) => tf.clone(w.read()));
    this.model.weights.forEach((w, i) => w.write(this.average[i]!));
    try {
      return await use();
    } finally {
      this.model.weights.forEach((w, i) => w.write(live[i]!));
      tf.dispose(live);
    }
  }

  /** Leaves the averaged weights in the model for good (training is over). */
  keep(): void {
    this.model.weights.forEach((w, i) => w.write(this.average[i]!));
  }

  dispose(): void {
    tf.dispose(this.average);
  }
}
