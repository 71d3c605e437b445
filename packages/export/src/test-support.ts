/**
 * Shared by the exporter's tests (not shipped through index.ts): deterministic random weights for
 * tiny tfjs models, and one call that exports a model and checks it against tfjs in onnxruntime-node
 * at several batch sizes. Weights are drawn so that outputs stay away from saturation, where a wrong
 * graph would still agree with tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { exportLayersModel, type ExportOptions, type OnnxExport } from './export-model.js';
import { seededRandom } from '@facekit/train';
import { verifyExport, type VerificationReport } from './verify/verify.js';

export async function useCpu(): Promise<void> {
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
}

/** Replaces every weight with seeded uniform values; BatchNormalization variances and gammas stay positive. */
export function randomizeWeights(model: tf.LayersModel, seed = 1, range = 0.5): void {
  const random = seededRandom(seed);
  for (const layer of model.layers) {
    const values = layer.weights.map((w) => {
      const shape = w.shape as number[];
      const size = shape.reduce((a, b) => a * b, 1);
      const positive = /(moving_variance|gamma)$/.test(w.originalName ?? w.name);
      const data = Float32Array.from({ length: size }, () =>
        positive ? 0.5 + random() : (random() * 2 - 1) * range,
      );
      return tf.tensor(data, shape);
    });
    layer.setWeights(values);
    values.forEach((t) => t.dispose());
  }
}

export interface ParityResult {
  readonly exported: OnnxExport;
  readonly report: VerificationReport;
}

/** Exports `model` and verifies it on `samples` synthetic inputs in batches of 1, 3 and `samples`. */
export async function exportAndVerify(
  model: tf.LayersModel,
  options: ExportOptions & { samples?: number; web?: boolean } = {},
): Promise<ParityResult> {
  await useCpu();
  const exported = await exportLayersModel(model, options);
  const samples = options.samples ?? 7;
  let report: VerificationReport | undefined;
  for (const batchSize of [3, samples]) {
    [report] = await verifyExport(model, exported, {
      synthetic: samples,
      batchSize,
      web: options.web ?? false,
    });
  }
  return { exported, report: report! };
}
