/**
 * What the benchmarks send: real faces from the dataset CSV when it is present (the first rows, read
 * by streaming a few lines), synthetic faces otherwise; each as a pixels request and as a 200×200 JPEG
 * photo request (the face upscaled, as a phone photo of a face would be after cropping), plus the bad
 * requests the soak mixes in.
 */
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { FaceKitError, PIXEL_COUNT } from '@facekit/core';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * --data, $FACEKIT_DATA, data/age_gender.csv, ../shared/data/utkface48.csv — the first that exists; a
 * --data file that does not exist is an error rather than a quiet fall-back to another file.
 */
export function findDataFile(given?: string): string | null {
  if (given && !existsSync(given)) throw new FaceKitError('DATA_NOT_FOUND', `--data ${given}: no such file`);
  const candidates = [
    given,
    process.env.FACEKIT_DATA,
    path.join(repoRoot, 'data', 'age_gender.csv'),
    path.resolve(repoRoot, '..', 'shared', 'data', 'utkface48.csv'),
  ];
  return candidates.find((c): c is string => !!c && existsSync(c)) ?? null;
}

/** `count` faces (2304 grey levels each) from the CSV, or synthetic ones when there is none. */
export async function loadFaces(
  count: number,
  dataFile: string | null,
): Promise<{ faces: number[][]; source: string }> {
  if (dataFile) {
    const faces: number[][] = [];
    const lines = createInterface({ input: createReadStream(dataFile), crlfDelay: Infinity });
    for await (const line of lines) {
      const pixels = line
        .slice(line.lastIndexOf(',') + 1)
        .trim()
        .split(' ')
        .map(Number);
      if (pixels.length === PIXEL_COUNT && pixels.every((v) => Number.isInteger(v))) faces.push(pixels);
      if (faces.length === count) break;
    }
    lines.close();
    if (faces.length === count) return { faces, source: dataFile };
  }
  const faces = Array.from({ length: count }, (_, f) =>
    Array.from({ length: PIXEL_COUNT }, (_, i) =>
      Math.round(128 + 90 * Math.sin((i % 48) / (3 + f)) * Math.cos(i / 48 / (4 + f))),
    ),
  );
  return { faces, source: 'synthetic' };
}

/** A face as a 200×200 JPEG (quality 90), base64. */
export async function faceJpeg(face: number[], side = 200): Promise<string> {
  const grey = Buffer.from(face);
  const jpeg = await sharp(grey, { raw: { width: 48, height: 48, channels: 1 } })
    .resize(side, side, { kernel: 'cubic' })
    .toColourspace('srgb')
    .jpeg({ quality: 90 })
    .toBuffer();
  return jpeg.toString('base64');
}

export const BENCH_QUERY = `mutation Classify($input: ClassifyInput!) {
  classify(input: $input) {
    provider
    age { label confidence probabilities { label probability } }
    ethnicity { label confidence probabilities { label probability } }
    gender { label confidence probabilities { label probability } }
  }
}`;

export const body = (input: Record<string, unknown>, query = BENCH_QUERY) =>
  JSON.stringify({ query, variables: { input } });

export interface Payloads {
  readonly pixels: string[];
  readonly jpeg: string[];
  readonly jpegBytes: number;
}

export async function makePayloads(faces: number[][]): Promise<Payloads> {
  const jpegs = await Promise.all(faces.map((f) => faceJpeg(f)));
  return {
    pixels: faces.map((pixels) => body({ pixels })),
    jpeg: jpegs.map((image) => body({ image })),
    jpegBytes: Math.round(jpegs.reduce((s, j) => s + (j.length * 3) / 4, 0) / jpegs.length),
  };
}

/**
 * Bad requests for the soak, each with the code the server (in production mode, as the benchmarks run
 * it) must answer. A query too deep needs introspection's recursive types, which production refuses
 * first, so that one is answered GRAPHQL_VALIDATION_FAILED there.
 */
export function badRequests(face: number[]): { name: string; body: string; code: string }[] {
  const wrongValue = [...face];
  wrongValue[100] = 300;
  const deep = `{ __schema { types { fields { type { ${'ofType { '.repeat(12)}name${' }'.repeat(12)} } } } } }`;
  const aliases = Array.from({ length: 1300 }, (_, i) => `a${i}: classify(input: $input) { provider }`).join(
    ' ',
  );
  const batch = `mutation { classifyBatch(inputs: [${'{}, '.repeat(300)}]) { provider } }`;
  return [
    { name: 'short pixels', body: body({ pixels: face.slice(0, 100) }), code: 'INVALID_PIXELS' },
    { name: 'pixel 300', body: body({ pixels: wrongValue }), code: 'INVALID_PIXELS' },
    { name: 'bad base64', body: body({ image: '***not base64***' }), code: 'INVALID_BASE64' },
    {
      name: 'not an image',
      body: body({ image: Buffer.from('hello, I am text').toString('base64') }),
      code: 'INVALID_IMAGE',
    },
    { name: 'neither input', body: body({}), code: 'INVALID_INPUT' },
    { name: 'bad JSON', body: '{"query": "mutation {', code: 'INVALID_JSON' },
    { name: 'too deep', body: JSON.stringify({ query: deep }), code: 'GRAPHQL_VALIDATION_FAILED' },
    {
      name: 'too costly',
      body: body({ pixels: face }, `mutation($input: ClassifyInput!) { ${aliases} }`),
      code: 'QUERY_TOO_COSTLY',
    },
    { name: 'too many items', body: JSON.stringify({ query: batch }), code: 'BATCH_TOO_LARGE' },
    { name: 'unknown field', body: JSON.stringify({ query: '{ nope }' }), code: 'GRAPHQL_VALIDATION_FAILED' },
  ];
}
