/**
 * What the benchmarks send: real faces from the dataset CSV when it is present (the first rows, read
 * by streaming a few lines), synthetic faces otherwise; each as a pixels request and as a 200×200 JPEG
 * photo request (the face upscaled, as a phone photo of a face would be after cropping), eight as a
 * classifyFaces request of a 640×480 JPEG holding the face — in base64 JSON, and as a file in a
 * multipart request — plus the bad requests the soak mixes in.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import sharp from 'sharp';
import { PIXEL_COUNT } from '@facekit/core';
import { faceScene } from '../../../tests/support/face-scene.js';

/** `count` faces (2304 grey levels each) from the CSV, or synthetic ones when there is none. */
export async function loadFaces(
  count: number,
  dataFile: string | undefined,
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

/** A 640×480 JPEG (quality 90) holding `face` at a square that differs with `seed`. */
async function photoJpeg(face: number[], seed: number): Promise<Buffer> {
  const size = 120 + (seed % 5) * 30;
  const square = { x: (seed * 37) % (640 - size), y: (seed * 23) % (480 - size), size };
  const photo = faceScene([{ face: Uint8Array.from(face), square }], 640, 480, seed);
  const jpeg = await sharp(photo.data, { raw: { width: 640, height: 480, channels: 4 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  return jpeg;
}

export const FACES_QUERY = `mutation ClassifyFaces($image: String, $photo: Upload) {
  classifyFaces(image: $image, photo: $photo) {
    faces {
      score
      crop { x y size }
      classification {
        age { label confidence probabilities { label probability } }
        ethnicity { label confidence probabilities { label probability } }
        gender { label confidence probabilities { label probability } }
      }
    }
  }
}`;

export const PAYLOAD_KINDS = ['pixels', 'jpeg', 'photo', 'photo-file'] as const;
export type PayloadKind = (typeof PAYLOAD_KINDS)[number];

/** The request bodies of one kind of payload, and the content type they are sent with. */
export interface Payload {
  readonly bodies: readonly (string | Buffer)[];
  readonly contentType: string;
}

export type Payloads = Record<PayloadKind, Payload> & {
  readonly jpegBytes: number;
  readonly photoBytes: number;
};

const meanBytes = (base64: readonly string[]) =>
  Math.round(base64.reduce((s, b) => s + (b.length * 3) / 4, 0) / base64.length);

const JSON_TYPE = 'application/json';
const BOUNDARY = 'facekit-bench-boundary';
/** The headers of a multipart request: its type, and Apollo's CSRF preflight header. */
export const MULTIPART_HEADERS = {
  'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
  'apollo-require-preflight': 'true',
};

/**
 * A GraphQL multipart request, as `curl -F` sends one: `query` with `variables`, `file` filling the
 * variable at `path` (null in `variables`); with `map` given, that map instead of the right one.
 */
export function fileRequest(
  query: string,
  variables: Record<string, unknown>,
  path: string,
  file: Buffer,
  map = JSON.stringify({ 0: [path] }),
): Buffer {
  const part = (name: string, headers = '') =>
    `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${name}"${headers}\r\n\r\n`;
  return Buffer.concat([
    Buffer.from(
      `${part('operations')}${JSON.stringify({ query, variables })}\r\n${part('map')}${map}\r\n` +
        part('0', '; filename="photo.jpg"\r\ncontent-type: image/jpeg'),
    ),
    file,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

export async function makePayloads(faces: number[][]): Promise<Payloads> {
  const jpegs = await Promise.all(faces.map((f) => faceJpeg(f)));
  // Eight photos are variety enough; a 640×480 scene takes a moment to draw.
  const photos = await Promise.all(faces.slice(0, 8).map((f, i) => photoJpeg(f, i + 1)));
  const asJson = (bodies: string[]) => ({ bodies, contentType: JSON_TYPE });
  return {
    pixels: asJson(faces.map((pixels) => body({ pixels }))),
    jpeg: asJson(jpegs.map((image) => body({ image }))),
    photo: asJson(
      photos.map((photo) =>
        JSON.stringify({ query: FACES_QUERY, variables: { image: photo.toString('base64') } }),
      ),
    ),
    'photo-file': {
      bodies: photos.map((photo) => fileRequest(FACES_QUERY, { photo: null }, 'variables.photo', photo)),
      contentType: MULTIPART_HEADERS['content-type'],
    },
    jpegBytes: meanBytes(jpegs),
    photoBytes: Math.round(photos.reduce((s, p) => s + p.length, 0) / photos.length),
  };
}

/**
 * Bad requests for the soak, each with the code the server (in production mode, as the benchmarks run
 * it) must answer. A query too deep needs introspection's recursive types, which production refuses
 * first, so that one is answered GRAPHQL_VALIDATION_FAILED there.
 */
export function badRequests(
  face: number[],
): { name: string; body: string | Buffer; code: string; headers?: Record<string, string> }[] {
  const wrongValue = [...face];
  wrongValue[100] = 300;
  const deep = `{ __schema { types { fields { type { ${'ofType { '.repeat(12)}name${' }'.repeat(12)} } } } } }`;
  const aliases = Array.from({ length: 1300 }, (_, i) => `a${i}: classify(input: $input) { provider }`).join(
    ' ',
  );
  const batch = `mutation { classifyBatch(inputs: [${'{}, '.repeat(300)}]) { provider } }`;
  const text = Buffer.from('hello, I am text');
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
    {
      name: 'file fills no variable',
      body: fileRequest(
        PHOTO_QUERY,
        { photo: null },
        'variables.photo',
        text,
        '{"0": ["variables.picture"]}',
      ),
      code: 'INVALID_MULTIPART',
      headers: MULTIPART_HEADERS,
    },
    {
      name: 'file not an image',
      body: fileRequest(PHOTO_QUERY, { photo: null }, 'variables.photo', text),
      code: 'INVALID_IMAGE',
      headers: MULTIPART_HEADERS,
    },
  ];
}

/** classify with its photo as a file. */
export const PHOTO_QUERY = BENCH_QUERY.replace('$input: ClassifyInput!', '$photo: Upload').replace(
  'classify(input: $input)',
  'classify(input: { photo: $photo })',
);
