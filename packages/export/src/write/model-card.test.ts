import { describe, expect, it } from 'vitest';
import type { Manifest, ManifestModel, Task } from '@facekit/core';
import { PRESETS, type TaskMetrics } from '@facekit/train';
import { runInfo } from '../../../../tests/support/run-info.js';
import { modelCard, type ModelCardInput } from './model-card.js';

const run = runInfo();

function entry(task: Task, labels: string[]): ManifestModel {
  return {
    task,
    file: `${task}/model.onnx`,
    sha256: 'cd',
    bytes: 2048,
    labels,
    input: { name: 'image', shape: ['N', 48, 48, 1], dtype: 'float32' },
    output: { name: 'probabilities', shape: ['N', labels.length] },
    opset: 17,
    training: {
      runId: 'r1',
      preset: 'seed',
      backend: 'cpu',
      epochs: 2,
      seed: 1,
      testFraction: 0.3,
      dataSha256: 'ab',
      dataRows: 100,
    },
    metrics: {},
    verification: { samples: 10, maxAbsDiff: 1e-7, argmaxAgreement: 1, runtime: 'onnxruntime-node' },
  };
}

const manifest: Manifest = {
  schemaVersion: 1,
  createdAt: '2024-01-02T00:00:00.000Z',
  models: { age: entry('age', ['0-2', '3-9']), gender: entry('gender', ['male', 'female']) },
};

const gender: TaskMetrics = {
  task: 'gender',
  labels: ['male', 'female'],
  samples: 30,
  accuracy: 0.8,
  macroF1: 0.79,
  loss: 0.4,
  perClass: [],
  confusion: [
    [12, 3],
    [3, 12],
  ],
  byEthnicityGender: [{ ethnicity: 'White', gender: 'male', count: 10, accuracy: 0.9 }],
  byEthnicityGenderAge: [
    { ethnicity: 'White', gender: 'male', ageGroup: '0-2', count: 4, accuracy: 0.75 },
    { ethnicity: 'Black', gender: 'female', ageGroup: '3-9', count: 6, accuracy: 0.5 },
  ],
  ageGroupLabels: ['0-2', '3-9'],
  expectedCalibrationError: 0.0321,
  calibrationBins: 10,
  reliability: [
    { lower: 0.5, upper: 0.6, count: 7, confidence: 0.55, accuracy: 0.571 },
    { lower: 0.9, upper: 1, count: 23, confidence: 0.95, accuracy: 0.87 },
  ],
  temperature: 1.4321,
  untemperedCalibrationError: 0.0812,
};

/** An older metrics.json: no age-group labels or slices, no calibration, no temperature. */
const age = {
  task: 'age',
  labels: ['0-2', '3-9'],
  samples: 10,
  accuracy: 0.6,
  macroF1: 0.5,
  loss: 1,
  perClass: [],
  confusion: [[6, 0], []],
  byEthnicityGender: [],
} as unknown as TaskMetrics;

const input = (over: Partial<ModelCardInput> = {}): ModelCardInput => ({
  manifest,
  run,
  metrics: { gender, age },
  verifications: {},
  commands: ['pnpm export'],
  figures: { gender: ['confusion.svg', 'calibration.svg'], age: ['confusion.svg'] },
  ...over,
});

describe('modelCard per-task detail', () => {
  const card = modelCard(input());
  /** The `### task` block of the detail section, up to the next task or section. */
  const section = (task: string) => {
    const start = card.indexOf(`### ${task}\n\n#### Confusion`);
    expect(start).toBeGreaterThan(0);
    const end = card.slice(start + 4).search(/\n#{2,3} /);
    return card.slice(start, start + 4 + end);
  };

  it('puts the detail after the ethnicity × gender section, with confusion counts and row recall', () => {
    expect(card.indexOf('## Confusion matrices')).toBeGreaterThan(card.indexOf('## Accuracy per ethnicity'));
    expect(card.indexOf('## Confusion matrices')).toBeLessThan(card.indexOf('## Verification'));
    const g = section('gender');
    expect(g).toContain('| true \\\\ predicted | male | female | recall |');
    expect(g).toContain('| male | 12 | 3 | 80.0% |');
    expect(g).toContain('| female | 3 | 12 | 80.0% |');
  });

  it('shows the ethnicity × gender × age-group table in <details>, "—" for empty groups', () => {
    const g = section('gender');
    expect(g).toContain('<details><summary>Accuracy per ethnicity × gender × age group');
    expect(g).toContain('| ethnicity, gender | 0-2 | 3-9 |');
    expect(g).toContain('| White male | 75.0% (n = 4) | — |');
    expect(g).toContain('| Black female | — | 50.0% (n = 6) |');
    expect(g).toContain('| Others female | — | — |');
  });

  it('reports ECE, the temperature, the reliability bins and embeds the copied figures', () => {
    const g = section('gender');
    expect(g).toContain('ECE) of the top-class confidence: 3.21% over 10 equal-width confidence bins.');
    expect(g).toContain(
      'Temperature T = 1.43 fitted on the validation part, folded into the head; ECE before tempering 8.12%.',
    );
    expect(g).toContain('| 0.50–0.60 | 7 | 55.0% | 57.1% |');
    expect(g).toContain('| 0.90–1.00 | 23 | 95.0% | 87.0% |');
    expect(g).toContain('![gender: confusion matrix](gender/confusion.svg)');
    expect(g).toContain('![gender: reliability diagram](gender/calibration.svg)');
  });

  it('degrades missing fields to "—" or a plain note, never "undefined"', () => {
    expect(card).not.toMatch(/undefined|NaN/);
    const a = section('age');
    expect(a).toContain('| 0-2 | 6 | 0 | 100.0% |');
    expect(a).toContain('| 3-9 | — | — | — |');
    expect(a).toContain('No accuracy per ethnicity × gender × age group in metrics.json.');
    expect(a).toContain('No calibration figures in metrics.json.');
    expect(a).not.toContain('Temperature');
    expect(a).toContain('(age/confusion.svg)');
    expect(a).not.toContain('calibration.svg');
  });

  it('embeds no figure the export did not copy, and notes a task without metrics', () => {
    const bare = modelCard(
      input({ figures: undefined, metrics: { gender: { ...gender, temperature: undefined } } }),
    );
    expect(bare).not.toContain('.svg');
    expect(bare).not.toContain('Temperature T');
    expect(bare).toMatch(
      /### age\n\nNo metrics\.json in the run for this task\.\n\n### gender\n\n#### Confusion/,
    );
  });
});

describe('modelCard with a shared file', () => {
  it('says which tasks share a file and names each task’s output', () => {
    const shared = (e: ManifestModel): ManifestModel => ({
      ...e,
      file: 'shared/model.onnx',
      output: { ...e.output, name: `${e.task}_probabilities` },
    });
    const card = modelCard(
      input({
        manifest: {
          ...manifest,
          models: { age: shared(manifest.models.age!), gender: shared(manifest.models.gender!) },
        },
      }),
    );
    expect(card).toContain('age, gender share `shared/model.onnx`: one network with an output per task');
    expect(card).toContain(
      'Outputs `age_probabilities`, `gender_probabilities`: each `[N, K]` for its task, final probabilities',
    );
    expect(modelCard(input())).toContain(
      'Output `probabilities`: `[N, K]`, final probabilities in the order',
    );
    expect(modelCard(input())).toContain('Input `image`: float32 `[N, 48, 48, 1]`, whole grey levels / 255.');
    expect(modelCard(input())).not.toContain(' share `');
  });
});

describe('modelCard network line', () => {
  it('describes the run’s preset, and says nothing for a preset this version does not know', () => {
    expect(modelCard(input())).toContain(`Network (preset \`seed\`): ${PRESETS.seed!.description}`);
    expect(modelCard(input({ run: { ...run, preset: 'gone' } }))).not.toContain('Network (preset');
  });

  it('says when the run trained other epochs than its preset', () => {
    expect(modelCard(input())).toContain("**This run trained 2 epochs**, not the preset's 25.");
    const full = { ...run, epochs: { gender: 25, age: 25 } };
    expect(modelCard(input({ run: full }))).not.toContain('This run trained');
    expect(modelCard(input({ run: { ...run, epochs: { gender: 1, age: 3 } } }))).toContain(
      "**This run trained age 3 epochs and gender 1 epoch**, not the preset's 25.",
    );
  });
});

describe('modelCard for what the run was', () => {
  it('names only the exported tasks, a label the training part lacked, and robustness only if measured', () => {
    const genderOnly: Manifest = { ...manifest, models: { gender: manifest.models.gender! } };
    const card = modelCard(
      input({ manifest: genderOnly, metrics: { gender: { ...gender, untrainedLabels: ['female'] } } }),
    );
    expect(card).toContain('Small CNNs that estimate a gender category from a 48×48 grey face crop.');
    expect(card).toContain(
      '- **gender: the training part had no faces of female**: the model never learnt it, and the test figures say nothing about it.',
    );
    expect(card).toContain('will do worse: this export did not measure how much (see Robustness).');
    expect(card).toContain('(softmax and temperature applied)');
    expect(modelCard(input({ robustness: [] }))).toContain('the robustness table above measures how much');
    // The age fixture is an older metrics.json without a temperature; gender's has one.
    expect(modelCard(input())).toContain(
      '(softmax applied; the fitted temperature for gender; none was fitted for age)',
    );
  });

  it('gives each part of the split its faces, or says there was no validation part and why', () => {
    const split = { train: 90, validation: 10, test: 43 };
    expect(modelCard(input({ split }))).toContain(
      'Split: 30.0% held-out test part (43 faces; metrics below), 10.0% of the other faces for validation (10 faces), 90 for training; identical images',
    );
    expect(modelCard(input({ split: { ...split, validation: 0 } }))).toContain(
      ', no validation part (10.0% of each stratum came to no faces): the last epoch was kept and no temperature fitted, 90 for training;',
    );
    expect(
      modelCard(input({ split: { ...split, validation: 0 }, run: { ...run, validationFraction: 0 } })),
    ).toContain('no validation part (none was asked for)');
    // A run folder without split.json: the fractions only.
    expect(modelCard(input())).toContain(
      'Split: 30.0% held-out test part (metrics below), 10.0% of the rest for validation;',
    );
    expect(modelCard(input({ run: { ...run, validationFraction: 0 } }))).toContain(
      'Split: 30.0% held-out test part (metrics below), no validation part;',
    );
  });

  it("points a kept task's temperature to the card of the export that kept it", () => {
    const age = manifest.models.age!;
    const kept = {
      ...manifest,
      models: { ...manifest.models, age: { ...age, training: { ...age.training, runId: 'older' } } },
    };
    expect(modelCard(input({ manifest: kept, metrics: { gender } }))).toContain(
      '(softmax applied; the fitted temperature for gender; for age see the card of the export that kept it)',
    );
  });
});

describe('modelCard robustness', () => {
  it('gives each change as the difference of the figures shown, not of the unrounded ones', () => {
    const robustness = [
      { name: 'as in the data', accuracy: { age: 0.7774, gender: 0.9156 } },
      { name: 'mirrored', accuracy: { age: 0.7786, gender: 0.9144 } },
    ];
    // 77.86 − 77.74 is 0.12, but the card shows 77.9 against 77.7; 91.44 − 91.56 shows 91.4 against 91.6.
    expect(modelCard(input({ robustness }))).toContain('| mirrored | 77.9% (+0.2) | 91.4% (−0.2) |');
  });

  it('shows each change against the unchanged faces, and what the preset trained with', () => {
    const robustness = [
      { name: 'as in the data', accuracy: { age: 0.5, gender: 0.9 } },
      { name: 'head turned 20°', accuracy: { age: 0.425, gender: 0.91 } },
      { name: 'a JPEG', accuracy: { age: 0.4996, gender: 0.9004 } },
    ];
    const card = modelCard(input({ robustness, run: { ...run, preset: 'compact-flat' } }));
    expect(card).toContain('| as in the data | 50.0% | 90.0% |');
    expect(card).toContain('| head turned 20° | 42.5% (−7.5) | 91.0% (+1.0) |');
    expect(card).toContain('| a JPEG | 50.0% (±0.0) | 90.0% (±0.0) |'); // no −0.0
    expect(card).toContain(
      'Training showed the models faces mirrored, shifted by up to 2 px, brightened or darkened by up to 13 grey levels, given up to ±10 % contrast (preset `compact-flat`)',
    );
  });

  it('names the optional changes of a preset that trains with them', () => {
    const card = modelCard(input({ robustness: [], run: { ...run, preset: 'shared-ensemble-flip-robust' } }));
    expect(card).toContain(
      'turned by up to 15°, 25 % of them at half resolution, with noise of σ up to 8 grey levels (preset `shared-ensemble-flip-robust`); larger changes are ones it did not teach.',
    );
  });

  it('names random erasing (the ensemble presets describe their first member)', () => {
    const card = modelCard(input({ robustness: [], run: { ...run, preset: 'shared-deep-erase' } }));
    expect(card).toContain(
      'given up to ±10 % contrast, 50 % of them with a rectangle painted over (preset `shared-deep-erase`); larger changes, and turns, are ones it did not teach.',
    );
  });

  it('says why it was not measured', () => {
    expect(modelCard(input({ robustness: 'the run has no split.json' }))).toContain(
      'Not measured by this export: the run has no split.json.',
    );
    expect(modelCard(input())).toContain('Not measured by this export.');
  });
});

describe('modelCard with a task kept from another run', () => {
  const older = entry('age', ['0-2', '3-9']);
  const keptAge: ManifestModel = {
    ...older,
    training: { ...older.training, runId: 'r0', preset: 'compact-flat' },
    metrics: { accuracy: 0.5, macroF1: 0.45, expectedCalibrationError: 0.02, samples: 9 },
  };
  const card = modelCard(
    input({
      manifest: { ...manifest, models: { ...manifest.models, age: keptAge } },
      metrics: { gender },
    }),
  );

  it("shows the kept task's test figures from its manifest entry and says which run they are from", () => {
    expect(card).toContain('| age | 0-2, 3-9 | `age/model.onnx` | 2.0 KiB | — | 50.0% | 0.450 | 2.0% | 9 |');
    expect(card).toContain('The age model was kept from run `r0` (preset `compact-flat`)');
    expect(card).toContain(
      'Kept from run `r0` by an earlier export: this table is in the card that export wrote.',
    );
    expect(card).not.toContain('No metrics.json in the run for this task.');
  });
});

describe('modelCard data line', () => {
  it('names the file the run read and the rows it passed over', () => {
    const own = { ...run, data: { ...run.data, path: '/tmp/my data/faces.csv', skippedRows: 7 } };
    expect(modelCard(input({ run: own }))).toContain(
      'Trained on `faces.csv`: 100 rows of 48×48 grey faces (7 invalid rows passed over), sha256 `ab`,',
    );
  });
});
