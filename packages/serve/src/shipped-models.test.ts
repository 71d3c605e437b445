/**
 * The shipped models (models/manifest.json) load in the server with no options, and its answers are
 * the models' own: each probability equals what a bare onnxruntime session gives for the same face
 * scaled by hand (grey / 255, NHWC) on the output the manifest names, and each label is the
 * manifest's label at the argmax.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODELS } from './options.js';
import { CLASSIFY, gql, startTestServer, testPixels, type TestServer } from '../test/harness.js';

interface Entry {
  file: string;
  labels: string[];
  output: { name: string };
}

let server: TestServer;
let manifest: { models: Record<string, Entry> };
beforeAll(async () => {
  manifest = JSON.parse(await readFile(DEFAULT_MODELS, 'utf8')) as typeof manifest;
  server = await startTestServer({ models: DEFAULT_MODELS, executionProviders: ['cpu'] });
});
afterAll(() => server?.stop());

describe('the shipped models', () => {
  it('answer through the API exactly as a bare onnxruntime session does', async () => {
    const faces = [
      testPixels(11),
      testPixels(12),
      Array.from({ length: 2304 }, () => 0),
      Array.from({ length: 2304 }, () => 255),
    ];
    for (const pixels of faces) {
      const res = await gql(server.url, CLASSIFY, { input: { pixels } });
      expect(res.body.errors).toBeUndefined();
      const answer = res.body.data!.classify as Record<
        string,
        { label: string; probabilities: { probability: number }[] }
      >;
      for (const [task, entry] of Object.entries(manifest.models)) {
        const session = await ort.InferenceSession.create(
          path.join(path.dirname(DEFAULT_MODELS), entry.file),
        );
        const input = new ort.Tensor(
          'float32',
          Float32Array.from(pixels, (v) => v / 255),
          [1, 48, 48, 1],
        );
        const expected = Array.from(
          (await session.run({ image: input }))[entry.output.name]!.data as Float32Array,
        );
        await session.release();
        expect(answer[task]!.probabilities.map((p) => p.probability)).toEqual(expected);
        expect(answer[task]!.label).toBe(entry.labels[expected.indexOf(Math.max(...expected))]);
      }
    }
  });
});
