/**
 * The page opens one session per ONNX file, not per task: the manifest's entries grouped by file (a
 * shared network's tasks together), and each task read from the output its entry names.
 */
import { describe, expect, it } from 'vitest';
import { parseManifest, taskLabels, TASKS, type Task } from '@facekit/core';
import { checkOutputNames, manifestFiles, taskOutputs } from './manifest-files.js';

const sha = (c: string) => c.repeat(64);

/** A valid manifest: `files` maps each task to [file, sha256 digit, output name]. */
function manifest(files: Record<Task, [string, string, string]>) {
  const models = Object.fromEntries(
    TASKS.map((task) => {
      const [file, digit, output] = files[task];
      const labels = taskLabels(task, 'six');
      return [
        task,
        {
          task,
          file,
          sha256: sha(digit),
          bytes: 100,
          labels,
          ...(task === 'age' ? { ageGrouping: 'six' } : {}),
          input: { name: 'image', shape: ['N', 48, 48, 1], dtype: 'float32' },
          output: { name: output, shape: ['N', labels.length] },
          opset: 17,
          training: {
            runId: 'r',
            preset: 'p',
            backend: 'cpu',
            epochs: 1,
            seed: 1,
            testFraction: 0.3,
            dataSha256: 'x',
            dataRows: 1,
          },
          metrics: {},
          verification: { samples: 1, maxAbsDiff: 0, argmaxAgreement: 1, runtime: 'x' },
        },
      ];
    }),
  );
  return parseManifest({ schemaVersion: 1, createdAt: 'now', models });
}

const oneEach = manifest({
  age: ['age/model.onnx', 'a', 'probabilities'],
  ethnicity: ['ethnicity/model.onnx', 'b', 'probabilities'],
  gender: ['gender/model.onnx', 'c', 'probabilities'],
});
const ageGenderShared = manifest({
  age: ['faces.onnx', 'd', 'age_probabilities'],
  ethnicity: ['ethnicity/model.onnx', 'b', 'probabilities'],
  gender: ['faces.onnx', 'd', 'gender_probabilities'],
});

describe('the files the page opens', () => {
  it('one per task when each task has its own', () => {
    expect(manifestFiles(oneEach).map((f) => [f.file, f.sha256, f.entries.map((e) => e.task)])).toEqual([
      ['age/model.onnx', sha('a'), ['age']],
      ['ethnicity/model.onnx', sha('b'), ['ethnicity']],
      ['gender/model.onnx', sha('c'), ['gender']],
    ]);
  });

  it('one for the tasks that share a file, in the order files first appear', () => {
    expect(
      manifestFiles(ageGenderShared).map((f) => [f.file, f.sha256, f.entries.map((e) => e.task)]),
    ).toEqual([
      ['faces.onnx', sha('d'), ['age', 'gender']],
      ['ethnicity/model.onnx', sha('b'), ['ethnicity']],
    ]);
  });

  it('reads each task from the output its entry names', () => {
    const [shared] = manifestFiles(ageGenderShared);
    const outputs = { gender_probabilities: 'G', age_probabilities: 'A', probabilities: 'X' };
    expect([...taskOutputs(shared!, outputs)]).toEqual([
      ['age', 'A'],
      ['gender', 'G'],
    ]);
    const [age] = manifestFiles(oneEach);
    expect([...taskOutputs(age!, outputs)]).toEqual([['age', 'X']]);
  });

  it('names the file and the output a graph lacks', () => {
    const [shared] = manifestFiles(ageGenderShared);
    expect(() => taskOutputs(shared!, { age_probabilities: 'A' })).toThrow(
      'faces.onnx: no output "gender_probabilities" for gender (outputs: age_probabilities)',
    );
    expect(() => checkOutputNames(shared!, ['age_probabilities', 'gender_probabilities'])).not.toThrow();
    expect(() => checkOutputNames(shared!, ['age_probabilities', 'probabilities'])).toThrow(
      'faces.onnx: the graph has outputs [age_probabilities, probabilities], not "gender_probabilities" (gender)',
    );
  });
});
