import { describe, expect, it } from 'vitest';
import type { Task } from '@facekit/core';
import {
  ageRange,
  answerLine,
  answerText,
  briefAnswer,
  difference,
  labelText,
  liveStatusLine,
  percent,
  topAnswer,
  turnedText,
} from './format.js';

describe('format', () => {
  it('reads age groups as ranges of years, for either grouping', () => {
    expect(ageRange('21-40', 'six')).toBe('21–40 years');
    expect(ageRange('91+', 'six')).toBe('91 years or older');
    expect(ageRange('31-40', 'decades')).toBe('31–40 years');
    expect(ageRange('31-40', 'six')).toBe('31-40');
    expect(answerText('gender', 'female')).toBe('female');
    expect(answerText('age', '1-10')).toBe('1–10 years');
  });

  it('writes probabilities and differences for people', () => {
    expect(percent(0.8734)).toBe('87.3 %');
    expect(difference(0)).toBe('0');
    expect(difference(2.98e-8)).toBe('3.0e−8');
    expect(difference(0.01234)).toBe('0.0123');
  });

  it("gives the most likely label's index, its reading and its confidence", () => {
    const labels = ['1-10', '11-20', '21-40', '41-60', '61-90', '91+'];
    expect(topAnswer('age', [0.1, 0.05, 0.6, 0.2, 0.04, 0.01], labels, 'six')).toEqual({
      best: 2,
      text: '21–40 years',
      confidence: '60.0 %',
    });
    expect(topAnswer('gender', new Float32Array([0.25, 0.75]), ['male', 'female'], 'six').text).toBe(
      'female',
    );
  });

  it("says a turned square's angle, with a true minus sign, and nothing for an upright one", () => {
    expect(turnedText({ x: 0, y: 0, size: 9, angle: 17.34 })).toBe(', turned 17.3°');
    expect(turnedText({ x: 0, y: 0, size: 9, angle: -20 })).toBe(', turned −20.0°');
    expect(turnedText({ x: 0, y: 0, size: 9 })).toBe('');
    expect(turnedText({ x: 0, y: 0, size: 9, angle: 0 })).toBe('');
  });

  it("names a face's answer in a few words: the bars' labels for a mark, the cards' answers spoken, or in one line", () => {
    const labels = {
      age: ['1-10', '11-20', '21-40', '41-60', '61-90', '91+'],
      ethnicity: ['White', 'Black', 'Asian', 'Indian', 'Others'],
      gender: ['male', 'female'],
    } as const;
    const probabilities = new Map<Task, Float32Array>([
      ['age', new Float32Array([0.1, 0.05, 0.6, 0.2, 0.04, 0.01])],
      ['ethnicity', new Float32Array([0.7, 0.1, 0.1, 0.05, 0.05])],
      ['gender', new Float32Array([0.25, 0.75])],
    ]);
    const labelsOf = (task: Task) => labels[task];
    expect(briefAnswer(['age', 'ethnicity', 'gender'], probabilities, labelsOf, 'six')).toEqual({
      short: '21–40 · White · female',
      spoken: '21–40 years, White, female',
    });
    // The tasks given, in their order: a models folder with fewer tasks says fewer words.
    expect(briefAnswer(['gender', 'age'], probabilities, labelsOf, 'six').short).toBe('female · 21–40');
    expect(answerLine(['age', 'gender'], probabilities, labelsOf, 'six')).toBe(
      'Age: 21–40 years, 60.0 %; Gender: female, 75.0 %',
    );
    expect(labelText('age', '91+')).toBe('91+');
    expect(labelText('gender', 'female')).toBe('female');
  });

  it("says in the live labels' line how many faces were found, and which of them were labelled", () => {
    expect(liveStatusLine(2, ['21–40 · White · male', '1–10 · Asian · female'], 47.4, 19.84, 'wasm')).toBe(
      'Live labels: 2 faces (1: 21–40 · White · male; 2: 1–10 · Asian · female) · 47 ms a frame, 19.8 frames/s on wasm',
    );
    expect(liveStatusLine(0, [], 30, 29.96, 'webgpu')).toBe(
      'Live labels: 0 faces · 30 ms a frame, 30.0 frames/s on webgpu',
    );
    // A crowd: it said "5 faces" of a frame holding seven, the two left unlabelled unmentioned.
    expect(liveStatusLine(7, ['a', 'b', 'c', 'd', 'e'], 70, 14, 'wasm')).toBe(
      'Live labels: 7 faces, the best 5 labelled (1: a; 2: b; 3: c; 4: d; 5: e) · 70 ms a frame, 14.0 frames/s on wasm',
    );
  });
});
