import { describe, expect, it } from 'vitest';
import { ManifestError } from './errors.js';
import { groupByFile, parseDetectorInfo, parseManifest } from './manifest.js';

const model = (task: string, labels: string[], extra: object = {}) => ({
  task,
  file: `${task}/model.onnx`,
  sha256: 'a'.repeat(64),
  bytes: 1000,
  labels,
  input: { name: 'image', shape: ['N', 48, 48, 1], dtype: 'float32' },
  output: { name: 'probabilities', shape: ['N', labels.length] },
  opset: 17,
  training: {
    runId: 'r',
    preset: 'seed',
    backend: 'wasm',
    epochs: 25,
    seed: 1,
    testFraction: 0.3,
    dataSha256: 'x',
    dataRows: 10,
  },
  metrics: { accuracy: 0.8 },
  verification: { samples: 10, maxAbsDiff: 1e-7, argmaxAgreement: 1, runtime: 'onnxruntime-node cpu' },
  ...extra,
});

const valid = () => ({
  schemaVersion: 1,
  createdAt: '2026-11-28T00:00:00Z',
  models: {
    age: model('age', ['1-10', '11-20', '21-40', '41-60', '61-90', '91+'], { ageGrouping: 'six' }),
    gender: model('gender', ['male', 'female']),
  },
});

describe('parseManifest', () => {
  it('accepts a valid manifest', () => {
    const m = parseManifest(JSON.stringify(valid()));
    expect(Object.keys(m.models)).toEqual(['age', 'gender']);
    expect(m.models.age?.ageGrouping).toBe('six');
  });

  it('names the path of what is wrong', () => {
    const m = valid();
    (m.models.gender.labels as string[])[1] = 'woman';
    expect(() => parseManifest(m)).toThrow(ManifestError);
    expect(() => parseManifest(m)).toThrow(
      /^manifest\.json: models\.gender\.labels must be \[male, female\], got \["male","woman"\]$/,
    );
    const n = valid();
    (n.models.age as { ageGrouping?: string }).ageGrouping = 'weird';
    expect(() => parseManifest(n)).toThrow(/models\.age\.ageGrouping/);
    const o = valid();
    o.models.age.file = '../../etc/passwd';
    expect(() => parseManifest(o)).toThrow(/models\.age\.file/);
    expect(() => parseManifest('{oops')).toThrow(/not valid JSON/);
  });

  it('takes sizes, parameter counts and opsets only as whole numbers ≥ 0', () => {
    // A size no file can have would otherwise be blamed on the model file, as "truncated".
    for (const bytes of [1.5, -1, 1e300]) {
      const m = valid();
      m.models.gender.bytes = bytes;
      expect(() => parseManifest(m)).toThrow(
        `manifest.json: models.gender.bytes must be a whole number ≥ 0, got ${bytes}`,
      );
    }
    const p = valid();
    Object.assign(p.models.age, { parameters: -3 });
    expect(() => parseManifest(p)).toThrow(/models\.age\.parameters must be a whole number ≥ 0, got -3/);
    const o = valid();
    o.models.age.opset = 16.5;
    expect(() => parseManifest(o)).toThrow(/models\.age\.opset must be a whole number ≥ 0, got 16\.5/);
  });

  it('requires output width to match the labels', () => {
    const m = valid();
    m.models.gender.output.shape = ['N', 1];
    expect(() => parseManifest(m)).toThrow(/models\.gender\.output\.shape/);
  });

  it('lets tasks share one file, each reading its own output', () => {
    const m = valid();
    for (const [task, entry] of Object.entries(m.models)) {
      entry.file = 'faces.onnx';
      entry.output.name = `${task}_probabilities`;
    }
    const parsed = parseManifest(m);
    expect(parsed.models.age?.file).toBe('faces.onnx');
    expect(parsed.models.gender?.output.name).toBe('gender_probabilities');
  });

  it('refuses a shared file the tasks disagree on, or whose tasks would read one output', () => {
    const shared = () => {
      const m = valid();
      for (const [task, entry] of Object.entries(m.models)) {
        entry.file = 'faces.onnx';
        entry.output.name = `${task}_probabilities`;
      }
      return m;
    };
    const otherHash = shared();
    otherHash.models.gender.sha256 = 'b'.repeat(64);
    expect(() => parseManifest(otherHash)).toThrow(
      /models\.gender\.sha256 must equal models\.age\.sha256: both name faces\.onnx/,
    );
    const plainOutput = shared();
    plainOutput.models.gender.output.name = 'probabilities';
    expect(() => parseManifest(plainOutput)).toThrow(
      'manifest.json: models.gender.output.name must be "gender_probabilities" (tasks sharing faces.onnx each read their own output), got "probabilities"',
    );
    const wrongTask = valid();
    wrongTask.models.gender.output.name = 'age_probabilities';
    expect(() => parseManifest(wrongTask)).toThrow(
      /models\.gender\.output\.name must be "probabilities" or "gender_probabilities", got "age_probabilities"/,
    );
  });
});

describe('groupByFile', () => {
  it('groups by file in order of first appearance, keeping the order within a group', () => {
    const items = [
      { task: 'age', file: 'shared/model.onnx' },
      { task: 'ethnicity', file: 'ethnicity/model.onnx' },
      { task: 'gender', file: 'shared/model.onnx' },
    ];
    expect(groupByFile(items, (i) => i.file).map((g) => g.map((i) => i.task))).toEqual([
      ['age', 'gender'],
      ['ethnicity'],
    ]);
  });
});

describe('parseDetectorInfo', () => {
  const info = {
    file: 'face-detector.onnx',
    bytes: 648794,
    sha256: 'a'.repeat(64),
    source: { package: '@vladmandic/human', version: '3.3.6' },
    licence: ['BlazeFace weights © Google, Apache-2.0'],
  };

  it('reads the file, its sha256, size and origin', () => {
    expect(parseDetectorInfo(JSON.stringify(info))).toEqual(info);
  });

  it('names the field that is wrong', () => {
    expect(() => parseDetectorInfo('{')).toThrow(/^face-detector\.json: is not valid JSON \(/);
    expect(() => parseDetectorInfo({ ...info, sha256: 'ABC' })).toThrow(
      'face-detector.json: sha256 must be a sha256: 64 lowercase hex digits, got "ABC"',
    );
    expect(() => parseDetectorInfo({ ...info, file: '../x.onnx' })).toThrow(
      'face-detector.json: file must be a path inside the models folder, got "../x.onnx"',
    );
    expect(() => parseDetectorInfo({ ...info, source: { package: 'p' } })).toThrow(
      'face-detector.json: source.version must be a non-empty string, but it is missing',
    );
    expect(() => parseDetectorInfo({ ...info, licence: [3] })).toThrow(
      'face-detector.json: licence[0] must be a non-empty string, got 3',
    );
    expect(() => parseDetectorInfo({ ...info, bytes: -622961 })).toThrow(
      'face-detector.json: bytes must be a whole number ≥ 0, got -622961',
    );
  });
});
