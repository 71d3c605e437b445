/**
 * The proof that face-detector.onnx computes what BlazeFace computes: the original graph model run by
 * tfjs (cpu backend) on x / 127.5 − 1, its raw outputs decoded in TypeScript (sigmoid, anchors), and
 * the ONNX graph in onnxruntime-node on the same 0–255 images; every score and box value compared.
 * onnxruntime-web (wasm, in Node) runs the same images too: the web demo runs the detector there.
 * tfjs's pure-JS backend takes about 0.65 s an image at 256×256, so a few images are checked.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { DETECTOR_INPUT_VALUES, FaceKitError } from '@facekit/core';
import { seededRandom } from '@facekit/train';
import { ortNodeSession } from '../verify/compare.js';
import { checkInOrtWeb } from '../verify/ort-web.js';
import { decodeRaw } from './anchors.js';
import {
  DETECTOR_INPUT,
  DETECTOR_OUTPUTS,
  type DetectorExport,
  type HeadOutputs,
} from './export-detector.js';
import type { DetectorSource } from './source.js';

/**
 * Measured on 12 real faces and 4 noise images: scores differ by at most 8.4e-6 in onnxruntime-node and
 * 1.1e-5 in onnxruntime-web, boxes by 2.2e-4 px (float32 sums in another order through 70
 * convolutions; a logit off by 4e-5 moves a score by 1e-5). The tolerances leave about 5× room for
 * another CPU's kernels and none for a wrong graph, whose boxes are off by whole pixels.
 */
export const DETECTOR_TOLERANCE = { scores: 5e-5, boxes: 1e-3 } as const;

export interface DetectorVerification {
  readonly images: number;
  readonly realImages: number;
  readonly maxAbsDiff: { readonly scores: number; readonly boxes: number };
  /** The same figures for onnxruntime-web (wasm), when it was checked. */
  readonly web?: { readonly runtime: string; readonly scores: number; readonly boxes: number };
  readonly tolerance: typeof DETECTOR_TOLERANCE;
  /** Highest score tfjs gives per image: a real face should be found, noise should not. */
  readonly bestScores: readonly number[];
  readonly reference: string;
  readonly runtime: string;
}

/** `count` seeded images of uniform RGB noise in 0–255, whole numbers as a decoded photo has. */
export function noiseImages(count: number, seed = 17): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: count * DETECTOR_INPUT_VALUES }, () => Math.floor(random() * 256));
}

/** The source graph model in tfjs (whichever backend is set): the reference the ONNX file must reproduce. */
export async function loadDetectorGraph(source: DetectorSource): Promise<tf.GraphModel> {
  const data = source.weightData;
  return tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: source.json.modelTopology,
      weightSpecs: source.json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
      weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer,
    }),
  );
}

/**
 * tfjs's scores and boxes for one image ([256, 256, 3], 0–255), decoded from the graph model's raw
 * outputs `head` (face-detector.json's `source.rawOutputs`) as the ONNX file's head decodes them.
 */
export function tfjsDetect(
  model: tf.GraphModel,
  image: Float32Array,
  head: HeadOutputs,
): { scores: Float32Array; boxes: Float32Array } {
  const names = [...head.classifiers, ...head.regressors];
  const raw = tf.tidy(() => {
    const x = tf.sub(tf.div(tf.tensor(image, [...DETECTOR_INPUT.shape]), 127.5), 1);
    const out = model.execute(x, names);
    return (Array.isArray(out) ? out : [out]).map((t) => new Float32Array(t.dataSync()));
  });
  const k = head.classifiers.length;
  return decodeRaw(raw.slice(0, k), raw.slice(k));
}

/** The largest |a − b| over two arrays: Infinity when their lengths differ or a value is NaN. */
export const largestAbsDiff = (a: Float32Array, b: Float32Array): number => {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
};

/** Checks `images` ([n, 256, 256, 3], 0–255; the first `realImages` of them real photos). */
export async function verifyDetector(
  source: DetectorSource,
  exported: DetectorExport,
  images: Float32Array,
  realImages = 0,
  options: { web?: boolean } = {},
): Promise<DetectorVerification> {
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  const model = await loadDetectorGraph(source);
  const session = await ortNodeSession(exported.bytes);
  const diff = { scores: 0, boxes: 0 };
  const web = { runtime: '', scores: 0, boxes: 0 };
  const bestScores: number[] = [];
  const n = images.length / DETECTOR_INPUT_VALUES;
  try {
    for (let i = 0; i < n; i++) {
      const image = images.subarray(i * DETECTOR_INPUT_VALUES, (i + 1) * DETECTOR_INPUT_VALUES);
      const expected = tfjsDetect(model, image, exported.head);
      const feed = new ort.Tensor('float32', image.slice(), [...DETECTOR_INPUT.shape]);
      const got = await session.run({ [DETECTOR_INPUT.name]: feed });
      diff.scores = Math.max(diff.scores, largestAbsDiff(expected.scores, got.scores!.data as Float32Array));
      diff.boxes = Math.max(diff.boxes, largestAbsDiff(expected.boxes, got.boxes!.data as Float32Array));
      bestScores.push(Math.max(...expected.scores));
      if (options.web ?? true) {
        const [scores, boxes] = await checkInOrtWeb(
          exported.bytes,
          DETECTOR_OUTPUTS.map((o) => o.name),
          image,
          DETECTOR_INPUT.shape,
          [expected.scores, expected.boxes],
        );
        web.runtime = scores!.runtime;
        web.scores = Math.max(web.scores, scores!.maxAbsDiff);
        web.boxes = Math.max(web.boxes, boxes!.maxAbsDiff);
      }
    }
  } finally {
    await session.release();
    model.dispose();
  }
  const report: DetectorVerification = {
    images: n,
    realImages,
    maxAbsDiff: diff,
    tolerance: DETECTOR_TOLERANCE,
    bestScores,
    reference: `tfjs ${tf.version.tfjs} ${tf.getBackend()}`,
    runtime: `onnxruntime-node ${ort.env.versions.node ?? ''} cpu`.replace('  ', ' '),
    ...(web.runtime ? { web } : {}),
  };
  for (const [runtime, d] of [
    [report.runtime, diff],
    ...(report.web ? [[web.runtime, web] as const] : []),
  ] as const)
    if (!(d.scores <= DETECTOR_TOLERANCE.scores) || !(d.boxes <= DETECTOR_TOLERANCE.boxes))
      throw new FaceKitError(
        'MODEL_MISMATCH',
        `face-detector.onnx: export verification failed in ${runtime}: max abs difference scores ${d.scores} (tolerance ${DETECTOR_TOLERANCE.scores}), boxes ${d.boxes} px (tolerance ${DETECTOR_TOLERANCE.boxes}) over ${n} images`,
      );
  return report;
}
