import { describe, expect, it } from 'vitest';
import { DatasetBuilder, type FaceDataset } from './dataset.js';
import { findDuplicates } from './duplicates.js';
import { checkSplitRows, splitDataset, splitFromJson, splitToJson } from './split.js';

/** n faces; face i's pixels encode `image(i)`, so equal values mean byte-identical images. */
function dataset(
  n: number,
  image: (i: number) => number,
  label: (i: number) => [number, number, number],
): FaceDataset {
  const b = new DatasetBuilder();
  for (let i = 0; i < n; i++) {
    const px = b.nextPixels();
    const v = image(i);
    px.fill(v % 256);
    px[0] = Math.floor(v / 256);
    const [age, eth, gender] = label(i);
    b.commit(age, eth, gender, i + 2);
  }
  return b.build();
}

describe('duplicates and split', () => {
  const labels = (i: number): [number, number, number] => [1 + (i % 90), i % 5, (i >> 3) % 2];

  it('counts duplicate rows and conflicting-label groups', () => {
    // Rows 0..99 distinct; rows 100..109 copy rows 0..9; row 105 copies row 5 with another gender.
    const ds = dataset(
      110,
      (i) => (i < 100 ? i : i - 100),
      (i) => {
        const l = labels(i < 100 ? i : i - 100);
        return i === 105 ? [l[0], l[1], 1 - l[2]] : l;
      },
    );
    const dups = findDuplicates(ds);
    expect(dups.groupCount).toBe(100);
    expect(dups.duplicateRows).toBe(10);
    expect(dups.duplicatedGroups).toBe(10);
    expect(dups.conflictingGroups).toBe(1);
  });

  it('never lets identical images straddle parts, is seeded and stratified', () => {
    const ds = dataset(3000, (i) => (i % 1000) * 3 + (i < 1000 ? 0 : 1) * (i % 7 === 0 ? 0 : 1), labels);
    const dups = findDuplicates(ds);
    const options = { testFraction: 0.3, validationFraction: 0.1, seed: 7, ageGrouping: 'six' as const };
    const split = splitDataset(ds, dups, options);
    expect(split.train.length + split.validation.length + split.test.length).toBe(3000);
    const partOf = new Map<number, string>();
    for (const [name, rows] of Object.entries({
      train: split.train,
      validation: split.validation,
      test: split.test,
    })) {
      for (const r of rows) {
        const g = dups.group[r]!;
        expect(partOf.get(g) ?? name, `group ${g}`).toBe(name);
        partOf.set(g, name);
      }
    }
    expect(split.test.length / 3000).toBeCloseTo(0.3, 1);
    // Each gender keeps its share in test within a few percent.
    const femaleShare = (rows: Uint32Array) => rows.reduce((s, r) => s + ds.gender[r]!, 0) / rows.length;
    expect(Math.abs(femaleShare(split.test) - femaleShare(split.train))).toBeLessThan(0.03);
    expect(splitDataset(ds, dups, options).test).toEqual(split.test);
    expect(splitDataset(ds, dups, { ...options, seed: 8 }).test).not.toEqual(split.test);
  });

  it('gives every stratum (age group × ethnicity × gender) its own share of test and validation faces', () => {
    // Three strata of 500, 100 and 17 distinct faces: 150, 30 and 5 go to test, then a tenth of the rest.
    const stratumOf = (i: number): [number, number, number] =>
      i < 500 ? [30, 0, 0] : i < 600 ? [30, 2, 1] : [70, 4, 1];
    const ds = dataset(617, (i) => i, stratumOf);
    const split = splitDataset(ds, findDuplicates(ds), {
      testFraction: 0.3,
      validationFraction: 0.1,
      seed: 3,
      ageGrouping: 'six',
    });
    const count = (rows: Uint32Array, from: number, to: number) =>
      rows.filter((r) => r >= from && r < to).length;
    expect([count(split.test, 0, 500), count(split.test, 500, 600), count(split.test, 600, 617)]).toEqual([
      150, 30, 5,
    ]);
    expect([
      count(split.validation, 0, 500),
      count(split.validation, 500, 600),
      count(split.validation, 600, 617),
    ]).toEqual([35, 7, 1]);
  });
});

describe('split.json read back', () => {
  const saved = {
    testFraction: 0.3,
    validationFraction: 0.1,
    seed: 42,
    ageGrouping: 'six',
    train: [0, 2, 5],
    validation: [3],
    test: [1, 4],
  };

  it('reads what splitToJson wrote', () => {
    const split = splitFromJson(saved, '/r/split.json');
    expect(splitToJson(split)).toEqual(saved);
    expect(() => checkSplitRows(split, 6, '/r/split.json')).not.toThrow();
  });

  it('names the file and the field of a split that is not one', () => {
    const broken: [unknown, string][] = [
      [null, 'must be a JSON object (a saved split), got null'],
      [{}, 'testFraction must be a number from 0 and below 1, but it is missing'],
      [{ ...saved, train: undefined }, 'train must be a list of row indices, but it is missing'],
      [{ ...saved, test: 'x' }, 'test must be a list of row indices, got "x"'],
      [{ ...saved, test: [1, -1] }, 'test[1] must be a whole number from 0 to 4294967295, got -1'],
      [{ ...saved, train: [1.5] }, 'train[0] must be a whole number from 0 to 4294967295, got 1.5'],
      [
        { ...saved, validation: [2 ** 32] },
        'validation[0] must be a whole number from 0 to 4294967295, got 4294967296',
      ],
      [{ ...saved, seed: '42' }, 'seed must be a whole number ≥ 0, got "42"'],
    ];
    for (const [json, why] of broken)
      expect(() => splitFromJson(json, '/r/split.json')).toThrow(`/r/split.json: ${why}`);
  });

  it('refuses a row the data file does not have', () => {
    const split = splitFromJson({ ...saved, test: [1, 999999] }, '/r/split.json');
    expect(() => checkSplitRows(split, 6, '/r/split.json')).toThrow(
      "/r/split.json: test[1] names row 999999, but the data file has 6 rows: the split is not this file's",
    );
  });
});
