/**
 * Photos sent as files (GraphQL multipart requests) end to end: a real server over fixture classifiers
 * and the shipped face detector. A photo sent as a file must get exactly the answer the same photo gets
 * as base64, in classify, classifyBatch and classifyFaces; a request without the CSRF preflight header,
 * an Upload written in the query's text, a file that is not a photo and a malformed request are refused
 * naming what is wrong, and the server goes on answering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLASSIFY,
  CLASSIFY_BATCH,
  gql,
  startTestServer,
  testPixels,
  type GraphQLResponse,
  type TestServer,
} from '../test/harness.js';
import { modelsWithDetector, pngBase64 } from '../test/face-photos.js';
import { faceScene, sampleFace } from '../../../tests/support/face-scene.js';

let server: TestServer;
let photo: Buffer; // a 640×480 PNG with two faces

beforeAll(async () => {
  server = await startTestServer({
    models: await modelsWithDetector(),
    maxBatchItems: 4,
    maxImageBytes: 1_000_000,
  });
  photo = Buffer.from(
    pngBase64(
      faceScene(
        [
          { face: await sampleFace('white-male-29.png'), square: { x: 40, y: 60, size: 180 } },
          { face: await sampleFace('black-female-47.png'), square: { x: 380, y: 200, size: 200 } },
        ],
        640,
        480,
        2,
      ),
    ),
    'base64',
  );
});
afterAll(() => server?.stop());

/**
 * POSTs `query` as a multipart request, each of `files` in the variable its path names (null in the
 * variables sent), as Apollo Client's upload link does.
 */
async function upload(
  query: string,
  variables: Record<string, unknown>,
  files: Record<string, Uint8Array>,
  headers: Record<string, string> = { 'apollo-require-preflight': 'true' },
): Promise<GraphQLResponse> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables }));
  const paths = Object.keys(files);
  form.append('map', JSON.stringify(Object.fromEntries(paths.map((p, i) => [i, [p]]))));
  paths.forEach((p, i) => form.append(String(i), new Blob([new Uint8Array(files[p]!)]), `photo-${i}.png`));
  const res = await fetch(server.url, { method: 'POST', headers, body: form });
  return { status: res.status, body: (await res.json()) as GraphQLResponse['body'] };
}

const CLASSIFY_FACES = `mutation($photo: Upload, $image: String) {
  classifyFaces(photo: $photo, image: $image) {
    width height
    faces { score crop { x y size angle } classification { source inputPixels age { label probabilities { probability } } gender { label confidence } } }
  }
}`;

describe('photos sent as files (multipart requests)', () => {
  it('classifyFaces answers a file exactly as it answers the same photo in base64', async () => {
    const asFile = await upload(CLASSIFY_FACES, { photo: null }, { 'variables.photo': photo });
    expect(asFile.body.errors).toBeUndefined();
    const asText = await gql(server.url, CLASSIFY_FACES, { image: photo.toString('base64') });
    expect(asFile.body.data).toEqual(asText.body.data);
    expect((asFile.body.data!.classifyFaces as { faces: unknown[] }).faces).toHaveLength(2);
  });

  it('classify and classifyBatch take files (with a crop) as they take base64, a bad file failing alone', async () => {
    const crop = { x: 380, y: 200, size: 200 };
    const one = await upload(CLASSIFY, { input: { photo: null, crop } }, { 'variables.input.photo': photo });
    const same = await gql(server.url, CLASSIFY, { input: { image: photo.toString('base64'), crop } });
    expect(one.body.errors).toBeUndefined();
    expect(one.body.data).toEqual(same.body.data);

    const notAPhoto = Buffer.from('GIF89a, or so it says');
    const batch = await upload(
      CLASSIFY_BATCH,
      { inputs: [{ photo: null, crop }, { pixels: testPixels(3) }, { photo: null }] },
      { 'variables.inputs.0.photo': photo, 'variables.inputs.2.photo': notAPhoto },
    );
    const answers = batch.body.data!.classifyBatch as ({ source: string } | null)[];
    expect(answers[0]).toMatchObject({ source: 'image' });
    expect(answers[1]).toMatchObject({ source: 'pixels' });
    expect(answers[2]).toBeNull();
    expect(batch.body.errors).toEqual([
      expect.objectContaining({
        path: ['classifyBatch', 2],
        extensions: expect.objectContaining({ code: 'INVALID_IMAGE' }),
      }),
    ]);
    expect(batch.body.errors![0]!.message).toMatch(/^inputs\[2\]\.photo: /);
  });

  it('refuses a file over the image limit, naming its variable, and both image and photo at once', async () => {
    const large = Buffer.alloc(1_000_001, 7);
    const res = await upload(CLASSIFY, { input: { photo: null } }, { 'variables.input.photo': large });
    expect(res.body.errors![0]).toMatchObject({
      message: 'input.photo: is a 1000001-byte file; the limit is 1000000 bytes',
      extensions: expect.objectContaining({ code: 'IMAGE_TOO_LARGE' }),
    });
    const both = await upload(
      CLASSIFY_FACES,
      { photo: null, image: 'aGVsbG8=' },
      { 'variables.photo': photo },
    );
    expect(both.body.errors![0]).toMatchObject({
      message: 'classifyFaces: give exactly one of image or photo (got both)',
      extensions: expect.objectContaining({ code: 'INVALID_INPUT' }),
    });
  });

  it('refuses a multipart request without the CSRF preflight header, as a browser form could send it', async () => {
    const res = await upload(CLASSIFY_FACES, { photo: null }, { 'variables.photo': photo }, {});
    expect(res.status).toBe(400);
    expect(res.body.errors![0]!.message).toMatch(/Cross-Site Request Forgery.*apollo-require-preflight/s);
  });

  it('refuses an Upload written in the query or sent as JSON, saying how to send a file', async () => {
    const literal = await gql(server.url, 'mutation { classifyFaces(photo: "aGVsbG8=") { width } }');
    expect(literal.body.errors![0]!.message).toMatch(
      /Upload is a file part of a multipart\/form-data request/,
    );
    const asJson = await gql(server.url, CLASSIFY_FACES, { photo: 'aGVsbG8=' });
    expect(asJson.body.errors![0]!.message).toMatch(
      /Upload is a file part of a multipart\/form-data request/,
    );
  });

  it('answers a malformed multipart request with INVALID_MULTIPART and goes on serving', async () => {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: CLASSIFY_FACES, variables: { photo: null } }));
    form.append('map', JSON.stringify({ 0: ['variables.picture'] }));
    form.append('0', new Blob([new Uint8Array(photo)]), 'photo.png');
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'apollo-require-preflight': '1' },
      body: form,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errors: [
        {
          message: 'map["0"]: names variables.picture, which is not a variable of operations',
          extensions: { code: 'INVALID_MULTIPART', field: 'map["0"]' },
        },
      ],
    });
    const after = await upload(CLASSIFY_FACES, { photo: null }, { 'variables.photo': photo });
    expect(after.body.errors).toBeUndefined();
  });

  it('answers a body that ends inside its file, or holds a nameless part of 16 KiB, and goes on serving', async () => {
    // The first ended the server's process (an uncaught error on the file part's stream); the second
    // was never answered (busboy, skipping the part, stalled).
    const head = (extra: string) =>
      Buffer.from(
        `--b\r\ncontent-disposition: form-data; name="operations"\r\n\r\n` +
          `${JSON.stringify({ query: CLASSIFY_FACES, variables: { photo: null } })}\r\n` +
          `--b\r\ncontent-disposition: form-data; name="map"\r\n\r\n{"0": ["variables.photo"]}\r\n${extra}`,
      );
    const post = async (body: Buffer) => {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data; boundary=b', 'apollo-require-preflight': '1' },
        body: new Uint8Array(body),
        signal: AbortSignal.timeout(5000),
      });
      return { status: res.status, body: (await res.json()) as GraphQLResponse['body'] };
    };
    const cut = await post(
      Buffer.concat([
        head('--b\r\ncontent-disposition: form-data; name="0"; filename="a.png"\r\n\r\n'),
        photo.subarray(0, 1000),
      ]),
    );
    expect(cut.status).toBe(400);
    expect(cut.body.errors![0]).toMatchObject({
      message: expect.stringMatching(/^0: is cut short: the body ends inside it/),
      extensions: { code: 'INVALID_MULTIPART', field: '0' },
    });
    const nameless = await post(
      Buffer.concat([
        head('--b\r\ncontent-type: image/png\r\n\r\n'),
        photo.subarray(0, 16 * 1024),
        Buffer.from('\r\n--b\r\ncontent-disposition: form-data; name="0"\r\n\r\n'),
        photo,
        Buffer.from('\r\n--b--\r\n'),
      ]),
    );
    expect(nameless.body.errors).toBeUndefined();
    expect((nameless.body.data!.classifyFaces as { faces: unknown[] }).faces).toHaveLength(2);
    const after = await upload(CLASSIFY_FACES, { photo: null }, { 'variables.photo': photo });
    expect(after.body.errors).toBeUndefined();
  });
});
