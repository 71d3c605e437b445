/**
 * Small pieces of fitting control kept out of the loop so they can be tested alone: which epoch has the
 * lowest validation loss and how many have passed since (early stopping, the weights kept), setting an optimizer's learning
 * rate between epochs (tfjs's Adam reads its `learningRate` field at every step but has no setter; SGD
 * caches the rate and has `setLearningRate`), and putting back Adam's β powers as training left them.
 */
import * as tf from '@tensorflow/tfjs';
import type { EpochRecord } from './report/metrics-types.js';

/**
 * The index of the epoch with the lowest validation loss (ties keep the earlier), or −1 when none has
 * one. A loss that is not a finite number (a diverged epoch; NaN is written to state.json as null) never
 * counts as lowest. Early stopping, the best checkpoint and the weights kept all ask this.
 */
export function bestEpochIndex(history: readonly EpochRecord[]): number {
  let best = -1;
  history.forEach((h, i) => {
    const loss = h.valLoss;
    if (typeof loss === 'number' && Number.isFinite(loss) && (best < 0 || loss < history[best]!.valLoss!))
      best = i;
  });
  return best;
}

/** Epochs after the one with the lowest validation loss (0 when the last is the best or none has one). */
export function epochsSinceBest(history: readonly EpochRecord[]): number {
  const best = bestEpochIndex(history);
  return best < 0 ? 0 : history.length - 1 - best;
}

export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const target = optimizer as unknown as { learningRate?: unknown; setLearningRate?: (lr: number) => void };
  if (typeof target.setLearningRate === 'function') return target.setLearningRate(learningRate);
  if (typeof target.learningRate !== 'number')
    throw new Error(`optimizer ${optimizer.getClassName()} has no numeric learningRate to schedule`);
  target.learningRate = learningRate;
}

/**
 * tfjs's Adam keeps β₁ᵗ and β₂ᵗ as running products (one float32 multiply a step), but loading a
 * checkpoint recomputes them as powers, a rounding apart — enough for a resumed run to drift from the
 * uninterrupted one in the last bits of every weight. This replays the products for the steps taken, so
 * a resumed run repeats the uninterrupted one weight for weight. Other optimizers are left alone.
 */
export function replayAdamBetaPowers(optimizer: tf.Optimizer): void {
  // Not `instanceof`: tfjs optimizers answer it by duck typing, so SGD passes for Adam.
  if (!['Adam', 'AdamW'].includes(optimizer.getClassName())) return;
  const adam = optimizer as unknown as {
    beta1: number;
    beta2: number;
    accBeta1: tf.Variable;
    accBeta2: tf.Variable;
  };
  const steps = optimizer.iterations;
  const product = (beta: number) => {
    const b = Math.fround(beta);
    let p = b;
    // A product of two float32 values is exact in a double; fround rounds it as float32 multiplication does.
    for (let t = 0; t < steps; t++) p = Math.fround(p * b);
    return p;
  };
  tf.tidy(() => {
    adam.accBeta1.assign(tf.scalar(product(adam.beta1)));
    adam.accBeta2.assign(tf.scalar(product(adam.beta2)));
  });
}
