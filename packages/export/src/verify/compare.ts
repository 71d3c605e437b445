/**
 * The proof that an exported graph computes what its tfjs source computes: the same inputs through
 * tfjs (cpu backend) and onnxruntime-node, every probability compared. `compareOutputs` is the
 * pure comparison (max abs difference, argmax agreement, worst sample) shared with the web check.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { argmax } from '@facekit/core';

export interface Comparison {
  readonly samples: number;
  readonly maxAbsDiff: number;
  /** Share of samples whose argmax is the same (1 = all). */
  readonly argmaxAgreement: number;
  readonly argmaxMismatches: number;
  /** The samples whose argmax differs, by index. */
  readonly mismatchedSamples: readonly number[];
  /** Index of the sample with the largest difference. */
  readonly worstSample: number;
}

/** Compares two row-major [samples, width] probability tables. */
export function compareOutputs(a: Float32Array, b: Float32Array, width: number): Comparison {
  if (a.length !== b.length || a.length % width !== 0)
    throw new RangeError(`cannot compare outputs of ${a.length} and ${b.length} values (width ${width})`);
  const samples = a.length / width;
  let maxAbsDiff = 0;
  let worstSample = 0;
  const mismatched: number[] = [];
  for (let s = 0; s < samples; s++) {
    const ra = a.subarray(s * width, (s + 1) * width);
    const rb = b.subarray(s * width, (s + 1) * width);
    for (let k = 0; k < width; k++) {
      const d = Math.abs(ra[k]! - rb[k]!);
      if (!(d <= maxAbsDiff)) {
        maxAbsDiff = Number.isNaN(d) ? Infinity : d;
        worstSample = s;
      }
    }
    if (argmax(ra) !== argmax(rb)) mismatched.push(s);
  }
  return {
    samples,
    maxAbsDiff,
    argmaxAgreement: samples ? (samples - mismatched.length) / samples : 1,
    argmaxMismatches: mismatched.length,
    mismatchedSamples: mismatched,
    worstSample,
  };
}

/**
 * tfjs probabilities of every output for `inputs` ([n, ...shape] row-major), from one pass of the
 * network; output k widened to [1 − p, p] when `widen[k]`.
 */
export function tfjsProbabilities(
  model: tf.LayersModel,
  inputs: Float32Array,
  shape: readonly number[],
  widen: readonly boolean[],
): Float32Array[] {
  return tf.tidy(() => {
    const predicted = model.predict(tf.tensor(inputs, [...shape]));
    return (Array.isArray(predicted) ? predicted : [predicted]).map((y, k) => {
      const p = widen[k] ? tf.concat([tf.sub(1, y), y], 1) : y;
      return new Float32Array(p.dataSync());
    });
  });
}

/**
 * Runs `session` (onnxruntime-node, CPU) on `inputs`, `batchSize` samples per run; returns the outputs
 * `outputNames`, each row-major over all samples.
 */
export async function ortNodeProbabilities(
  session: ort.InferenceSession,
  outputNames: readonly string[],
  inputs: Float32Array,
  shape: readonly number[],
  batchSize: number,
): Promise<Float32Array[]> {
  const [n, ...sample] = shape as [number, ...number[]];
  const per = sample.reduce((a, b) => a * b, 1);
  const chunks: Float32Array[][] = outputNames.map(() => []);
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const feed = new ort.Tensor('float32', inputs.slice(start * per, (start + count) * per), [
      count,
      ...sample,
    ]);
    const result = await session.run({ [session.inputNames[0]!]: feed });
    outputNames.forEach((name, k) => chunks[k]!.push(result[name]!.data as Float32Array));
  }
  return chunks.map((parts) => {
    const out = new Float32Array(parts.reduce((a, c) => a + c.length, 0));
    let offset = 0;
    for (const c of parts) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  });
}

export async function ortNodeSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
}
