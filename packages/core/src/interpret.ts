/**
 * A model's probability row → the answer people read: the winning label, its index and confidence,
 * and every label's probability. Shared by the server and the browser so both describe a result the
 * same way.
 */

export interface LabelProbability {
  readonly label: string;
  readonly probability: number;
}

export interface TaskPrediction {
  readonly label: string;
  readonly index: number;
  readonly confidence: number;
  readonly probabilities: LabelProbability[];
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

export function interpretProbabilities(
  probabilities: ArrayLike<number>,
  labels: readonly string[],
): TaskPrediction {
  if (probabilities.length !== labels.length) {
    throw new RangeError(`model gave ${probabilities.length} probabilities for ${labels.length} labels`);
  }
  const index = argmax(probabilities);
  return {
    label: labels[index]!,
    index,
    confidence: probabilities[index]!,
    probabilities: labels.map((label, i) => ({ label, probability: probabilities[i]! })),
  };
}
