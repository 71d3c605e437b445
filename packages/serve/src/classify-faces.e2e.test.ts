/**
 * classifyFaces end to end: a real server over fixture classifiers and the shipped face detector,
 * photos made of the web demo's sample faces pasted at known squares. The detector must find each face
 * where it was put, the classification must be exactly classify's on the returned square, and every
 * refusal must name its argument; a models folder whose detector is absent or corrupt still serves
 * classify, with health saying why classifyFaces cannot be answered.
 */
import { createHash } from 'node:crypto';
import { copyFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceCrop } from '@facekit/core';
import {
  gql,
  postAndLeave,
  startTestServer,
  testPhoto,
  testPixels,
  type TestServer,
} from '../test/harness.js';
import { faceScene, sampleFace, squareOverlap } from '../../../tests/support/face-scene.js';
import { modelsWithDetector, pngBase64 } from '../test/face-photos.js';
import { tempFolder } from '../../../tests/support/temp-folder.js';

const CLASSIFY_FACES = `mutation($image: String!, $tasks: [Task!], $minScore: Float, $maxFaces: Int, $closeLook: Boolean) {
  classifyFaces(image: $image, tasks: $tasks, minScore: $minScore, maxFaces: $maxFaces, closeLook: $closeLook) {
    width height
    faces {
      score
      crop { x y size angle }
      box { x y width height }
      keypoints { rightEye { x y } leftEye { x y } nose { x y } mouth { x y } rightEar { x y } leftEar { x y } }
      classification {
        source inputPixels
        age { label probabilities { probability } }
        ethnicity { label probabilities { probability } }
        gender { label probabilities { probability } }
      }
    }
  }
}`;

const CLASSIFY_CROP = `mutation($input: ClassifyInput!) {
  classify(input: $input) {
    inputPixels
    age { label probabilities { probability } }
    ethnicity { label probabilities { probability } }
    gender { label probabilities { probability } }
  }
}`;

interface Face {
  score: number;
  crop: FaceCrop;
  box: { x: number; y: number; width: number; height: number };
  keypoints: Record<string, { x: number; y: number }>;
  classification: Record<string, unknown> & { source: string; inputPixels: number[] };
}
interface Faces {
  width: number;
  height: number;
  faces: Face[];
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ models: await modelsWithDetector(), maxBatchItems: 8 });
});
afterAll(() => server?.stop());

const classifyFaces = (variables: Record<string, unknown>) => gql(server.url, CLASSIFY_FACES, variables);

async function metric(name: string): Promise<number> {
  const text = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('classifyFaces', () => {
  it('finds one face where it was put, and classifies it exactly as classify does on that square', async () => {
    const square = { x: 300, y: 120, size: 200 };
    const photo = pngBase64(
      faceScene([{ face: await sampleFace('white-male-29.png'), square }], 640, 480, 1),
    );
    const [photosBefore, facesBefore] = [
      await metric('facekit_detected_faces_per_photo_count'),
      await metric('facekit_faces_total{source="detected"}'),
    ];
    const res = await classifyFaces({ image: photo });
    expect(res.body.errors).toBeUndefined();
    const answer = res.body.data!.classifyFaces as Faces;
    expect([answer.width, answer.height]).toEqual([640, 480]);
    expect(answer.faces).toHaveLength(1);
    const face = answer.faces[0]!;
    expect(face.score).toBeGreaterThan(0.5);
    expect(squareOverlap(face.crop, square)).toBeGreaterThanOrEqual(0.6);
    // The keypoints lie in the square: eyes above the mouth.
    expect(face.keypoints.rightEye!.y).toBeLessThan(face.keypoints.mouth!.y);
    expect(face.keypoints.rightEye!.x).toBeLessThan(face.keypoints.leftEye!.x);
    expect(face.classification.source).toBe('detected');
    expect(face.crop.angle).toBeNull(); // an upright face: an upright square

    const again = await gql(server.url, CLASSIFY_CROP, { input: { image: photo, crop: face.crop } });
    const { source, ...detected } = face.classification;
    expect(source).toBe('detected');
    expect(detected).toEqual(again.body.data!.classify);

    expect(await metric('facekit_detected_faces_per_photo_count')).toBe(photosBefore + 1);
    expect(await metric('facekit_faces_total{source="detected"}')).toBe(facesBefore + 1);
  });

  it.each(['white-male-29.png', 'black-female-47.png', 'asian-female-4.png'])(
    'finds a tightly cropped face (%s enlarged to fill a 200×200 photo) at nearly the whole photo',
    async (sample) => {
      // The detector's usual look alone finds a part of such a face (a square about two thirds of it);
      // the wide look finds the face.
      const whole = { x: 0, y: 0, size: 200 };
      const photo = pngBase64(faceScene([{ face: await sampleFace(sample), square: whole }], 200, 200, 2));
      const res = await classifyFaces({ image: photo });
      expect(res.body.errors).toBeUndefined();
      const [face, ...others] = (res.body.data!.classifyFaces as Faces).faces;
      expect(others).toHaveLength(0);
      expect(squareOverlap(face!.crop, whole)).toBeGreaterThanOrEqual(0.8);
    },
  );

  it('finds small faces in a larger photo with its close look (tiles), and misses them with closeLook: false', async () => {
    // Faces of 40 and 50 px in 640×480: 16 and 20 pixels of the detector's input when it sees the whole
    // photo, too small for it; 27 and 33 in a close-look tile.
    const squares = [
      { x: 80, y: 300, size: 40 },
      { x: 450, y: 90, size: 50 },
    ];
    const photo = pngBase64(
      faceScene(
        [
          { face: await sampleFace('black-male-16.png'), square: squares[0]! },
          { face: await sampleFace('white-male-29.png'), square: squares[1]! },
        ],
        640,
        480,
        4,
      ),
    );
    const found = await classifyFaces({ image: photo });
    expect(found.body.errors).toBeUndefined();
    const faces = (found.body.data!.classifyFaces as Faces).faces;
    expect(faces).toHaveLength(2);
    for (const square of squares)
      expect(Math.max(...faces.map((f) => squareOverlap(f.crop, square)))).toBeGreaterThanOrEqual(0.5);
    const whole = await classifyFaces({ image: photo, closeLook: false });
    expect(whole.body.errors).toBeUndefined();
    expect((whole.body.data!.classifyFaces as Faces).faces).toHaveLength(0);
  });

  it('turns the square with a tilted face, and classify given that turned square answers the same', async () => {
    const square = { x: 220, y: 100, size: 220 };
    const turn = 20;
    const photo = pngBase64(
      faceScene(
        [{ face: await sampleFace('white-female-55.png'), square, turn: (turn * Math.PI) / 180 }],
        640,
        480,
        4,
      ),
    );
    const [face] = ((await classifyFaces({ image: photo })).body.data!.classifyFaces as Faces).faces;
    expect(face!.crop.angle).toBeGreaterThan(turn - 5);
    expect(face!.crop.angle).toBeLessThan(turn + 5);
    const again = await gql(server.url, CLASSIFY_CROP, { input: { image: photo, crop: face!.crop } });
    const { source, ...detected } = face!.classification;
    expect(source).toBe('detected');
    expect(detected).toEqual(again.body.data!.classify);
    // The same square upright is another input.
    const upright = await gql(server.url, CLASSIFY_CROP, {
      input: { image: photo, crop: { ...face!.crop, angle: null } },
    });
    expect((upright.body.data!.classify as { inputPixels: number[] }).inputPixels).not.toEqual(
      detected.inputPixels,
    );
  });

  it('refuses a crop angle outside −180 to 180, naming the crop', async () => {
    const photo = await testPhoto('png', 64, 64);
    const res = await gql(server.url, CLASSIFY_CROP, {
      input: { image: photo, crop: { x: 0, y: 0, size: 32, angle: 270 } },
    });
    expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'INVALID_CROP', field: 'input.crop' });
    expect(res.body.errors![0]!.message).toMatch(
      /angle must be a number of degrees from −180 to 180, got 270/,
    );
  });

  it('finds two faces, best first, each at its square; maxFaces keeps the best', async () => {
    const squares = [
      { x: 40, y: 60, size: 180 },
      { x: 380, y: 200, size: 220 },
    ];
    const faces = [await sampleFace('black-female-47.png'), await sampleFace('indian-male-72.png')];
    const photo = pngBase64(
      faceScene(
        squares.map((square, i) => ({ face: faces[i]!, square })),
        640,
        480,
        2,
      ),
    );
    const answer = (await classifyFaces({ image: photo, tasks: ['gender'] })).body.data!
      .classifyFaces as Faces;
    expect(answer.faces).toHaveLength(2);
    const [best, next] = answer.faces;
    expect(best!.score).toBeGreaterThanOrEqual(next!.score);
    for (const square of squares)
      expect(Math.max(...answer.faces.map((f) => squareOverlap(f.crop, square)))).toBeGreaterThanOrEqual(0.6);
    for (const face of answer.faces) {
      expect(face.classification.gender).not.toBeNull();
      expect(face.classification.age).toBeNull();
    }
    const one = (await classifyFaces({ image: photo, maxFaces: 1 })).body.data!.classifyFaces as Faces;
    expect(one.faces.map((f) => f.crop)).toEqual([best!.crop]);
  });

  it('answers no faces for a photo without one', async () => {
    const res = await classifyFaces({ image: await testPhoto('png', 320, 240) });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.classifyFaces).toEqual({ width: 320, height: 240, faces: [] });
  });

  it('refuses a file that is not an image with INVALID_IMAGE at its path', async () => {
    const res = await classifyFaces({ image: Buffer.from('hello, not a photo').toString('base64') });
    expect(res.body.data).toBeNull();
    const [error] = res.body.errors!;
    expect(error!.extensions!.code).toBe('INVALID_IMAGE');
    expect(error!.extensions!.field).toBe('image');
    expect(error!.path).toEqual(['classifyFaces']);
    expect(error!.message).toMatch(/^image: is not a PNG, JPEG or WebP image/);
  });

  it.each([
    [{ minScore: 0 }, 'minScore', /above 0 and at most 1, got 0/],
    [{ minScore: 1.5 }, 'minScore', /got 1.5/],
    [{ minScore: -0.1 }, 'minScore', /got -0.1/],
    [{ maxFaces: 0 }, 'maxFaces', /from 1 to 8 .*got 0/],
    [{ maxFaces: 9 }, 'maxFaces', /from 1 to 8 .*got 9/],
  ])('refuses %o with INVALID_INPUT naming the argument', async (args, field, message) => {
    const res = await classifyFaces({ image: await testPhoto('png', 64, 64), ...args });
    expect(res.body.data).toBeNull();
    const [error] = res.body.errors!;
    expect(error!.extensions).toMatchObject({ code: 'INVALID_INPUT', field });
    expect(error!.message).toMatch(message);
  });

  it('reports the detector in health and in the detector query', async () => {
    const res = await gql(
      server.url,
      '{ health { ready detector { ready status reason } } detector { file sha256 source licence bytes } }',
    );
    expect(res.body.data).toMatchObject({
      health: { ready: true, detector: { ready: true, status: 'ready', reason: null } },
      detector: {
        file: 'face-detector.onnx',
        sha256: server.state.detector.file!.sha256,
        source: '@vladmandic/human@3.3.6',
        licence: expect.arrayContaining([expect.stringMatching(/Apache-2\.0/)]),
      },
    });
  });
});

describe('a classifyFaces client that leaves unanswered', () => {
  it('has its photo dropped before decoding, and the server keeps answering', async () => {
    // Four megapixels in a few kilobytes: each holds a decode slot a while, the requests stay small.
    const grey = { width: 2048, height: 2048, channels: 3, background: { r: 90, g: 90, b: 90 } } as const;
    const image = (await sharp({ create: grey }).jpeg().toBuffer()).toString('base64');
    const body = JSON.stringify({ query: CLASSIFY_FACES, variables: { image } });
    const dropped = () => metric('facekit_abandoned_faces_total{stage="decode"}');
    const before = await dropped();
    const requests = Array.from({ length: 8 }, () => postAndLeave(server.url, body));
    const deadline = performance.now() + 30_000;
    while ((await metric('facekit_photo_decodes{state="waiting"}')) === 0) {
      if (performance.now() > deadline) throw new Error('no photo waited for a decode slot');
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    for (const request of requests) request.destroy();
    while ((await metric('facekit_photo_decodes{state="active"}')) > 0) {
      if (performance.now() > deadline) throw new Error('the decodes did not end');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await dropped()).toBeGreaterThan(before);
    const res = await classifyFaces({ image: await testPhoto('png', 64, 64) });
    expect(res.body.data!.classifyFaces).toEqual({ width: 64, height: 64, faces: [] });
  });
});

/** A server over a copy of `models` in which `change` altered the detector's files. */
async function serverWithDetector(change: (dir: string) => Promise<void>): Promise<TestServer> {
  const from = await modelsWithDetector();
  const dir = await tempFolder('facekit-detector-');
  for (const name of await readdir(from)) await copyFile(path.join(from, name), path.join(dir, name));
  await change(dir);
  return startTestServer({ models: dir });
}

describe.each([
  [
    'described by a face-detector.json that names no file',
    (dir: string) => writeFile(path.join(dir, 'face-detector.json'), '{}'),
    'failed',
    /\/face-detector\.json: file must be a non-empty string, but it is missing/,
  ],
  [
    'corrupt, its sha256 not the one face-detector.json names',
    (dir: string) => writeFile(path.join(dir, 'face-detector.onnx'), 'garbage, not an ONNX graph'),
    'failed',
    /face-detector\.onnx: sha256 is [0-9a-f]{64}, face-detector\.json says [0-9a-f]{64}/,
  ],
  [
    'corrupt, with a face-detector.json that vouches for it',
    async (dir: string) => {
      const garbage = Buffer.from('garbage, not an ONNX graph');
      const info = JSON.parse(await readFile(path.join(dir, 'face-detector.json'), 'utf8')) as object;
      const sha256 = createHash('sha256').update(garbage).digest('hex');
      await writeFile(path.join(dir, 'face-detector.onnx'), garbage);
      await writeFile(path.join(dir, 'face-detector.json'), JSON.stringify({ ...info, sha256 }));
    },
    'failed',
    /face-detector\.onnx: cannot create a session/,
  ],
  [
    'named by face-detector.json but missing',
    (dir: string) => rm(path.join(dir, 'face-detector.onnx')),
    'failed',
    /face-detector\.onnx: ENOENT/,
  ],
  [
    'absent',
    (dir: string) => rm(path.join(dir, 'face-detector.json')),
    'absent',
    /no face-detector\.json in .*pnpm export:detector/,
  ],
])('a models folder whose detector is %s', (_, change, status, reason) => {
  let other: TestServer;
  beforeAll(async () => {
    other = await serverWithDetector(change);
  });
  afterAll(() => other?.stop());

  it('starts ready and classifies, while classifyFaces answers DETECTOR_UNAVAILABLE and health says why', async () => {
    expect(other.state.ready).toBe(true);
    const classified = await gql(
      other.url,
      'mutation($p: GreyLevels) { classify(input: {pixels: $p}) { age { label } } }',
      {
        p: testPixels(3),
      },
    );
    expect(classified.body.errors).toBeUndefined();
    const faces = await gql(other.url, CLASSIFY_FACES, { image: await testPhoto('png', 64, 64) });
    expect(faces.body.data).toBeNull();
    expect(faces.body.errors![0]!.extensions!.code).toBe('DETECTOR_UNAVAILABLE');
    expect(faces.body.errors![0]!.message).toMatch(reason);
    const health = await gql(other.url, '{ health { ready detector { ready status reason } } }');
    const detector = (health.body.data!.health as { ready: boolean; detector: Record<string, unknown> })
      .detector;
    expect(detector).toMatchObject({ ready: false, status });
    expect(detector.reason).toMatch(reason);
    const warned = other.logs.some(
      (l) => /face detector/.test(String(l.msg)) && reason.test(String(l.reason)),
    );
    expect(warned).toBe(true);
  });
});
