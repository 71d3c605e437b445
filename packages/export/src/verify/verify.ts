/**
 * Verification that runs on every export: the tfjs source (cpu backend) and the ONNX graph in
 * onnxruntime-node on the same inputs — in batches and one at a time, so the dynamic batch dimension
 * is exercised — and a load-and-run in onnxruntime-web. Every output of the graph is checked, from one
 * pass of each runtime: a shared network's three tasks cost one reference run, not three. Any
 * probability further apart than the tolerance, or any differing argmax, fails the export with the
 * figures in the error.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { FaceKitError } from '@facekit/core';
import type { OnnxExport } from '../export-model.js';
import {
  compareOutputs,
  ortNodeProbabilities,
  ortNodeSession,
  tfjsProbabilities,
  type Comparison,
} from './compare.js';
import { syntheticInputs } from './inputs.js';
import { checkInOrtWeb, type WebCheck } from './ort-web.js';

/** The parity target of issue 3: float32 CPU runtimes agree to 1e-5 on every probability. */
export const DEFAULT_TOLERANCE = 1e-5;

export interface VerifyOptions {
  /** Extra samples to check (e.g. real faces), row-major in the model's input layout. */
  readonly inputs?: Float32Array;
  /** Seeded synthetic samples added after `inputs` (black, white, noise). Default 64. */
  readonly synthetic?: number;
  readonly seed?: number;
  readonly batchSize?: number;
  readonly tolerance?: number;
  /** Also load and run in onnxruntime-web (wasm). Default true. */
  readonly web?: boolean;
  /** Samples run in onnxruntime-web. Default 32. */
  readonly webSamples?: number;
}

export interface VerificationReport extends Comparison {
  readonly realSamples: number;
  readonly syntheticSamples: number;
  readonly tolerance: number;
  readonly runtime: string;
  readonly reference: string;
  readonly batchSizes: readonly number[];
  /** Largest |row sum − 1| of the tfjs outputs: near 0 when the model's output is a probability distribution. */
  readonly rowSumError: number;
  readonly web?: WebCheck;
}

function rowSumError(values: Float32Array, width: number): number {
  let worst = 0;
  for (let s = 0; s < values.length; s += width) {
    let sum = 0;
    for (let k = 0; k < width; k++) sum += values[s + k]!;
    worst = Math.max(worst, Math.abs(sum - 1));
  }
  return worst;
}

/** The exported graph does not compute what its tfjs source computes. */
export class VerificationError extends FaceKitError {
  constructor(
    readonly model: string,
    readonly report: VerificationReport,
    reason: string,
  ) {
    super('MODEL_MISMATCH', `${model}: export verification failed: ${reason}`);
  }
}

/**
 * `batched` covers every sample; `single` re-runs the first few one at a time. Samples count once: one
 * whose argmax differs in either run is one mismatch.
 */
function merge(batched: Comparison, single: Comparison): Comparison {
  const worst = single.maxAbsDiff > batched.maxAbsDiff ? single : batched;
  const mismatched = [...new Set([...batched.mismatchedSamples, ...single.mismatchedSamples])].sort(
    (a, b) => a - b,
  );
  return {
    samples: batched.samples,
    maxAbsDiff: worst.maxAbsDiff,
    argmaxAgreement: batched.samples ? (batched.samples - mismatched.length) / batched.samples : 1,
    argmaxMismatches: mismatched.length,
    mismatchedSamples: mismatched,
    worstSample: worst.worstSample,
  };
}

/**
 * Checks every output of `exported` against the same output of `model`; one report per output, in
 * their order. Throws VerificationError, naming the output, on the first that disagrees.
 */
export async function verifyExport(
  model: tf.LayersModel,
  exported: OnnxExport,
  options: VerifyOptions = {},
): Promise<VerificationReport[]> {
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  const sample = exported.inputShape.slice(1);
  if (sample.some((d) => typeof d !== 'number'))
    throw new Error(`cannot verify a model with dynamic input dims [${exported.inputShape.join(', ')}]`);
  const per = (sample as number[]).reduce((a, b) => a * b, 1);
  const real = options.inputs ?? new Float32Array();
  const synthetic = syntheticInputs(options.synthetic ?? 64, per, options.seed);
  const inputs = new Float32Array(real.length + synthetic.length);
  inputs.set(real);
  inputs.set(synthetic, real.length);
  const n = inputs.length / per;
  const shape = [n, ...(sample as number[])];
  const { outputs } = exported;
  const names = outputs.map((o) => o.name);
  const widths = outputs.map((o) => o.shape[1] as number);
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const batchSize = options.batchSize ?? 64;

  const references = tfjsProbabilities(
    model,
    inputs,
    shape,
    outputs.map((o) => o.twoClassFromSigmoid),
  );
  const session = await ortNodeSession(exported.bytes);
  let comparisons: Comparison[];
  try {
    const batched = await ortNodeProbabilities(session, names, inputs, shape, batchSize);
    const singles = Math.min(n, 8);
    const one = await ortNodeProbabilities(
      session,
      names,
      inputs.subarray(0, singles * per),
      [singles, ...(sample as number[])],
      1,
    );
    comparisons = references.map((reference, k) =>
      merge(
        compareOutputs(reference, batched[k]!, widths[k]!),
        compareOutputs(reference.subarray(0, singles * widths[k]!), one[k]!, widths[k]!),
      ),
    );
  } finally {
    await session.release();
  }
  let webChecks: WebCheck[] | undefined;
  if (options.web ?? true) {
    const m = Math.min(n, options.webSamples ?? 32);
    webChecks = await checkInOrtWeb(
      exported.bytes,
      names,
      inputs.subarray(0, m * per),
      [m, ...(sample as number[])],
      references.map((reference, k) => reference.subarray(0, m * widths[k]!)),
    );
  }
  return comparisons.map((comparison, k) => {
    const web = webChecks?.[k];
    const report: VerificationReport = {
      ...comparison,
      realSamples: real.length / per,
      syntheticSamples: synthetic.length / per,
      tolerance,
      runtime: `onnxruntime-node ${ort.env.versions.node ?? ''} cpu`.replace('  ', ' '),
      reference: `tfjs ${tf.version.tfjs} ${tf.getBackend()}`,
      batchSizes: [batchSize, 1],
      rowSumError: rowSumError(references[k]!, widths[k]!),
      ...(web ? { web } : {}),
    };
    const reason = disagreement(report);
    if (reason)
      throw new VerificationError(
        outputs.length === 1 ? model.name : `${model.name} (${names[k]})`,
        report,
        reason,
      );
    return report;
  });
}

/**
 * Why `report` fails its export, or undefined where onnxruntime-node, and onnxruntime-web where it ran,
 * agree with tfjs within the report's tolerance and on every argmax.
 */
export function disagreement(report: VerificationReport): string | undefined {
  const { tolerance, web } = report;
  if (!(report.maxAbsDiff <= tolerance))
    return `max abs difference ${report.maxAbsDiff} > ${tolerance} (sample ${report.worstSample})`;
  if (report.argmaxMismatches > 0) return `${report.argmaxMismatches} of ${report.samples} argmax differ`;
  if (web && (!(web.maxAbsDiff <= tolerance) || web.argmaxMismatches > 0))
    return `onnxruntime-web differs: max abs difference ${web.maxAbsDiff}, ${web.argmaxMismatches} argmax differ`;
  return undefined;
}
