import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argmax, inputShape, PIXEL_COUNT, sha256Hex } from '@facekit/core';
import { projectRoot, seededRandom } from '@facekit/train';
import { evaluateModels } from './evaluate-models.js';
import { evaluationReport } from './evaluation-report.js';

const models = join(projectRoot(), 'models');
let dir: string;
let csv: string;
/** The faces written to the CSV and their labels (age, ethnicity, gender). */
const faces: { pixels: Uint8Array; age: number; ethnicity: number; gender: number }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facekit-evaluate-'));
  const random = seededRandom(5);
  for (let i = 0; i < 40; i++) {
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
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('evaluateModels', () => {
  it("scores the shipped models on a CSV as their own session's answers do", async () => {
    const evaluation = await evaluateModels({ modelsDir: models, dataPath: csv });
    expect(evaluation.faces).toBe(40);
    expect(evaluation.trainedOnThisFile).toEqual([]);
    // The same faces through a bare session: the gender accuracy and confusion must agree.
    const manifest = evaluation.manifest.models.gender!;
    const session = await ort.InferenceSession.create(join(models, manifest.file));
    const input = new Float32Array(40 * PIXEL_COUNT);
    faces.forEach((f, i) => f.pixels.forEach((v, p) => (input[i * PIXEL_COUNT + p] = v / 255)));
    const out = await session.run({ image: new ort.Tensor('float32', input, inputShape(40)) });
    await session.release();
    const p = out[manifest.output.name]!.data as Float32Array;
    const predicted = faces.map((_, i) => argmax(p.subarray(i * 2, i * 2 + 2)));
    const gender = evaluation.metrics.gender!;
    expect(gender.accuracy).toBe(predicted.filter((k, i) => k === faces[i]!.gender).length / 40);
    expect(gender.confusion[1]![0]).toBe(
      predicted.filter((k, i) => k === 0 && faces[i]!.gender === 1).length,
    );
    expect(Object.keys(evaluation.metrics)).toEqual(['age', 'ethnicity', 'gender']);
    expect(evaluation.metrics.age!.samples).toBe(40);

    const report = evaluationReport(evaluation);
    expect(report).toContain(`Faces: \`${csv}\`, 40 rows`);
    expect(report).toMatch(/\| gender \| 40 \| [\d.]+% \| [\d.]+ \| [\d.]+% \| [\d.]+ \|/);
    expect(report).toContain('## ethnicity');
    expect(report).not.toContain('trained on this very file');
    expect(report).not.toContain('undefined');
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

  it('is what pnpm evaluate writes: the report to --out, the metrics to --json; --data required', async () => {
    const [out, json] = [join(dir, 'report.md'), join(dir, 'metrics.json')];
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
    expect(JSON.parse(await readFile(json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(evaluation.metrics)));
    const refused = await promisify(execFile)('pnpm', ['evaluate'], { cwd: projectRoot() }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('--data <file> is required') });
  });
});
