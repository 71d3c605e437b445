/**
 * Small pieces of fitting control kept out of the loop so they can be tested alone: how many epochs
 * have passed since the lowest validation loss (early stopping), and setting an optimizer's learning
 * rate between epochs (tfjs's Adam reads its `learningRate` field at every step but has no setter; SGD
 * caches the rate and has `setLearningRate`).
 */
import type * as tf from '@tensorflow/tfjs';
import type { EpochRecord } from './report/metrics-types.js';

/** Epochs after the one with the lowest validation loss (0 when the last is the best or none has one). */
export function epochsSinceBest(history: readonly EpochRecord[]): number {
  let best = -1;
  history.forEach((h, i) => {
    if (h.valLoss !== undefined && (best < 0 || h.valLoss < history[best]!.valLoss!)) best = i;
  });
  return best < 0 ? 0 : history.length - 1 - best;
}

export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const target = optimizer as unknown as { learningRate?: unknown; setLearningRate?: (lr: number) => void };
  if (typeof target.setLearningRate === 'function') return target.setLearningRate(learningRate);
  if (typeof target.learningRate !== 'number')
    throw new Error(`optimizer ${optimizer.getClassName()} has no numeric learningRate to schedule`);
  target.learningRate = learningRate;
}
