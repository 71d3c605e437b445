/**
 * The seeded, stratified train / validation / test split. Strata are age group × ethnicity × gender,
 * so each part mirrors the whole; the unit moved is a duplicate group, so identical images never
 * straddle parts. Validation is carved out of the training part (the test part is touched once, at
 * the end). The split is saved with the run, so evaluation is reproducible.
 */
import { ageToGroup, isAgeGrouping, type AgeGrouping } from '@facekit/core';
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
  const fail = (what: string, value: unknown): never => {
    throw new Error(`${source}: ${what}, got ${JSON.stringify(value) ?? String(value)}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return fail('not a saved split (a JSON object)', json);
  const j = json as Record<string, unknown>;
  for (const key of ['testFraction', 'validationFraction'])
    if (typeof j[key] !== 'number' || !((j[key] as number) >= 0 && (j[key] as number) < 1))
      fail(`${key} must be a number from 0 and below 1`, j[key]);
  if (!Number.isInteger(j.seed) || (j.seed as number) < 0) fail('seed must be a whole number ≥ 0', j.seed);
  if (!isAgeGrouping(j.ageGrouping)) fail('ageGrouping must be six or decades', j.ageGrouping);
  for (const part of PARTS) {
    const rows = j[part];
    if (!Array.isArray(rows)) fail(`${part} must list row indices`, rows);
    const bad = (rows as unknown[]).findIndex(
      (r) => !Number.isInteger(r) || (r as number) < 0 || (r as number) >= 2 ** 32,
    );
    if (bad >= 0) fail(`${part}[${bad}] must be a row index (a whole number ≥ 0)`, (rows as unknown[])[bad]);
  }
  return {
    testFraction: j.testFraction as number,
    validationFraction: j.validationFraction as number,
    seed: j.seed as number,
    ageGrouping: j.ageGrouping as AgeGrouping,
    train: Uint32Array.from(j.train as number[]),
    validation: Uint32Array.from(j.validation as number[]),
    test: Uint32Array.from(j.test as number[]),
  };
}

/** Refuses a split with a row the data file does not have (`rows` rows): it is another file's split. */
export function checkSplitRows(split: DataSplit, rows: number, source = 'split.json'): void {
  for (const part of PARTS) {
    const beyond = split[part].find((r) => r >= rows);
    if (beyond !== undefined)
      throw new Error(
        `${source}: ${part} names row ${beyond}, but the data file has ${rows} rows: the split is not this file's`,
      );
  }
}
