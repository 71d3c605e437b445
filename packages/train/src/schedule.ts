/**
 * Learning-rate schedules applied per epoch by the training loop. A schedule is a pure function of the
 * epoch, so a resumed run sets exactly the rate the uninterrupted run would have used. `cosine` warms up
 * linearly for `warmupEpochs`, then follows half a cosine from the base rate down to
 * `base · minFactor` at the last epoch.
 */
export interface LearningRateSchedule {
  readonly kind: 'cosine';
  readonly warmupEpochs: number;
  readonly minFactor: number;
}

/** The factor on the base learning rate for 1-based `epoch` of `epochs`. */
export function learningRateFactor(
  schedule: LearningRateSchedule | undefined,
  epoch: number,
  epochs: number,
): number {
  if (!schedule) return 1;
  const { warmupEpochs, minFactor } = schedule;
  if (epoch <= warmupEpochs) return epoch / (warmupEpochs + 1);
  const span = Math.max(1, epochs - warmupEpochs - 1);
  const t = Math.min(1, (epoch - warmupEpochs - 1) / span);
  return minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * t));
}
