import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { relativeError } from './gradient-check.js';
import { listTrainingBackends, selectTrainingBackend } from './index.js';
import { chunking } from './webgpu-conv2d-backprop-filter.js';

// The test setup shows Dawn Chromium's SwiftShader where no GPU is present; CI must run these.
const webgpu = (await listTrainingBackends()).find((s) => s.name === 'webgpu')!;
const mustRun = process.env.CI === 'true';

describe('chunking of the filter-gradient sum', () => {
  it('cuts long sums into enough chunks to fill the GPU, never below 32 terms a chunk', () => {
    // First layer of the shared networks at batch 128: 72 filter elements, 128 × 48 × 48 terms.
    expect(chunking(128 * 48 * 48, 72)).toEqual({ chunks: 1821, chunkLength: 162 });
    // A deep layer: 18,432 elements already fill the GPU, so only a few chunks.
    expect(chunking(128 * 12 * 12, 3 * 3 * 32 * 64)).toEqual({ chunks: 8, chunkLength: 2304 });
    // Short sums stay whole chunks of at least 32 terms; one chunk when there is little to split.
    expect(chunking(100, 8)).toEqual({ chunks: 4, chunkLength: 25 });
    expect(chunking(20, 8)).toEqual({ chunks: 1, chunkLength: 20 });
    for (const [terms, elements] of [
      [295_000, 9],
      [1, 1],
      [12_345, 6_789],
    ] as const) {
      const { chunks, chunkLength } = chunking(terms, elements);
      expect(chunks * chunkLength).toBeGreaterThanOrEqual(terms);
      expect((chunks - 1) * chunkLength).toBeLessThan(terms);
    }
  });
});

/** The filter gradient of conv2d(x, w) against a fixed dy, on the active backend. */
async function filterGradient(
  xShape: [number, number, number, number],
  filter: [number, number, number, number],
  stride: number,
  pad: 'same' | 'valid',
): Promise<Float32Array> {
  const x = tf.randomUniform(xShape, -1, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomUniform(filter, -1, 1, 'float32', 2) as tf.Tensor4D;
  const dy = tf.randomUniform(tf.conv2d(x, w, stride, pad).shape, -1, 1, 'float32', 3);
  const grad = tf.grad((wv: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, wv as tf.Tensor4D, stride, pad), dy)))(
    w,
  );
  const out = (await grad.data()) as Float32Array;
  tf.dispose([x, w, dy, grad]);
  return out;
}

describe('the webgpu Conv2DBackpropFilter', () => {
  // Layers of the project's networks at batch 4 (many chunks), and odd sizes with strides.
  const cases = [
    { name: '1→8 3×3 same s1, 48×48', x: [4, 48, 48, 1], w: [3, 3, 1, 8], stride: 1, pad: 'same' },
    { name: '8→16 3×3 same s2, 24×24', x: [4, 24, 24, 8], w: [3, 3, 8, 16], stride: 2, pad: 'same' },
    { name: '5→7 3×3 valid s2, 13×11', x: [3, 13, 11, 5], w: [3, 3, 5, 7], stride: 2, pad: 'valid' },
    { name: '16→32 1×1 valid s1, 6×6', x: [2, 6, 6, 16], w: [1, 1, 16, 32], stride: 1, pad: 'valid' },
  ] as const;

  it.skipIf(!webgpu.available && !mustRun).each(cases)(
    '$name: the chunked kernel runs and matches cpu',
    async ({ x, w, stride, pad }) => {
      expect(webgpu.available, `webgpu: ${webgpu.reason}`).toBe(true);
      await selectTrainingBackend('cpu');
      const reference = await filterGradient([...x], [...w], stride, pad);
      await selectTrainingBackend('webgpu');
      const result = await filterGradient([...x], [...w], stride, pad);
      const pipelines = Object.keys((tf.backend() as unknown as { pipelineCache: object }).pipelineCache);
      expect(pipelines.some((key) => key.startsWith('facekitConv2DFilterGradPartials'))).toBe(true);
      expect(relativeError(result, reference)).toBeLessThan(1e-5);
    },
  );
});
