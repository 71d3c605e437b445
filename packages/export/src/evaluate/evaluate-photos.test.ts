import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCsv } from '@facekit/train';
import { projectRoot } from '@facekit/core/node';
import { evaluateModels } from './evaluate-models.js';
import { answersCsv } from './answers-csv.js';
import { evaluationReport } from './evaluation-report.js';
import { loadPhotos } from './load-photos.js';
import { sampleFaces, utkfaceName, writeCsv, writePhotos, type LabelledFace } from './test-photos.js';
import { tempFolder } from '../../../../tests/support/temp-folder.js';

const models = join(projectRoot(), 'models');
const run = promisify(execFile);
/** `pnpm evaluate …` from the project root: its exit status and stderr, failing or not. */
const evaluate = (...args: string[]) =>
  run('pnpm', ['evaluate', ...args], { cwd: projectRoot() }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );

let dir: string;
let photos: string;
let csv: string;
let faces: LabelledFace[];
let names: string[];

beforeAll(async () => {
  dir = await tempFolder('facekit-evaluate-photos-');
  // The CSV holds the faces in the photos' name order, so every figure is summed in the same order.
  const made = await sampleFaces(40);
  const named = made.map((face, k) => ({ face, name: utkfaceName(face, k) }));
  named.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  faces = named.map((n) => n.face);
  photos = join(dir, 'photos');
  names = await writePhotos(photos, faces);
  csv = join(dir, 'faces.csv');
  await writeCsv(csv, faces);
});

describe('evaluate --photos', () => {
  it('reduces 4×-enlarged PNGs to the very grey levels and labels of the same faces as CSV rows', async () => {
    const [fromPhotos, fromCsv] = [await loadPhotos(photos), await loadCsv(csv)];
    expect(fromPhotos.dataset.size).toBe(faces.length);
    for (const key of ['pixels', 'age', 'ethnicity', 'gender'] as const)
      expect(Buffer.from(fromPhotos.dataset[key]).equals(Buffer.from(fromCsv.dataset[key])), key).toBe(true);
    // The folder's sha256: that of sha256sum's lines for its photos, in name order.
    const lines = await Promise.all(
      [...names].sort().map(async (name) => {
        const sha = createHash('sha256').update(await readFile(join(photos, name)));
        return `${sha.digest('hex')}  ${name}\n`;
      }),
    );
    expect(fromPhotos.sha256).toBe(createHash('sha256').update(lines.join('')).digest('hex'));
  });

  it('gives the figures evaluate --data gives for the same faces, and says training faces are unknown', async () => {
    const byPhotos = await evaluateModels({ modelsDir: models, photosDir: photos });
    const byCsv = await evaluateModels({ modelsDir: models, dataPath: csv });
    expect(byPhotos.metrics).toEqual(byCsv.metrics);
    // Not a vacuous match: the models' answers vary over these faces.
    expect(byCsv.metrics.age!.confusion.flat().filter((n) => n > 0).length).toBeGreaterThan(2);
    expect(byPhotos).toMatchObject({
      dataKind: 'photos',
      dataPath: photos,
      faces: faces.length,
      trainedOnThisFile: null,
    });
    expect(byCsv).toMatchObject({ dataKind: 'csv', trainedOnThisFile: [] });
    const report = evaluationReport(byPhotos);
    expect(report).toContain(
      `Faces: the photos in \`${photos}\`, labelled by their names, 40 photos, each on its centre square, as classify without a crop, sha256`,
    );
    expect(report).toContain('**Whether these photos include training faces is not known.**');
    expect(report).not.toContain('trained on this very file');
    // Past the line on the faces, the two reports are the same.
    const tables = (r: string) => r.slice(r.indexOf('| task'));
    expect(tables(report)).toBe(tables(evaluationReport(byCsv)));
  });

  it("writes every face's answers as CSV: its name or line, and per task the truth, the answer and its confidence", async () => {
    const byPhotos = await evaluateModels({ modelsDir: models, photosDir: photos });
    const byCsv = await evaluateModels({ modelsDir: models, dataPath: csv });
    const [head, ...rows] = answersCsv(byPhotos.answers).trimEnd().split('\n');
    expect(head).toBe(
      'face,age_truth,age_answer,age_confidence,ethnicity_truth,ethnicity_answer,ethnicity_confidence,gender_truth,gender_answer,gender_confidence',
    );
    const cells = rows.map((r) => r.split(','));
    expect(cells.map((c) => c[0])).toEqual(
      [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
    );
    // Each task's column of right answers is the accuracy the report gives, and the truth the faces' labels.
    for (const [k, task] of (['age', 'ethnicity', 'gender'] as const).entries()) {
      const right = cells.filter((c) => c[1 + 3 * k] === c[2 + 3 * k]).length;
      expect(right / cells.length, task).toBeCloseTo(byPhotos.metrics[task]!.accuracy, 12);
    }
    expect(cells.map((c) => c[7])).toEqual(faces.map((f) => (f.gender === 0 ? 'male' : 'female')));
    expect(cells.every((c) => [3, 6, 9].every((j) => Number(c[j]) > 0 && Number(c[j]) <= 1))).toBe(true);
    // A CSV's faces are its rows' lines (the header is line 1); the answers are the photos'.
    const fromCsv = answersCsv(byCsv.answers).trimEnd().split('\n').slice(1);
    expect(fromCsv.map((r) => r.split(',')[0])).toEqual(faces.map((_, i) => `line ${i + 2}`));
    expect(fromCsv.map((r) => r.split(',').slice(1).join())).toEqual(cells.map((c) => c.slice(1).join()));
  });

  it('is what pnpm evaluate --photos writes; one of --data and --photos, not both; --detect only with --photos', async () => {
    const json = join(dir, 'metrics.json');
    const answers = join(dir, 'answers.csv');
    const ran = await evaluate(
      '--photos',
      photos,
      '--json',
      json,
      '--out',
      join(dir, 'report.md'),
      '--answers',
      answers,
    );
    expect(ran.code, ran.stderr).toBe(0);
    expect((await readFile(answers, 'utf8')).trimEnd().split('\n')).toHaveLength(faces.length + 1);
    expect(ran.stderr).toContain(`reading the photos in ${photos}`);
    const record = JSON.parse(await readFile(json, 'utf8')) as Record<string, unknown>;
    expect(record).not.toHaveProperty('answers');
    expect(record).toMatchObject({
      dataKind: 'photos',
      detected: false,
      closeLook: false,
      faces: faces.length,
      trainedOnThisFile: null,
    });

    const both = await evaluate('--photos', photos, '--data', csv);
    expect(both).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--data <file> or --photos <folder>, not both'),
    });
    const neither = await evaluate();
    expect(neither).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--data <file> or --photos <folder> is required'),
    });
    const file = await evaluate('--photos', csv);
    expect(file).toMatchObject({ code: 2, stderr: expect.stringContaining('is a file, not a folder') });
    const detectCsv = await evaluate('--data', csv, '--detect');
    expect(detectCsv).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--detect applies to --photos'),
    });
    const closeLookAlone = await evaluate('--photos', photos, '--no-close-look');
    expect(closeLookAlone).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--no-close-look applies to --detect'),
    });
  });

  it('stops at a photo whose name lacks a label, naming it, and points to --skip-invalid', async () => {
    const bad = join(dir, 'bad-name');
    await mkdir(bad);
    await writeFile(join(bad, names[0]!), await readFile(join(photos, names[0]!)));
    const file = join(bad, '39_1_20170116174525125.jpg.chip.png');
    await writeFile(file, await readFile(join(photos, names[1]!)));
    const ran = await evaluate('--photos', bad);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(
      `pnpm evaluate: [INVALID_PHOTO_NAME] ${file}: race (the name's third field) must be an integer 0–4`,
    );
    expect(ran.stderr).toContain('(--skip-invalid judges the other photos and counts these)');
  });
});
