/**
 * The photo classifier against the server it stands in for: the same fixture classifiers and shipped
 * face detector, both on the CPU provider, the same photos (the web demo's sample faces pasted at known
 * squares). Every field classifyFaces answers — sizes, scores, squares, boxes, keypoints, labels,
 * probabilities, the grey levels the models saw — must be the classifier's exactly, as must classify's
 * for the centre square and for a given crop; a bad file is refused with the server's reason; and over a
 * corrupt detector, detection fails with the reason health.detector gives while `detect: false` works.
 */
import { readdir, copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASKS, type FaceCrop } from '@facekit/core';
import { faceScene, sampleFace, type PlacedFace } from '../../../tests/support/face-scene.js';
import { modelsWithDetector, pngBase64 } from '../test/face-photos.js';
import { gql, startTestServer, testPhoto, type TestServer } from '../test/harness.js';
import { photoFailure } from './classify-report.js';
import { openPhotoClassifier, type PhotoClassification, type PhotoClassifier } from './photo-classifier.js';
import { tempFolder } from '../../../tests/support/temp-folder.js';

const ANSWER = `fragment Task on TaskPrediction {
  task label index confidence probabilities { label probability } modelVersion modelSha256
}
fragment Answer on Classification {
  provider source inputPixels age { ...Task } ethnicity { ...Task } gender { ...Task }
}`;

const CLASSIFY_FACES = `mutation($image: String!, $minScore: Float, $maxFaces: Int) {
  classifyFaces(image: $image, minScore: $minScore, maxFaces: $maxFaces) {
    width height
    faces {
      score
      crop { x y size angle }
      box { x y width height }
      keypoints { rightEye { x y } leftEye { x y } nose { x y } mouth { x y } rightEar { x y } leftEar { x y } }
      classification { ...Answer }
    }
  }
}
${ANSWER}`;

const CLASSIFY = `mutation($input: ClassifyInput!) { classify(input: $input) { ...Answer } }
${ANSWER}`;

/** A classifier's answer for a face as GraphQL writes it: tasks not asked null, grey levels a list. */
function asGraphQL({ inputPixels, ...answer }: PhotoClassification): Record<string, unknown> {
  const tasks = Object.fromEntries(TASKS.map((task) => [task, answer[task] ?? null]));
  return { ...answer, ...tasks, inputPixels: Array.from(inputPixels) };
}

/** A photo of the demo's sample faces at their squares, as a PNG's bytes. */
async function scene(
  faces: readonly (Omit<PlacedFace, 'face'> & { sample: string })[],
  seed: number,
): Promise<Uint8Array> {
  const placed = await Promise.all(faces.map(async (f) => ({ ...f, face: await sampleFace(f.sample) })));
  return Buffer.from(pngBase64(faceScene(placed, 640, 480, seed)), 'base64');
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error & { code?: string }) => error,
  );
}

let models: string;
let server: TestServer;
let classifier: PhotoClassifier;

beforeAll(async () => {
  models = await modelsWithDetector();
  [server, classifier] = await Promise.all([
    startTestServer({ models, executionProviders: ['cpu'] }),
    openPhotoClassifier({ models, executionProviders: ['cpu'] }),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), classifier?.close()]);
});

/** classifyFaces' answer for `photo` and the classifier's, in GraphQL's form. */
async function bothAnswers(photo: Uint8Array, options: { minScore?: number; maxFaces?: number } = {}) {
  const res = await gql(server.url, CLASSIFY_FACES, { image: base64(photo), ...options });
  expect(res.body.errors).toBeUndefined();
  const ours = await classifier.classifyPhoto(photo, { name: 'photo.png', ...options });
  return {
    server: res.body.data!.classifyFaces,
    ours: { ...ours, faces: ours.faces.map((f) => ({ ...f, classification: asGraphQL(f.classification) })) },
  };
}

describe('classifyPhoto, finding the faces', () => {
  it.each([
    ['one upright face', [{ sample: 'white-male-29.png', square: { x: 300, y: 120, size: 200 } }], 1],
    [
      'one face turned 20°',
      [{ sample: 'white-female-55.png', square: { x: 220, y: 100, size: 220 }, turn: (20 * Math.PI) / 180 }],
      1,
    ],
    [
      'two faces',
      [
        { sample: 'black-female-47.png', square: { x: 40, y: 60, size: 180 } },
        { sample: 'indian-male-72.png', square: { x: 380, y: 200, size: 220 } },
      ],
      2,
    ],
  ])('answers a photo of %s exactly as classifyFaces does', async (_, faces, count) => {
    const { server: theirs, ours } = await bothAnswers(await scene(faces, 3));
    expect(ours.faces).toHaveLength(count);
    expect(ours).toEqual(theirs);
  });

  it('keeps the faces minScore and maxFaces keep, as classifyFaces does', async () => {
    const photo = await scene(
      [
        { sample: 'black-female-47.png', square: { x: 40, y: 60, size: 180 } },
        { sample: 'indian-male-72.png', square: { x: 380, y: 200, size: 220 } },
      ],
      2,
    );
    const { server: theirs, ours } = await bothAnswers(photo, { maxFaces: 1, minScore: 0.6 });
    expect(ours.faces).toHaveLength(1);
    expect(ours).toEqual(theirs);
  });

  it('answers a JPEG as classifyFaces does, and a photo without a face with no faces', async () => {
    const pasted = faceScene(
      [{ face: await sampleFace('white-male-29.png'), square: { x: 100, y: 80, size: 240 } }],
      480,
      400,
      5,
    );
    const raw = { raw: { width: pasted.width, height: pasted.height, channels: 4 as const } };
    const jpeg = new Uint8Array(await sharp(pasted.data, raw).jpeg({ quality: 85 }).toBuffer());
    const answers = await bothAnswers(jpeg);
    expect(answers.ours.faces).toHaveLength(1);
    expect(answers.ours).toEqual(answers.server);
    const empty = await bothAnswers(Buffer.from(await testPhoto('png', 320, 240), 'base64'));
    expect(empty.ours).toEqual({ width: 320, height: 240, faces: [] });
    expect(empty.ours).toEqual(empty.server);
  });

  it("refuses a file that is not an image with the server's code and reason, naming it", async () => {
    const text = new TextEncoder().encode('hello, not a photo');
    const res = await gql(server.url, CLASSIFY_FACES, { image: base64(text) });
    const error = await rejection(classifier.classifyPhoto(text, { name: 'notes.png' }));
    expect(error.code).toBe(res.body.errors![0]!.extensions!.code);
    expect(error.message).toBe(res.body.errors![0]!.message.replace(/^image:/, 'notes.png:'));
  });
  it.each([
    [{ minScore: 0 }, 'minScore: must be above 0 and at most 1, got 0'],
    [{ maxFaces: 1.5 }, 'maxFaces: must be a whole number ≥ 1, got 1.5'],
    [
      { crop: { x: 0, y: 0, size: 10 } },
      'crop: applies only with detect: false (the detector finds the squares)',
    ],
  ])('refuses %o with INVALID_INPUT, naming the option', async (options, message) => {
    const bytes = Buffer.from(await testPhoto('png', 64, 64), 'base64');
    const error = await rejection(classifier.classifyPhoto(bytes, options));
    expect(error).toMatchObject({ code: 'INVALID_INPUT', message });
  });
});

describe('classifyPhoto without the detector', () => {
  const photo = () => scene([{ sample: 'white-male-29.png', square: { x: 300, y: 120, size: 200 } }], 1);

  it.each([
    ['the centre square', undefined],
    ['a given square', { x: 293, y: 114, size: 212 }],
    ['a given turned square', { x: 280, y: 100, size: 240, angle: -12.5 }],
  ])('answers %s exactly as classify does', async (_, crop: FaceCrop | undefined) => {
    const bytes = await photo();
    const res = await gql(server.url, CLASSIFY, {
      input: { image: base64(bytes), ...(crop ? { crop } : {}) },
    });
    expect(res.body.errors).toBeUndefined();
    const ours = await classifier.classifyPhoto(bytes, { detect: false, ...(crop ? { crop } : {}) });
    const square = crop ?? { x: 80, y: 0, size: 480 };
    expect(ours.faces.map((f) => f.crop)).toEqual([{ angle: null, ...square }]);
    expect(asGraphQL(ours.faces[0]!.classification)).toEqual(res.body.data!.classify);
  });

  it('refuses a square outside the photo, naming the photo once and then the crop', async () => {
    const bytes = Buffer.from(await testPhoto('png', 64, 48), 'base64');
    const crop = { x: 0, y: 0, size: 100 };
    const error = await rejection(classifier.classifyPhoto(bytes, { detect: false, crop, name: 'a.png' }));
    expect(error).toMatchObject({
      code: 'INVALID_CROP',
      message: 'a.png: crop: the square at (0, 0) of side 100 reaches (100, 100), outside the 64×48 image',
    });
    // As pnpm classify says it after the file's name.
    expect(photoFailure('a.png', error)).toMatchObject({
      error: 'crop: the square at (0, 0) of side 100 reaches (100, 100), outside the 64×48 image',
    });
  });
});

describe('a models folder whose face detector is corrupt', () => {
  let broken: TestServer;
  let over: PhotoClassifier;
  beforeAll(async () => {
    const dir = await tempFolder('facekit-broken-detector-');
    for (const name of await readdir(models)) await copyFile(path.join(models, name), path.join(dir, name));
    await writeFile(path.join(dir, 'face-detector.onnx'), 'garbage, not an ONNX graph');
    [broken, over] = await Promise.all([
      startTestServer({ models: dir, executionProviders: ['cpu'] }),
      openPhotoClassifier({ models: dir, executionProviders: ['cpu'] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([broken?.stop(), over?.close()]);
  });

  it('fails detection with the reason health.detector gives, and classifies without it', async () => {
    const health = await gql(broken.url, '{ health { detector { status reason } } }');
    const { reason } = (health.body.data!.health as { detector: { reason: string } }).detector;
    expect(reason).toMatch(/face-detector\.onnx: sha256 is [0-9a-f]{64}, face-detector\.json says/);
    expect(await over.detectorUnavailable()).toBe(reason);
    const bytes = Buffer.from(await testPhoto('png', 64, 48), 'base64');
    const error = await rejection(over.classifyPhoto(bytes, { name: 'a.png' }));
    expect(error.code).toBe('DETECTOR_UNAVAILABLE');
    expect(error.message).toBe(`a.png: no face detector is loaded: ${reason}`);
    const square = await over.classifyPhoto(bytes, { detect: false });
    expect(square.faces.map((f) => f.crop)).toEqual([{ x: 8, y: 0, size: 48, angle: null }]);
    expect(square.faces[0]!.classification.age?.label).toEqual(expect.any(String));
  });
});

describe('opening and closing a photo classifier', () => {
  it('refuses tasks it does not know, or none, naming the option', async () => {
    for (const [tasks, reason] of [
      [['height'], 'tasks: unknown task "height"; known: age, ethnicity, gender'],
      [[], 'tasks: names no task; leave it out for every task the models hold'],
    ] as const) {
      const error = await rejection(
        openPhotoClassifier({ models, executionProviders: ['cpu'], tasks: tasks as never }),
      );
      expect(error).toMatchObject({ code: 'INVALID_INPUT', message: reason });
    }
  });

  it('answers the photos it has taken before closing, and refuses those after', async () => {
    // close() released the models and the detector under photos still being searched: they failed
    // with onnxruntime's "Session already disposed", without a code.
    const own = await openPhotoClassifier({ models, executionProviders: ['cpu'] });
    const bytes = await scene([{ sample: 'white-male-29.png', square: { x: 300, y: 120, size: 200 } }], 1);
    const taken = Promise.all([own.classifyPhoto(bytes), own.classifyPhoto(bytes, { detect: false })]);
    const closed = own.close();
    const [found, square] = await taken;
    await closed;
    expect(found.faces).toHaveLength(1);
    expect(square.faces).toHaveLength(1);
    expect((await rejection(own.classifyPhoto(bytes))).message).toBe('the photo classifier is closed');
    await own.close();
  });
});
