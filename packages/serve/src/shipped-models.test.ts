/**
 * The shipped models (models/manifest.json) load in the server with no options, and its answers are
 * the models' own: each probability equals what a bare onnxruntime session gives for the same face
 * scaled by hand (grey / 255, NHWC) on the output the manifest names, and each label is the
 * manifest's label at the argmax. The README's example of running the file in one's own code gives
 * the server's answers on photos.
 */
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODELS } from './options.js';
import { CLASSIFY, gql, startTestServer, testPixels, type TestServer } from '../test/harness.js';
import { tempFolder } from '../../../tests/support/temp-folder.js';

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

  it("gives the README's own-code example's answers, on photos with and without a square or transparency", async () => {
    const root = path.resolve(path.dirname(DEFAULT_MODELS), '..');
    const readme = await readFile(path.join(root, 'README.md'), 'utf8');
    const example = /<!-- readme-example: classify\.mjs -->\s*```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example, 'the README example block').toBeDefined();
    // Beside this package's node_modules, where onnxruntime-node and sharp resolve.
    const script = path.resolve(
      path.dirname(DEFAULT_MODELS),
      '../packages/serve',
      `.readme-example-${process.pid}.mjs`,
    );
    const photos = await tempFolder('facekit-readme-');
    try {
      await writeFile(script, example!);
      const face = path.join(root, 'packages/web-demo/public/samples/white-female-55.png');
      // A face enlarged to 100 px (a fractional 100/48 reduction) in a 150×110 photo, once turned by EXIF.
      const photo = await sharp(face)
        .resize(100, 100, { kernel: 'cubic' })
        .extend({ left: 30, right: 20, top: 4, bottom: 6, background: '#7a6a5a' })
        .jpeg({ quality: 90 })
        .toBuffer();
      const turned = await sharp(photo).rotate(270).withMetadata({ orientation: 6 }).jpeg().toBuffer();
      // A PNG cut-out: a red margin hidden under alpha 0, the face's left half semi-transparent.
      const { data: rgb } = await sharp(face)
        .resize(100, 100, { kernel: 'cubic' })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const rgba = Buffer.alloc(150 * 110 * 4);
      for (let y = 0; y < 110; y++)
        for (let x = 0; x < 150; x++) {
          const [fx, fy] = [x - 30, y - 4];
          const inside = fx >= 0 && fx < 100 && fy >= 0 && fy < 100;
          const o = (fy * 100 + fx) * 3;
          rgba.set(
            inside ? [rgb[o]!, rgb[o + 1]!, rgb[o + 2]!, fx < 50 ? 150 : 255] : [220, 30, 30, 0],
            (y * 150 + x) * 4,
          );
        }
      const cutOut = await sharp(rgba, { raw: { width: 150, height: 110, channels: 4 } })
        .png()
        .toBuffer();
      const cases: [Buffer, number[] | undefined][] = [
        [photo, [30, 4, 100]],
        [photo, undefined],
        [turned, [30, 4, 100]],
        [cutOut, undefined],
      ];
      for (const [i, [bytes, square]] of cases.entries()) {
        const file = path.join(photos, `photo-${i}.jpg`);
        await writeFile(file, bytes);
        const { stdout } = await promisify(execFile)('node', [script, file, ...(square ?? []).map(String)], {
          cwd: root,
        });
        const printed = Object.fromEntries(
          stdout
            .trim()
            .split('\n')
            .map((line) => line.split(' '))
            .map(([task, label, confidence]) => [task, { label, confidence: Number(confidence) }]),
        );
        const crop = square ? { x: square[0], y: square[1], size: square[2] } : undefined;
        const res = await gql(
          server.url,
          'mutation($i: ClassifyInput!) { classify(input: $i) { age { label confidence } ethnicity { label confidence } gender { label confidence } } }',
          { i: { image: bytes.toString('base64'), ...(crop ? { crop } : {}) } },
        );
        expect(res.body.errors).toBeUndefined();
        const answer = res.body.data!.classify as Record<string, { label: string; confidence: number }>;
        for (const task of Object.keys(manifest.models)) {
          expect(printed[task]!.label, `photo ${i} ${task}`).toBe(answer[task]!.label);
          expect(
            Math.abs(printed[task]!.confidence - answer[task]!.confidence),
            `photo ${i} ${task}`,
          ).toBeLessThanOrEqual(5e-5);
        }
      }
    } finally {
      await rm(script, { force: true });
    }
  });
});
