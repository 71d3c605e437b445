/**
 * `pnpm classify`, the real command in a child process, over fixture classifiers and the shipped face
 * detector, against a running server on the same folder: a folder of photos (and a file in it that is
 * no photo) plus a missing file answers the photos as classifyFaces does, names the two failures with
 * their reasons and exits 1; --annotate writes the photos drawn on elsewhere; --no-detect answers
 * classify's centre square; and over a corrupt detector, detection stops with the reason while
 * --no-detect still answers.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlaps, squareBounds, type Rect } from '@facekit/core';
import { closeFacesPhoto } from '../../../tests/support/demo-photos.js';
import { darkenedOnce, darkenedTwice, rgbOf } from '../../../tests/support/drawn-bands.js';
import { faceScene, sampleFace, squareOverlap } from '../../../tests/support/face-scene.js';
import { modelsWithDetector, pngBase64 } from '../test/face-photos.js';
import { gql, startTestServer, testPhoto, type TestServer } from '../test/harness.js';
import { annotationSvg } from './annotate-photo.js';
import type { PhotoAnswer } from './photo-classifier.js';
import { tempFolder } from '../../../tests/support/temp-folder.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs `pnpm classify` with `args`: its exit status and what it printed (killed after `timeout` ms). */
function classify(args: string[], timeout = 0): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/classify-cli.ts', ...args],
      { cwd: packageDir, maxBuffer: 64 << 20, timeout },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

const ANSWER = `fragment Task on TaskPrediction {
  task label index confidence probabilities { label probability } modelVersion modelSha256
}
fragment Answer on Classification {
  age { ...Task } ethnicity { ...Task } gender { ...Task } provider source
}`;
const CLASSIFY_FACES = `mutation($image: String!) {
  classifyFaces(image: $image) {
    width height
    faces {
      score crop { x y size angle } box { x y width height }
      keypoints { rightEye { x y } leftEye { x y } nose { x y } mouth { x y } rightEar { x y } leftEar { x y } }
      classification { ...Answer }
    }
  }
}
${ANSWER}`;
const CLASSIFY = `mutation($image: String!) { classify(input: { image: $image }) { ...Answer } }
${ANSWER}`;

let models: string;
let photos: string;
let server: TestServer;
const answer = async (query: string, file: string) => {
  const image = (await readFile(path.join(photos, file))).toString('base64');
  const res = await gql(server.url, query, { image });
  expect(res.body.errors).toBeUndefined();
  return Object.values(res.body.data!)[0];
};

beforeAll(async () => {
  models = await modelsWithDetector();
  server = await startTestServer({ models, executionProviders: ['cpu'] });
  photos = await tempFolder('facekit-photos-');
  const one = faceScene(
    [{ face: await sampleFace('white-male-29.png'), square: { x: 300, y: 120, size: 200 } }],
    640,
    480,
    1,
  );
  await writeFile(path.join(photos, 'a-one-face.png'), Buffer.from(pngBase64(one), 'base64'));
  const two = faceScene(
    [
      { face: await sampleFace('black-female-47.png'), square: { x: 40, y: 60, size: 180 } },
      { face: await sampleFace('indian-male-72.png'), square: { x: 380, y: 200, size: 220 } },
    ],
    640,
    480,
    2,
  );
  const raw = { raw: { width: 640, height: 480, channels: 4 as const } };
  await writeFile(path.join(photos, 'b-two-faces.JPG'), await sharp(two.data, raw).jpeg().toBuffer());
  await writeFile(
    path.join(photos, 'c-no-face.png'),
    Buffer.from(await testPhoto('png', 320, 240), 'base64'),
  );
  await writeFile(path.join(photos, 'd-notes.png'), 'hello, not a photo');
  // Neither a photo's name nor in the folder itself: left alone.
  await writeFile(path.join(photos, 'readme.txt'), 'not looked at');
  // A hidden file (macOS's companion of a photo) is no photo either.
  await writeFile(path.join(photos, '._a-one-face.png'), 'AppleDouble');
  await mkdir(path.join(photos, 'sub'));
  await copyFile(path.join(photos, 'a-one-face.png'), path.join(photos, 'sub', 'a.png'));
});
afterAll(() => server?.stop());

describe('pnpm classify', () => {
  it('answers a folder of photos as classifyFaces does, names a bad and a missing file, and exits 1', async () => {
    const missing = path.join(photos, 'missing.jpg');
    const empty = await tempFolder('facekit-no-photos-');
    await writeFile(path.join(empty, 'notes.txt'), 'no photos here');
    const run = await classify(['--json', '--ep', 'cpu', '--models', models, photos, missing, empty]);
    expect(run.code).toBe(1);
    const reports = JSON.parse(run.stdout) as { file: string }[];
    expect(reports.map((r) => path.relative(photos, r.file))).toEqual([
      'a-one-face.png',
      'b-two-faces.JPG',
      'c-no-face.png',
      'd-notes.png',
      'missing.jpg',
      path.relative(photos, empty),
    ]);
    for (const [i, file] of ['a-one-face.png', 'b-two-faces.JPG', 'c-no-face.png'].entries()) {
      const { file: _, ...ours } = reports[i]!;
      expect(ours, file).toEqual(await answer(CLASSIFY_FACES, file));
    }
    expect((reports[1] as unknown as { faces: unknown[] }).faces).toHaveLength(2);
    expect(reports.slice(3)).toEqual([
      {
        file: path.join(photos, 'd-notes.png'),
        error: 'is not a PNG, JPEG or WebP image',
        code: 'INVALID_IMAGE',
      },
      { file: missing, error: 'no such file or folder', code: 'ENOENT' },
      {
        file: empty,
        error:
          'is a folder holding no PNG, JPEG or WebP file, only 1 other file (not PNG, JPEG or WebP by name, or hidden)',
        code: 'NO_PHOTOS',
      },
    ]);
    expect(run.stderr).toMatch(/^models: .* on cpu\n/);
    expect(run.stderr).toMatch(/3 of 6 photos classified in .*; 3 failed\n$/);
  });

  it('says per photo its size and faces, each with its square, score and labels; failures on stderr', async () => {
    const notes = path.join(photos, 'd-notes.png');
    const run = await classify([
      path.join(photos, 'a-one-face.png'),
      path.join(photos, 'c-no-face.png'),
      notes,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^\S+a-one-face\.png: 640×480, 1 face\n {2}face 1, score 0\.\d\d: square \d+ px at \(\d+, \d+\) — age \S+ \(\d+%\), ethnicity \S+ \(\d+%\), gender (male|female) \(\d+%\)\n\S+c-no-face\.png: 320×240, no face found\n$/,
    );
    expect(run.stderr).toContain(`${notes}: is not a PNG, JPEG or WebP image\n`);
    // The photo without a face may be a face crop, which the detector does not find: say what reads it.
    expect(run.stderr).toMatch(
      /\n1 photo with no face found: .* --no-detect classifies such a crop \(its centre square\)\n2 of 3 photos/,
    );
  });

  it('with --csv gives a row per face as --json answers it, a row for a photo without a face and one per failure', async () => {
    const elsewhere = await tempFolder('facekit-csv-');
    const odd = path.join(elsewhere, 'me, "at" 30.png');
    await copyFile(path.join(photos, 'a-one-face.png'), odd);
    const missing = path.join(photos, 'missing.jpg');
    const args = ['--ep', 'cpu', '--models', models, photos, odd, missing];
    // Annotated too, each into its own folder (the JSON's paths are the CSV's with the folder changed).
    const [drawnCsv, drawnJson] = [path.join(elsewhere, 'drawn-csv'), path.join(elsewhere, 'drawn-json')];
    const [csv, json, plain] = await Promise.all([
      classify(['--csv', '--annotate', drawnCsv, ...args]),
      classify(['--json', '--annotate', drawnJson, ...args]),
      classify(['--csv', ...args]),
    ]);
    expect(csv.code).toBe(1);
    // The name with a comma and quotes, quoted as RFC 4180 quotes it.
    expect(csv.stdout).toContain(`\n"${odd.replace(/"/g, '""')}",640,480,1,`);
    /** A CSV line's fields (RFC 4180 quotes undone). */
    const fields = (line: string) => {
      const out = [''];
      for (let i = 0, quoted = false; i < line.length; i++) {
        const c = line[i]!;
        if (quoted && c === '"' && line[i + 1] === '"') {
          out[out.length - 1] += '"';
          i++;
        } else if (c === '"') quoted = !quoted;
        else if (c === ',' && !quoted) out.push('');
        else out[out.length - 1] += c;
      }
      return out;
    };
    const [header, ...rows] = csv.stdout.trimEnd().split('\n').map(fields);
    expect(header).toEqual([
      'file',
      'width',
      'height',
      'face',
      'score',
      'x',
      'y',
      'size',
      'angle',
      'age',
      'age_confidence',
      'ethnicity',
      'ethnicity_confidence',
      'gender',
      'gender_confidence',
      'error',
      'annotated',
    ]);
    type Face = {
      score: number;
      crop: { x: number; y: number; size: number; angle: number | null };
      classification: Record<string, { label: string; confidence: number }>;
    };
    const reports = JSON.parse(json.stdout) as (
      | { file: string; width: number; height: number; faces: Face[]; annotated: string }
      | { file: string; error: string; code: string }
    )[];
    const expected = reports.flatMap((r) => {
      if ('error' in r)
        return [
          [r.file, '', '', '', '', '', '', '', '', '', '', '', '', '', '', `${r.code}: ${r.error}`, ''],
        ];
      const photo = [r.file, String(r.width), String(r.height)];
      const annotated = path.join(drawnCsv, path.relative(drawnJson, r.annotated));
      if (r.faces.length === 0)
        return [[...photo, '', '', '', '', '', '', '', '', '', '', '', '', '', annotated]];
      return r.faces.map((f, i) => [
        ...photo,
        String(i + 1),
        f.score.toFixed(4),
        String(f.crop.x),
        String(f.crop.y),
        String(f.crop.size),
        f.crop.angle === null ? '' : f.crop.angle.toFixed(2),
        ...['age', 'ethnicity', 'gender'].flatMap((t) => [
          f.classification[t]!.label,
          f.classification[t]!.confidence.toFixed(4),
        ]),
        '',
        annotated,
      ]);
    });
    expect(rows).toEqual(expected);
    // Without --annotate: the same rows, the annotated column empty.
    const [, ...plainRows] = plain.stdout.trimEnd().split('\n').map(fields);
    expect(plainRows).toEqual(rows.map((row) => [...row.slice(0, -1), '']));
    // a (1 face), b (2), c (none), d (not a photo), the odd name (1), the missing file.
    expect(rows.map((r) => path.basename(r[0]!))).toEqual([
      'a-one-face.png',
      'b-two-faces.JPG',
      'b-two-faces.JPG',
      'c-no-face.png',
      'd-notes.png',
      'me, "at" 30.png',
      'missing.jpg',
    ]);
    expect((await classify(['--csv', '--json', photos])).code).toBe(2);
  });

  it("with --annotate writes each classified photo drawn on, in its format, never into the photos' folder", async () => {
    const out = path.join(await tempFolder('facekit-annotated-'), 'drawn');
    const args = ['--json', '--ep', 'cpu', '--models', models, '--annotate', out];
    const run = await classify([
      ...args,
      path.join(photos, 'a-one-face.png'),
      path.join(photos, 'b-two-faces.JPG'),
      path.join(photos, 'd-notes.png'),
    ]);
    expect(run.code).toBe(1);
    const reports = JSON.parse(run.stdout) as { file: string; annotated?: string; width?: number }[];
    expect(reports.map((r) => r.annotated)).toEqual([
      path.join(out, 'a-one-face.png'),
      path.join(out, 'b-two-faces.JPG'),
      undefined,
    ]);
    expect(await readdir(out)).toEqual(['a-one-face.png', 'b-two-faces.JPG']);
    const drawn = await sharp(path.join(out, 'b-two-faces.JPG')).metadata();
    expect([drawn.format, drawn.width, drawn.height]).toEqual(['jpeg', 640, 480]);

    const into = await classify([...args.slice(0, -1), photos, photos]);
    expect(into.code).toBe(2);
    expect(into.stderr).toContain(`--annotate ${photos}: holds ${path.join(photos, 'a-one-face.png')}`);
    // A file where the folder would be: refused before any work (was mkdir's bare EEXIST).
    const photo = path.join(photos, 'a-one-face.png');
    const onFile = await classify([...args.slice(0, -1), photo, photo]);
    expect([onFile.code, onFile.stderr]).toEqual([
      2,
      `pnpm classify: --annotate ${photo}: ${photo} is a file, not a folder\n`,
    ]);
  });

  it('with --annotate draws the bands of faces close together off one another, and off the other faces where there is room', async () => {
    const dir = await tempFolder('facekit-close-faces-');
    // Two faces side by side, the right one higher: a band above the left one would lie on the right
    // one's face. And four close together, two overlapping (the web demo's photo of them).
    const staggered = faceScene(
      [
        { face: await sampleFace('white-male-29.png'), square: { x: 60, y: 200, size: 160 } },
        { face: await sampleFace('black-female-47.png'), square: { x: 240, y: 130, size: 160 } },
      ],
      640,
      480,
      3,
    );
    await writeFile(path.join(dir, 'a-staggered.png'), Buffer.from(pngBase64(staggered), 'base64'));
    await writeFile(path.join(dir, 'b-close.png'), await closeFacesPhoto());
    const out = path.join(dir, 'drawn');
    const run = await classify(['--json', '--ep', 'cpu', '--models', models, '--annotate', out, dir]);
    expect(run.code, run.stderr).toBe(0);
    const reports = JSON.parse(run.stdout) as (PhotoAnswer & { file: string; annotated: string })[];
    expect(reports.map((r) => [path.basename(r.file), r.faces.length])).toEqual([
      ['a-staggered.png', 2],
      ['b-close.png', 4],
    ]);
    /** The pairs of boxes ("1 and 2", numbered from 1) that share any area. */
    const onOneAnother = (boxes: Rect[]) =>
      boxes.flatMap((a, i) =>
        boxes.slice(i + 1).flatMap((b, k) => (overlaps(a, b) ? [`${i + 1} and ${i + k + 2}`] : [])),
      );
    const bandsOf: Rect[][] = [];
    for (const report of reports) {
      const name = path.basename(report.file);
      // The bands where the drawing's SVG puts them, and the drawn photo darkened there, under one band
      // only: no pixel of it lies under two.
      const bands = [
        ...annotationSvg(report).matchAll(
          /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g,
        ),
      ].map(([, left, top, width, height]) => ({
        left: Number(left),
        top: Number(top),
        width: Number(width),
        height: Number(height),
      }));
      expect(bands, name).toHaveLength(report.faces.length);
      expect(onOneAnother(bands), name).toEqual([]);
      const [photo, drawn] = await Promise.all([rgbOf(report.file), rgbOf(report.annotated)]);
      for (const [i, band] of bands.entries())
        expect(darkenedOnce(photo, drawn, band), `${name}: band ${i + 1}`).toBeGreaterThan(0.5);
      expect(darkenedTwice(photo, drawn).length, name).toBe(0);
      bandsOf.push(bands);
    }
    // Side by side, each band has a place off the other face, and takes it.
    const squares = reports[0]!.faces.map((f) => squareBounds(f.crop));
    expect(onOneAnother([bandsOf[0]![0]!, squares[1]!]), 'band 1 on face 2').toEqual([]);
    expect(onOneAnother([bandsOf[0]![1]!, squares[0]!]), 'band 2 on face 1').toEqual([]);
  });

  it('finds a small face with the close look, and not with --no-close-look (refused with --no-detect)', async () => {
    const dir = await tempFolder('facekit-small-face-');
    const scene = faceScene(
      [{ face: await sampleFace('black-male-16.png'), square: { x: 500, y: 60, size: 38 } }],
      640,
      480,
      5,
    );
    const photo = path.join(dir, 'small.png');
    await writeFile(photo, Buffer.from(pngBase64(scene), 'base64'));
    const faces = async (...args: string[]) => {
      const run = await classify(['--json', '--ep', 'cpu', '--models', models, ...args, photo]);
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { faces: { crop: { x: number; y: number; size: number } }[] }[])[0]!
        .faces;
    };
    const [found, ...others] = await faces();
    expect(others).toHaveLength(0);
    expect(squareOverlap(found!.crop, { x: 500, y: 60, size: 38 })).toBeGreaterThanOrEqual(0.5);
    expect(await faces('--no-close-look')).toEqual([]);
    const refused = await classify(['--no-close-look', '--no-detect', photo]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--no-close-look applies only with the detector');
  });

  it("with --no-detect answers classify's centre square", async () => {
    const run = await classify([
      '--json',
      '--no-detect',
      '--models',
      models,
      path.join(photos, 'a-one-face.png'),
    ]);
    expect(run.code).toBe(0);
    const [report] = JSON.parse(run.stdout) as {
      width: number;
      faces: { crop: unknown; classification: unknown }[];
    }[];
    expect(report!.faces).toHaveLength(1);
    expect(report!.faces[0]!.crop).toEqual({ x: 80, y: 0, size: 480, angle: null });
    expect(report!.faces[0]!.classification).toEqual(await answer(CLASSIFY, 'a-one-face.png'));
  });

  // Opening a named pipe waited for a writer, forever, and a device was read without end (/dev/zero:
  // gigabytes). /dev/null stands for the devices here, since reading it ends at once.
  it.skipIf(process.platform === 'win32')(
    'refuses a named pipe and a device named as photos at once, naming each, and answers the others',
    async () => {
      const odd = await tempFolder('facekit-not-files-');
      await copyFile(path.join(photos, 'a-one-face.png'), path.join(odd, 'a-one-face.png'));
      await promisify(execFile)('mkfifo', [path.join(odd, 'b-pipe.png')]);
      await symlink('/dev/null', path.join(odd, 'c-device.jpg'));
      const run = await classify(['--json', '--no-detect', '--models', models, odd], 30_000);
      expect(run.code).toBe(1);
      const reports = JSON.parse(run.stdout) as { file: string; faces?: unknown[] }[];
      expect(reports[0]!.faces).toHaveLength(1);
      expect(reports.slice(1)).toEqual([
        {
          file: path.join(odd, 'b-pipe.png'),
          error: 'is a named pipe (FIFO), not a file',
          code: 'NOT_A_FILE',
        },
        {
          file: path.join(odd, 'c-device.jpg'),
          error: 'is a character device, not a file',
          code: 'NOT_A_FILE',
        },
      ]);
      expect(run.stderr).toMatch(/1 of 3 photos classified in .*; 2 failed\n$/);
    },
  );

  it('over a corrupt face detector stops detection with the reason, and answers with --no-detect', async () => {
    const broken = await tempFolder('facekit-broken-detector-');
    for (const name of await readdir(models))
      await copyFile(path.join(models, name), path.join(broken, name));
    await writeFile(path.join(broken, 'face-detector.onnx'), 'garbage, not an ONNX graph');
    const photo = path.join(photos, 'a-one-face.png');
    // Stopped before any photo, it leaves no --annotate folder behind (it was made first).
    const drawn = path.join(broken, 'drawn');
    const detecting = await classify(['--models', broken, '--annotate', drawn, photo]);
    expect(detecting.code).toBe(1);
    expect(existsSync(drawn)).toBe(false);
    expect(detecting.stdout).toBe('');
    expect(detecting.stderr).toMatch(
      /^pnpm classify: \[DETECTOR_UNAVAILABLE\] no face detector is loaded: \S+face-detector\.onnx: sha256 is [0-9a-f]{64}, face-detector\.json says [0-9a-f]{64} — the file is corrupt or not the one exported \(--no-detect classifies the centre square without it\)\n$/,
    );
    const square = await classify(['--no-detect', '--models', broken, photo]);
    expect(square.code).toBe(0);
    expect(square.stdout).toMatch(
      /a-one-face\.png: 640×480, without the detector\n {2}square 480 px at \(80, 0\) — age /,
    );
  });

  it('prints its help, which says whether a folder is searched below and what the exit status means', async () => {
    const run = await classify(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: pnpm classify \[options\] <photo\|folder>\.\.\./);
    expect(run.stdout).toMatch(/not its subfolders/);
    expect(run.stdout).toMatch(/Exit status: 0 when every photo was classified; 1 when any could not be/);
  });
});
