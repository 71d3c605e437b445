/**
 * `pnpm evaluate --photos --detect`: photos that are not cropped to the face (the test faces pasted
 * into larger scenes at known squares) are judged on the square the face detector puts on each one's
 * best face — the very grey levels `pnpm classify` (the server's classifyFaces) feeds the models for
 * that face, so the figures are those of the classifier's answers; a photo without a face is counted,
 * not judged; and without a detector the run stops saying why.
 */
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { ageToGroup, DETECTOR_INFO_FILE, PIXEL_COUNT } from '@facekit/core';
import { projectRoot } from '@facekit/core/node';
import { DEFAULT_OPTIONS, openPhotoClassifier, PhotoFaceFinder, type FoundFace } from '@facekit/serve';
import { faceScene } from '../../../../tests/support/face-scene.js';
import { evaluateModels } from './evaluate-models.js';
import { evaluationReport } from './evaluation-report.js';
import { loadPhotos } from './load-photos.js';
import { sampleFaces, utkfaceName, type LabelledFace } from './test-photos.js';
import { tempFolder } from '../../../../tests/support/temp-folder.js';

const models = join(projectRoot(), 'models');
const SIDE = 96;
const NO_FACE = '30_1_0_20170116999999999.jpg.chip.png';

let dir: string;
let photos: string;
/** The faces in the photos' name order, each with its photo's name. */
let named: { face: LabelledFace; name: string }[];

beforeAll(async () => {
  dir = await tempFolder('facekit-evaluate-detect-');
  photos = join(dir, 'photos');
  await mkdir(photos);
  const faces = await sampleFaces(18);
  named = faces.map((face, k) => ({ face, name: utkfaceName(face, k) }));
  named.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  await Promise.all(
    named.map(async ({ face, name }, k) => {
      // Each face somewhere else in a 320×240 scene, none at its centre.
      const square = { x: 20 + ((k * 37) % 180), y: 16 + ((k * 23) % 110), size: SIDE };
      const scene = faceScene([{ face: face.pixels, square }], 320, 240, k + 1);
      const png = await sharp(scene.data, { raw: { width: 320, height: 240, channels: 4 } })
        .png()
        .toBuffer();
      await writeFile(join(photos, name), png);
    }),
  );
  const blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#7a7a7a' } })
    .png()
    .toBuffer();
  await writeFile(join(photos, NO_FACE), blank);
});

describe('evaluate --photos --detect', () => {
  it("judges the grey levels pnpm classify feeds the models for each photo's best face", async () => {
    const classifier = await openPhotoClassifier({ models, executionProviders: ['cpu'] });
    const found: (FoundFace | undefined)[] = [];
    try {
      for (const { name } of named) {
        const answer = await classifier.classifyPhoto(await readFile(join(photos, name)), { maxFaces: 1 });
        found.push(answer.faces[0]);
      }
    } finally {
      await classifier.close();
    }
    // The detector finds every pasted face (the photo classifier's own tests hold it to its squares).
    expect(found.every((f) => f !== undefined)).toBe(true);

    const evaluation = await evaluateModels({ modelsDir: models, photosDir: photos, detect: true });
    expect(evaluation.detected).toBe(true);
    expect(evaluation.faces).toBe(named.length);
    expect(evaluation.skipped.count).toBe(1);
    expect(evaluation.skipped.byReason).toEqual({ 'no face found': 1 });
    expect(evaluation.skipped.examples).toEqual([
      `${join(photos, NO_FACE)}: the face detector found no face in it`,
    ]);
    // Its figures are those of the classifier's answers: the same labels, so the same accuracy.
    for (const task of ['age', 'ethnicity', 'gender'] as const) {
      const truth = named.map(({ face }) => (task === 'age' ? ageToGroup(face.age, 'six') : face[task]));
      const right = found.filter((f, i) => f!.classification[task]!.index === truth[i]).length;
      expect(evaluation.metrics[task]!.accuracy, task).toBeCloseTo(right / named.length, 12);
    }
    expect(evaluationReport(evaluation)).toContain(
      `${named.length} photos (1 photo not judged: no face found: 1), each on the square the face detector put on its best face`,
    );

    // And the grey levels themselves, row for row.
    const finder = new PhotoFaceFinder(models, DEFAULT_OPTIONS);
    try {
      const loaded = await loadPhotos(photos, { faceFinder: finder });
      found.forEach((f, i) => {
        const row = loaded.dataset.pixels.subarray(i * PIXEL_COUNT, (i + 1) * PIXEL_COUNT);
        expect(Buffer.from(row).equals(Buffer.from(f!.classification.inputPixels)), named[i]!.name).toBe(
          true,
        );
      });
    } finally {
      await finder.close();
    }
  });

  it('searches for small faces with the close look, and skips it with closeLook: false', async () => {
    // One face of 30 px in a 640×480 photo: 12 pixels of the detector's input when it sees the whole
    // photo, too small for it; 20 in a close-look tile. Beside it, one of the photos above (a 96-px face).
    const small = join(dir, 'small-face');
    await mkdir(small);
    const [first, second] = named;
    const scene = faceScene(
      [{ face: first!.face.pixels, square: { x: 420, y: 300, size: 30 } }],
      640,
      480,
      5,
    );
    const png = await sharp(scene.data, { raw: { width: 640, height: 480, channels: 4 } })
      .png()
      .toBuffer();
    await writeFile(join(small, first!.name), png);
    await cp(join(photos, second!.name), join(small, second!.name));

    const close = await evaluateModels({ modelsDir: models, photosDir: small, detect: true });
    expect([close.faces, close.skipped.count, close.closeLook]).toEqual([2, 0, true]);
    const whole = await evaluateModels({
      modelsDir: models,
      photosDir: small,
      detect: true,
      closeLook: false,
    });
    expect([whole.faces, whole.skipped.examples, whole.closeLook]).toEqual([
      1,
      [`${join(small, first!.name)}: the face detector found no face in it`],
      false,
    ]);
    expect(evaluationReport(whole)).toContain(
      'as classifyFaces classifies it without its close look for small faces',
    );
  });

  it('stops, saying why, when the models folder has no face detector', async () => {
    const bare = join(dir, 'models-without-detector');
    await cp(models, bare, { recursive: true });
    await rm(join(bare, DETECTOR_INFO_FILE));
    await expect(evaluateModels({ modelsDir: bare, photosDir: photos, detect: true })).rejects.toThrow(
      `--detect needs the face detector: no ${DETECTOR_INFO_FILE} in ${bare}`,
    );
  });
});
