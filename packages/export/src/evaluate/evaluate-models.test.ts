import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { ageToGroup, argmax, inputShape, PIXEL_COUNT, sha256Hex } from '@facekit/core';
import { seededRandom } from '@facekit/train';
import { projectRoot } from '@facekit/core/node';
import { evaluateModels } from './evaluate-models.js';
import { evaluationReport } from './evaluation-report.js';
import { tempFolder } from '../../../../tests/support/temp-folder.js';

const models = join(projectRoot(), 'models');
let dir: string;
let csv: string;
/** The faces written to the CSV and their labels (age, ethnicity, gender). */
const faces: { pixels: Uint8Array; age: number; ethnicity: number; gender: number }[] = [];

beforeAll(async () => {
  dir = await tempFolder('facekit-evaluate-');
  const random = seededRandom(5);
  // Over one batch of 256, so the second batch's offsets are exercised too.
  for (let i = 0; i < 300; i++) {
    // Smooth faces of varied brightness, so the models' answers vary.
    const base = 40 + random() * 170;
    const pixels = Uint8Array.from({ length: PIXEL_COUNT }, (_, p) =>
      Math.min(255, Math.round(base + 30 * Math.sin(p / 97 + i) + random() * 8)),
    );
    faces.push({ pixels, age: 1 + ((i * 13) % 100), ethnicity: i % 5, gender: i % 2 });
  }
  csv = join(dir, 'faces.csv');
  const rows = faces.map(
    (f, i) => `${f.age},${f.ethnicity},${f.gender},f${i}.jpg,${Array.from(f.pixels).join(' ')}`,
  );
  await writeFile(csv, ['age,ethnicity,gender,img_name,pixels', ...rows].join('\n'));
});

describe('evaluateModels', () => {
  it("scores the shipped models on a CSV as their own session's answers do", async () => {
    const evaluation = await evaluateModels({ modelsDir: models, dataPath: csv });
    const n = faces.length;
    expect(evaluation.faces).toBe(n);
    expect(evaluation.trainedOnThisFile).toEqual([]);
    expect(Object.keys(evaluation.metrics)).toEqual(['age', 'ethnicity', 'gender']);
    // The same faces through a bare session, all at once: each task's accuracy and confusion agree.
    const input = new Float32Array(n * PIXEL_COUNT);
    faces.forEach((f, i) => f.pixels.forEach((v, p) => (input[i * PIXEL_COUNT + p] = v / 255)));
    const session = await ort.InferenceSession.create(join(models, evaluation.manifest.models.gender!.file));
    const out = await session.run({ image: new ort.Tensor('float32', input, inputShape(n)) });
    await session.release();
    const truthOf = {
      age: (f: (typeof faces)[number]) => ageToGroup(f.age, 'six'),
      ethnicity: (f: (typeof faces)[number]) => f.ethnicity,
      gender: (f: (typeof faces)[number]) => f.gender,
    };
    for (const task of ['age', 'ethnicity', 'gender'] as const) {
      const entry = evaluation.manifest.models[task]!;
      const k = entry.labels.length;
      const p = out[entry.output.name]!.data as Float32Array;
      const predicted = faces.map((_, i) => argmax(p.subarray(i * k, (i + 1) * k)));
      const truth = faces.map(truthOf[task]);
      const m = evaluation.metrics[task]!;
      expect(m.samples, task).toBe(n);
      expect(m.accuracy, task).toBe(predicted.filter((c, i) => c === truth[i]).length / n);
      for (let t = 0; t < k; t++)
        for (let c = 0; c < k; c++)
          expect(m.confusion[t]![c], `${task} ${t}→${c}`).toBe(
            predicted.filter((q, i) => q === c && truth[i] === t).length,
          );
    }

    const report = evaluationReport(evaluation);
    expect(report).toContain(`Faces: \`${csv}\`, ${n} rows`);
    expect(report).toMatch(
      new RegExp(`\\| gender \\| ${n} \\| [\\d.]+% \\| [\\d.]+ \\| [\\d.]+% \\| [\\d.]+ \\|`),
    );
    expect(report).toContain('## ethnicity');
    expect(report).not.toContain('trained on this very file');
    expect(report).not.toContain('undefined');
  });

  it('judges a folder of one task, and skips and names invalid rows when asked', async () => {
    const copy = join(dir, 'gender-only');
    await cp(models, copy, { recursive: true });
    const manifest = JSON.parse(await readFile(join(copy, 'manifest.json'), 'utf8')) as {
      models: Record<string, unknown>;
    };
    manifest.models = { gender: manifest.models.gender };
    await writeFile(join(copy, 'manifest.json'), JSON.stringify(manifest));
    const bad = join(dir, 'bad.csv');
    const badRows = `\n30,1,0,x.jpg,1 2 3\n200,1,0,y.jpg,${'5 '.repeat(2303)}5`;
    await writeFile(bad, `${await readFile(csv, 'utf8')}${badRows}`);
    const lines: string[] = [];
    const evaluation = await evaluateModels({
      modelsDir: copy,
      dataPath: bad,
      skipInvalid: true,
      log: (l) => lines.push(l),
    });
    expect(Object.keys(evaluation.metrics)).toEqual(['gender']);
    expect([evaluation.faces, evaluation.skipped.count]).toEqual([faces.length, 2]);
    expect(lines).toContain('2 invalid rows skipped (pixel count: 1, age: 1), judged on none of them');
    expect(evaluationReport(evaluation)).toContain(
      `${faces.length} rows (2 invalid rows skipped: pixel count: 1, age: 1)`,
    );
    await expect(evaluateModels({ modelsDir: copy, dataPath: bad })).rejects.toThrow(
      `bad.csv:${faces.length + 2}: `,
    );
  });

  it('says when the CSV is the file the models were trained on', async () => {
    const copy = join(dir, 'models');
    await cp(models, copy, { recursive: true });
    const manifest = JSON.parse(await readFile(join(copy, 'manifest.json'), 'utf8')) as {
      models: Record<string, { training: { dataSha256: string } }>;
    };
    const sha = await sha256Hex(new Uint8Array(await readFile(csv)));
    manifest.models.gender!.training.dataSha256 = sha;
    await writeFile(join(copy, 'manifest.json'), JSON.stringify(manifest));
    const evaluation = await evaluateModels({ modelsDir: copy, dataPath: csv });
    expect(evaluation.trainedOnThisFile).toEqual(['gender']);
    expect(evaluationReport(evaluation)).toContain('**gender: trained on this very file.**');
  });

  it('is what pnpm evaluate writes: the report to --out, the metrics to --json; data required', async () => {
    // The report into a folder not made yet: made (writeFile's ENOENT came after every face was judged).
    const [out, json] = [join(dir, 'reports', 'report.md'), join(dir, 'metrics.json')];
    const { stderr } = await promisify(execFile)(
      'pnpm',
      ['evaluate', '--data', csv, '--out', out, '--json', json],
      {
        cwd: projectRoot(),
      },
    );
    expect(stderr).toContain(`report: ${out}`);
    const evaluation = await evaluateModels({ modelsDir: models, dataPath: csv });
    expect(await readFile(out, 'utf8')).toBe(evaluationReport(evaluation));
    const { manifest: _, answers: __, ...record } = evaluation;
    expect(JSON.parse(await readFile(json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(record)));
    const refused = await promisify(execFile)('pnpm', ['evaluate'], { cwd: projectRoot() }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(refused).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--data <file> or --photos <folder> is required'),
    });
  });

  it(
    'refuses, before judging a face and writing anything, outputs it could not write or that would replace what it reads',
    { timeout: 120_000 },
    async () => {
      // Run by node itself, so that stderr holds only the command's own lines (pnpm adds its own).
      const cli = ['--import', 'tsx', 'packages/export/src/evaluate/cli.ts'];
      const evaluate = (args: string[]) =>
        promisify(execFile)(process.execPath, [...cli, ...args], { cwd: projectRoot() }).then(
          ({ stderr }) => ({ code: 0, stderr }),
          (e: { code: number; stderr: string }) => e,
        );
      const report = join(dir, 'refused.md');
      const data = await readFile(csv, 'utf8');
      // A link to the data, and a copy of the models whose manifest and ONNX file must survive.
      const link = join(dir, 'link.csv');
      await symlink(csv, link);
      const copy = join(dir, 'models-copy');
      await mkdir(copy);
      const manifest = await readFile(join(models, 'manifest.json'), 'utf8');
      await writeFile(join(copy, 'manifest.json'), manifest);
      const photos = join(dir, 'photos');
      await mkdir(photos);
      await writeFile(join(photos, '25_0_0_x.jpg'), 'a photo');
      const refusals = await Promise.all([
        evaluate(['--data', csv, '--out', report, '--json', join(csv, 'metrics.json')]),
        evaluate(['--data', csv, '--answers', dir]),
        evaluate(['--data', csv, '--out', csv]),
        evaluate(['--data', csv, '--out', report, '--json', report]),
        evaluate(['--data', dir]),
        evaluate(['--data', csv, '--out', link]),
        evaluate(['--data', csv, '--models', copy, '--json', join(copy, 'manifest.json')]),
        evaluate(['--photos', photos, '--answers', join(photos, '25_0_0_x.jpg')]),
      ]);
      expect(refusals.map((r) => [r.code, r.stderr])).toEqual([
        [
          2,
          `pnpm evaluate: --json ${csv}/metrics.json: ${csv} is a file, so nothing can be made inside it\n`,
        ],
        [2, `pnpm evaluate: --answers ${dir}: ${dir} is a folder; name a file to write\n`],
        [2, `pnpm evaluate: --out ${csv}: is the --data file it would replace\n`],
        [2, `pnpm evaluate: --out and --json name the same file (${report}); give each its own\n`],
        [
          2,
          `pnpm evaluate: --data ${dir}: is a folder, not a file (a folder of photos is read with --photos)\n`,
        ],
        [2, `pnpm evaluate: --out ${link}: is the --data file it would replace\n`],
        [
          2,
          `pnpm evaluate: --json ${copy}/manifest.json: would replace a file of the models folder (${copy}) that evaluate reads; name a file outside it\n`,
        ],
        [
          2,
          `pnpm evaluate: --answers ${photos}/25_0_0_x.jpg: would replace a file of the --photos folder (${photos}) that evaluate reads; name a file outside it\n`,
        ],
      ]);
      expect(existsSync(report)).toBe(false);
      expect(await readFile(csv, 'utf8')).toBe(data);
      expect(await readFile(join(copy, 'manifest.json'), 'utf8')).toBe(manifest);
      expect(await readFile(join(photos, '25_0_0_x.jpg'), 'utf8')).toBe('a photo');
    },
  );
});
