/**
 * Temperature scaling (Guo et al. 2017): one number T, fitted on the validation part, that divides the
 * final layer's logits so the softmax's confidences match how often the model is right. It never
 * changes which class wins. T is folded into the last Dense layer (kernel and bias divided by T), so
 * the saved tfjs model and the exported ONNX graph carry it with no extra operator.
 */
import * as tf from '@tensorflow/tfjs';

/** The search range for 1/T; a fitted T at either end means the model is far off, not a bug. */
const MIN_INVERSE = 0.2;
const MAX_INVERSE = 5;

/** Whether a fitted T lies at an end of the search range (the best T may lie beyond it). */
export const atSearchBound = (temperature: number): boolean =>
  Math.abs(1 / temperature - MIN_INVERSE) < 1e-3 || Math.abs(1 / temperature - MAX_INVERSE) < 1e-3;

/** Mean negative log-likelihood of softmax(log p / T) against the true classes. */
export function temperedNll(
  probabilities: Float32Array,
  classes: number,
  truth: ArrayLike<number>,
  temperature: number,
): number {
  const beta = 1 / temperature;
  let total = 0;
  for (let i = 0; i < truth.length; i++) {
    const row = i * classes;
    total += logNormalizer(probabilities, row, classes, beta) - beta * logOf(probabilities[row + truth[i]!]!);
  }
  return total / truth.length;
}

/** log Σₖ exp(factor · log pₖ) over one row, computed stably: softmax(factor · log p)'s normaliser. */
function logNormalizer(probabilities: Float32Array, row: number, classes: number, factor: number): number {
  let max = -Infinity;
  for (let k = 0; k < classes; k++) max = Math.max(max, factor * logOf(probabilities[row + k]!));
  let sum = 0;
  for (let k = 0; k < classes; k++) sum += Math.exp(factor * logOf(probabilities[row + k]!) - max);
  return max + Math.log(sum);
}

const logOf = (p: number) => Math.log(Math.max(p, 1e-12));

/**
 * The T that minimises the validation negative log-likelihood. The NLL is convex in 1/T (a
 * log-sum-exp of lines), so a golden-section search over 1/T finds its minimum.
 */
export function fitTemperature(
  probabilities: Float32Array,
  classes: number,
  truth: ArrayLike<number>,
): number {
  if (probabilities.length !== truth.length * classes) {
    throw new RangeError(
      `probabilities has ${probabilities.length} values; expected ${truth.length} × ${classes}`,
    );
  }
  if (truth.length === 0) return 1;
  const nll = (beta: number) => temperedNll(probabilities, classes, truth, 1 / beta);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let [lo, hi] = [MIN_INVERSE, MAX_INVERSE];
  let a = hi - ratio * (hi - lo);
  let b = lo + ratio * (hi - lo);
  let [fa, fb] = [nll(a), nll(b)];
  while (hi - lo > 1e-4) {
    if (fa < fb) {
      [hi, b, fb] = [b, a, fa];
      a = hi - ratio * (hi - lo);
      fa = nll(a);
    } else {
      [lo, a, fa] = [a, b, fb];
      b = lo + ratio * (hi - lo);
      fb = nll(b);
    }
  }
  return 1 / ((lo + hi) / 2);
}

/** softmax(log p · factor) per row: re-tempers probabilities (factor = 1/T applies T, T undoes it). */
export function retemper(probabilities: Float32Array, classes: number, factor: number): Float32Array {
  const out = new Float32Array(probabilities.length);
  for (let row = 0; row < probabilities.length; row += classes) {
    const normalizer = logNormalizer(probabilities, row, classes, factor);
    for (let k = 0; k < classes; k++)
      out[row + k] = Math.exp(factor * logOf(probabilities[row + k]!) - normalizer);
  }
  return out;
}

/**
 * The Dense layers whose outputs are `model`'s logits: its output layer when that is a Dense softmax
 * or sigmoid head (every preset's network), or — for an ensemble (ensemble.ts) — the linear Dense heads
 * whose average feeds the output softmax.
 */
function logitLayers(model: tf.LayersModel): tf.layers.Layer[] {
  const out = model.outputs[0]!.sourceLayer;
  const activationOf = (layer: tf.layers.Layer) => (layer.getConfig() as { activation?: string }).activation;
  const fail = (): never => {
    throw new Error(
      `temperature scaling needs a Dense softmax or sigmoid head; ${model.name}'s output layer is ` +
        `${out.getClassName()}${activationOf(out) ? ` (${activationOf(out)})` : ''}`,
    );
  };
  if (out.getClassName() === 'Dense')
    return ['softmax', 'sigmoid'].includes(activationOf(out) ?? '') ? [out] : fail();
  if (out.getClassName() !== 'Activation' || activationOf(out) !== 'softmax') return fail();
  const source = out.inboundNodes[0]!.inputTensors[0]!.sourceLayer;
  // A Set: a mirrored member's head is applied twice but must be scaled once.
  const heads = [
    ...new Set(
      source.getClassName() === 'Average'
        ? source.inboundNodes[0]!.inputTensors.map((t) => t.sourceLayer)
        : [source],
    ),
  ];
  return heads.every((l) => l.getClassName() === 'Dense' && activationOf(l) === 'linear') ? heads : fail();
}

/**
 * Divides `model`'s logits by `temperature`, in place: each logit layer's kernel and bias divided by T
 * gives softmax(z / T) (or sigmoid(z / T), the same thing for a widened one-unit head); for an
 * ensemble, the mean of the members' logits is divided by T.
 */
export function applyTemperature(model: tf.LayersModel, temperature: number): void {
  for (const layer of logitLayers(model)) {
    const scaled = tf.tidy(() => layer.getWeights().map((w) => tf.div(w, temperature)));
    layer.setWeights(scaled);
    tf.dispose(scaled);
  }
}
