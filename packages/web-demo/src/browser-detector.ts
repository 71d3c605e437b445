/**
 * The face detector in the browser: models/face-detector.onnx (BlazeFace, `pnpm export:detector`),
 * fetched and refused unless its sha256 matches face-detector.json, opened with the runtime and
 * provider the classifiers got (on wasm when WebGPU cannot open it), and run by core's detectFaces —
 * the lines the server runs too, so both find the same squares.
 * A models folder without the detector still classifies: the page then says there is none and keeps
 * the centre square.
 */
import type * as Ort from 'onnxruntime-web';
import {
  DETECTOR_BOXES_NAME,
  DETECTOR_INPUT_NAME,
  DETECTOR_INPUT_SHAPE,
  DETECTOR_INPUT_VALUES,
  DETECTOR_SCORES_NAME,
  detectFaces,
  JsonFieldError,
  parseDetectorInfo,
  sha256Hex,
  type DetectedFace,
  type RgbaImage,
} from '@facekit/core';
import type { Provider } from './browser-models.js';

export interface BrowserDetector {
  readonly provider: Provider;
  /**
   * The faces in the photo, best first, and the milliseconds the search took: core's detectFaces, its
   * close look (tiles, for small faces) on unless `closeLook` is false.
   */
  detect(image: RgbaImage, closeLook?: boolean): Promise<{ faces: DetectedFace[]; ms: number }>;
}

async function open(ort: typeof Ort, bytes: Uint8Array, provider: Provider): Promise<Ort.InferenceSession> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: [provider] });
  try {
    // First run sets up the kernels, and a provider that opens the graph but cannot run it fails here.
    const blank = new ort.Tensor(
      'float32',
      new Float32Array(DETECTOR_INPUT_VALUES).fill(128),
      DETECTOR_INPUT_SHAPE,
    );
    const out = await session.run({ [DETECTOR_INPUT_NAME]: blank });
    if (!(out[DETECTOR_SCORES_NAME]!.data as Float32Array).every(Number.isFinite))
      throw new Error('non-finite scores for a blank photo');
    return session;
  } catch (error) {
    await session.release();
    throw error;
  }
}

/**
 * The detector under `base` (the models folder), or why there is none. `provider` is the classifiers';
 * a detector WebGPU cannot open is opened on wasm, and the returned provider says so.
 */
export async function loadBrowserDetector(
  ort: typeof Ort,
  base: URL,
  provider: Provider,
): Promise<BrowserDetector | { missing: string }> {
  const infoUrl = new URL('face-detector.json', base);
  const response = await fetch(infoUrl);
  if (response.status === 404)
    return { missing: 'no face detector in the models folder (pnpm export:detector)' };
  if (!response.ok) return { missing: `${infoUrl.pathname}: HTTP ${response.status}` };
  let info: ReturnType<typeof parseDetectorInfo>;
  try {
    info = parseDetectorInfo(await response.text(), infoUrl.pathname);
  } catch (error) {
    const message = (error as Error).message;
    return { missing: error instanceof JsonFieldError ? message : `${infoUrl.pathname}: ${message}` };
  }
  const fileUrl = new URL(info.file, base);
  const file = await fetch(fileUrl);
  if (!file.ok) return { missing: `${fileUrl.pathname}: HTTP ${file.status}` };
  const bytes = new Uint8Array(await file.arrayBuffer());
  const sha = await sha256Hex(bytes);
  if (sha !== info.sha256)
    return {
      missing: `${info.file}: sha256 ${sha.slice(0, 12)}… does not match face-detector.json (${info.sha256.slice(0, 12)}…)`,
    };
  let session: Ort.InferenceSession;
  let used = provider;
  try {
    session = await open(ort, bytes, provider);
  } catch (error) {
    if (provider === 'wasm')
      return { missing: `${info.file}: wasm cannot run it (${(error as Error).message})` };
    used = 'wasm';
    session = await open(ort, bytes, 'wasm').catch((again: Error) => {
      throw new Error(`${info.file}: neither WebGPU nor wasm can run it (${again.message})`, {
        cause: error,
      });
    });
  }
  // One run at a time, as for the classifiers (onnxruntime-web refuses a second run on a busy session).
  let queue: Promise<unknown> = Promise.resolve();
  const runNow = async (image: RgbaImage, closeLook: boolean) => {
    const started = performance.now();
    const faces = await detectFaces(
      image,
      async (input) => {
        const out = await session.run({
          [DETECTOR_INPUT_NAME]: new ort.Tensor('float32', input, DETECTOR_INPUT_SHAPE),
        });
        const scores = (await out[DETECTOR_SCORES_NAME]!.getData()) as Float32Array;
        const boxes = (await out[DETECTOR_BOXES_NAME]!.getData()) as Float32Array;
        return { scores, boxes };
      },
      { closeLook },
    );
    return { faces, ms: performance.now() - started };
  };
  return {
    provider: used,
    detect(image, closeLook = true) {
      const result = queue.then(() => runNow(image, closeLook));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
