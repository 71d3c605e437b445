import { describe, expect, it } from 'vitest';
import { retemper } from '../temperature.js';
import { calibration } from './calibration.js';
import { pooledAccuracy, type Demographics } from './group-accuracy.js';
import { computeTaskMetrics, type TaskPredictions } from './task-metrics.js';

// Seven samples, four labels; label c is never predicted, label d never occurs at all.
//   truth:     0 0 0 1 1 2 2
//   predicted: 0 0 1 1 0 0 1      confidence: .9 .8 .6 .7 .5 .95 .4
const truth = Uint8Array.from([0, 0, 0, 1, 1, 2, 2]);
const predicted = [0, 0, 1, 1, 0, 0, 1];
const confidence = [0.9, 0.8, 0.6, 0.7, 0.5, 0.95, 0.4];
const probabilities = new Float32Array(7 * 4);
predicted.forEach((p, i) => {
  const rest = (1 - confidence[i]!) / 3;
  for (let c = 0; c < 4; c++) probabilities[i * 4 + c] = c === p ? confidence[i]! : rest;
});
// Row 6 has confidence 0.4 and three others of 0.2 each: still an unambiguous argmax.
const demographics: Demographics = {
  ethnicity: Uint8Array.from([0, 0, 1, 1, 0, 4, 4]),
  gender: Uint8Array.from([0, 1, 0, 0, 0, 1, 1]),
  ageGroup: Uint8Array.from([0, 0, 1, 1, 2, 2, 2]),
  ageLabels: ['young', 'mid', 'old'],
};
const input: TaskPredictions = {
  task: 'ethnicity',
  labels: ['a', 'b', 'c', 'd'],
  truth,
  probabilities,
  loss: 1.25,
  demographics,
};

describe('computeTaskMetrics', () => {
  const m = computeTaskMetrics(input);

  it('with a temperature, also gives the ECE of the untempered probabilities; nothing else moves', () => {
    const tempered = computeTaskMetrics({ ...input, temperature: 0.5 });
    const untempered = computeTaskMetrics({ ...input, probabilities: retemper(probabilities, 4, 0.5) });
    expect(tempered.temperature).toBe(0.5);
    expect(tempered.untemperedCalibrationError).toBeCloseTo(untempered.expectedCalibrationError!, 12);
    expect(tempered.untemperedCalibrationError).not.toBeCloseTo(m.expectedCalibrationError!, 3);
    expect({ ...tempered, temperature: undefined, untemperedCalibrationError: undefined }).toEqual({
      ...m,
      temperature: undefined,
      untemperedCalibrationError: undefined,
    });
    expect(m.temperature).toBeUndefined();
  });

  it('counts the confusion matrix [true][predicted] and accuracy', () => {
    expect(m.confusion).toEqual([
      [2, 1, 0, 0],
      [1, 1, 0, 0],
      [1, 1, 0, 0],
      [0, 0, 0, 0],
    ]);
    expect(m.accuracy).toBeCloseTo(3 / 7, 12);
    expect(m.samples).toBe(7);
    expect(m.loss).toBe(1.25);
  });

  it('gives per-class precision, recall and F1, with 0 (not NaN) for a class never predicted', () => {
    const [a, b, c, d] = m.perClass;
    expect(a).toMatchObject({ label: 'a', precision: 0.5, support: 3 });
    expect(a!.recall).toBeCloseTo(2 / 3, 12);
    expect(a!.f1).toBeCloseTo(4 / 7, 12);
    expect(b!.precision).toBeCloseTo(1 / 3, 12);
    expect(b!.recall).toBe(0.5);
    expect(b!.f1).toBeCloseTo(0.4, 12);
    expect(c).toEqual({ label: 'c', precision: 0, recall: 0, f1: 0, support: 2 });
    expect(d).toEqual({ label: 'd', precision: 0, recall: 0, f1: 0, support: 0 });
    expect(JSON.stringify(m)).not.toContain('null');
  });

  it('averages macro-F1 over classes seen in truth or predictions (d is neither)', () => {
    expect(m.macroF1).toBeCloseTo((4 / 7 + 0.4 + 0) / 3, 12);
  });

  it('gives accuracy per ethnicity × gender and × age group, leaving out empty slices', () => {
    // correct: T T F T F F F
    expect(m.byEthnicityGender).toEqual([
      { ethnicity: 'White', gender: 'male', count: 2, accuracy: 0.5 },
      { ethnicity: 'White', gender: 'female', count: 1, accuracy: 1 },
      { ethnicity: 'Black', gender: 'male', count: 2, accuracy: 0.5 },
      { ethnicity: 'Others', gender: 'female', count: 2, accuracy: 0 },
    ]);
    expect(m.byEthnicityGenderAge).toEqual([
      { ethnicity: 'White', gender: 'male', ageGroup: 'young', count: 1, accuracy: 1 },
      { ethnicity: 'White', gender: 'male', ageGroup: 'old', count: 1, accuracy: 0 },
      { ethnicity: 'White', gender: 'female', ageGroup: 'young', count: 1, accuracy: 1 },
      { ethnicity: 'Black', gender: 'male', ageGroup: 'mid', count: 2, accuracy: 0.5 },
      { ethnicity: 'Others', gender: 'female', ageGroup: 'old', count: 2, accuracy: 0 },
    ]);
    expect(m.ageGroupLabels).toEqual(['young', 'mid', 'old']);
    expect(pooledAccuracy(m.byEthnicityGender.filter((g) => g.gender === 'male'))).toEqual({
      count: 4,
      accuracy: 0.5,
    });
    expect(pooledAccuracy([])).toBeNull();
  });

  it('reports ECE over 15 bins: here every sample has its own bin', () => {
    // |acc − conf| per sample: .1 .2 .6 .3 .5 .95 .4
    expect(m.calibrationBins).toBe(15);
    expect(m.expectedCalibrationError).toBeCloseTo(3.05 / 7, 6);
    expect(m.reliability).toHaveLength(7);
    expect(m.reliability?.[0]).toMatchObject({ lower: 6 / 15, upper: 7 / 15, count: 1, accuracy: 0 });
    expect(m.reliability?.[0]?.confidence).toBeCloseTo(0.4, 6);
  });

  it('reads a one-unit sigmoid output as [1 − p, p]; ties go to the lower class', () => {
    const g = computeTaskMetrics({
      task: 'gender',
      labels: ['male', 'female'],
      truth: Uint8Array.from([0, 1, 1]),
      probabilities: Float32Array.from([0.2, 0.7, 0.5]),
      loss: 0.5,
      demographics: {
        ...demographics,
        ethnicity: demographics.ethnicity.slice(0, 3),
        gender: demographics.gender.slice(0, 3),
        ageGroup: demographics.ageGroup.slice(0, 3),
      },
    });
    expect(g.confusion).toEqual([
      [1, 0],
      [1, 1],
    ]);
    const confidences = g.reliability?.map((b) => b.confidence) ?? [];
    expect(confidences.map((c) => Math.round(c * 1e6) / 1e6)).toEqual([0.5, 0.7, 0.8]);
  });

  it('rejects inputs that do not line up', () => {
    expect(() => computeTaskMetrics({ ...input, probabilities: probabilities.slice(1) })).toThrow(
      /probabilities/,
    );
    expect(() => computeTaskMetrics({ ...input, truth: Uint8Array.from([0, 0, 0, 1, 1, 2, 4]) })).toThrow(
      /truth\[6\]/,
    );
    const nan = probabilities.slice();
    nan[9] = Number.NaN;
    expect(() => computeTaskMetrics({ ...input, probabilities: nan })).toThrow(/row 2/);
    const shortGender = { ...demographics, gender: demographics.gender.slice(1) };
    expect(() => computeTaskMetrics({ ...input, demographics: shortGender })).toThrow(/gender/);
    const badCode = { ...demographics, ethnicity: Uint8Array.from([0, 0, 1, 1, 0, 5, 4]) };
    expect(() => computeTaskMetrics({ ...input, demographics: badCode })).toThrow(/ethnicity\[5\]/);
    expect(() =>
      computeTaskMetrics({ ...input, truth: new Uint8Array(), probabilities: new Float32Array() }),
    ).toThrow(/no samples/);
  });
});

describe('calibration', () => {
  it('weights each bin by its share of samples', () => {
    // 5 bins of 0.2. Bin 4: confidences .81 .85 .89, 2 of 3 right → |2/3 − .85|; bin 1 holds 0.2 exactly, wrong.
    const c = calibration([0.81, 0.85, 0.89, 0.2], [true, false, true, false], 5);
    expect(c.reliability.map((b) => [b.lower, b.count])).toEqual([
      [0.2, 1],
      [0.8, 3],
    ]);
    expect(c.expectedCalibrationError).toBeCloseTo((3 / 4) * Math.abs(2 / 3 - 0.85) + (1 / 4) * 0.2, 12);
  });

  it('puts confidence 1 in the last bin and 0 in the first; a perfect model has ECE 0', () => {
    const c = calibration([1, 1, 0], [true, true, false], 15);
    expect(c.reliability.map((b) => b.upper)).toEqual([1 / 15, 1]);
    expect(c.expectedCalibrationError).toBe(0);
  });

  it('rejects values that are not probabilities', () => {
    expect(() => calibration([1.2], [true])).toThrow(RangeError);
    expect(() => calibration([Number.NaN], [true])).toThrow(RangeError);
    expect(() => calibration([0.5], [true, false])).toThrow(RangeError);
  });
});
