/**
 * The seeded, stratified train / validation / test split. Strata are age group × ethnicity × gender,
 * so each part mirrors the whole; the unit moved is a duplicate group, so identical images never
 * straddle parts. Validation is carved out of the training part (the test part is touched once, at
 * the end). The split is saved with the run, so evaluation is reproducible.
 */
import { AGE_GROUPINGS, ageToGroup, jsonFields, type AgeGrouping } from '@facekit/core';
import type { FaceDataset } from './dataset.js';
import type { DuplicateGroups } from './duplicates.js';
import { seededRandom, shuffleInPlace } from './random.js';

export interface SplitOptions {
  readonly testFraction: number;
  readonly validationFraction: number;
  readonly seed: number;
  readonly ageGrouping: AgeGrouping;
}

export interface DataSplit extends SplitOptions {
  readonly train: Uint32Array;
  readonly validation: Uint32Array;
  readonly test: Uint32Array;
}

function checkFraction(name: string, value: number): void {
  if (!(value >= 0 && value < 1)) throw new RangeError(`${name} must be in [0, 1), got ${value}`);
}

export function splitDataset(
  dataset: FaceDataset,
  duplicates: DuplicateGroups,
  options: SplitOptions,
): DataSplit {
  checkFraction('testFraction', options.testFraction);
  checkFraction('validationFraction', options.validationFraction);
  // Rows of each duplicate group, and each group's stratum (from its first row).
  const rowsOf: number[][] = Array.from({ length: duplicates.groupCount }, () => []);
  for (let i = 0; i < dataset.size; i++) rowsOf[duplicates.group[i]!]!.push(i);
  const strata = new Map<number, number[]>();
  rowsOf.forEach((rows, g) => {
    const r = rows[0]!;
    const key =
      (ageToGroup(dataset.age[r]!, options.ageGrouping) * 5 + dataset.ethnicity[r]!) * 2 + dataset.gender[r]!;
    const list = strata.get(key) ?? [];
    list.push(g);
    strata.set(key, list);
  });

  const random = seededRandom(options.seed);
  const parts = { train: [] as number[], validation: [] as number[], test: [] as number[] };
  for (const key of [...strata.keys()].sort((a, b) => a - b)) {
    const groups = shuffleInPlace(strata.get(key)!, random);
    const nTest = Math.round(groups.length * options.testFraction);
    const nVal = Math.round((groups.length - nTest) * options.validationFraction);
    groups.forEach((g, i) => {
      const part = i < nTest ? parts.test : i < nTest + nVal ? parts.validation : parts.train;
      part.push(...rowsOf[g]!);
    });
  }
  const sorted = (rows: number[]) => Uint32Array.from(rows).sort();
  return {
    ...options,
    train: sorted(parts.train),
    validation: sorted(parts.validation),
    test: sorted(parts.test),
  };
}

/** JSON form saved as split.json. */
export function splitToJson(split: DataSplit): object {
  return {
    ...split,
    train: Array.from(split.train),
    validation: Array.from(split.validation),
    test: Array.from(split.test),
  };
}

const PARTS = ['train', 'validation', 'test'] as const;

/**
 * The split saved as split.json, checked as splitToJson writes it; errors name `source` (the file) and
 * the field. Unchecked, an edited or foreign file failed later with words that name neither
 * ("undefined is not iterable"), or trained and measured on rows that are not the run's.
 */
export function splitFromJson(json: unknown, source = 'split.json'): DataSplit {
  const f = jsonFields(source);
  const j = f.object(json, '', 'a JSON object (a saved split)');
  const testFraction = f.share(j.testFraction, 'testFraction');
  const validationFraction = f.share(j.validationFraction, 'validationFraction');
  const seed = f.whole(j.seed, 'seed', 0);
  const ageGrouping = f.oneOf(j.ageGrouping, 'ageGrouping', AGE_GROUPINGS);
  const [train, validation, test] = PARTS.map((part) =>
    Uint32Array.from(f.array(j[part], part, 'a list of row indices'), (r, i) =>
      f.whole(r, `${part}[${i}]`, 0, 2 ** 32 - 1),
    ),
  ) as [Uint32Array, Uint32Array, Uint32Array];
  return { testFraction, validationFraction, seed, ageGrouping, train, validation, test };
}

/** Refuses a split with a row the data file does not have (`rows` rows): it is another file's split. */
export function checkSplitRows(split: DataSplit, rows: number, source = 'split.json'): void {
  for (const part of PARTS) {
    const beyond = split[part].findIndex((r) => r >= rows);
    if (beyond >= 0)
      jsonFields(source).fail(
        `${part}[${beyond}]`,
        `names row ${split[part][beyond]}, but the data file has ${rows} rows: the split is not this file's`,
      );
  }
}
