/**
 * Accuracy on demographic slices of the test set. A single accuracy figure hides a model that works for
 * some faces and fails others; issue 2 asks for accuracy per ethnicity × gender and issue 7 for
 * ethnicity × gender × age group, and both the report and the model card print them. Slices with no
 * test samples are left out rather than given a made-up accuracy.
 */
import { ETHNICITY_LABELS, GENDER_LABELS } from '@facekit/core';
import type { GroupAccuracy } from './metrics-types.js';

/** Per-sample attributes of the evaluated rows, parallel to the true labels. */
export interface Demographics {
  /** UTKFace ethnicity codes: 0 White, 1 Black, 2 Asian, 3 Indian, 4 Others. */
  readonly ethnicity: Uint8Array;
  /** 0 male, 1 female. */
  readonly gender: Uint8Array;
  /** Index into `ageLabels` (the age grouping in force). */
  readonly ageGroup: Uint8Array;
  readonly ageLabels: readonly string[];
}

export interface GroupAccuracies {
  readonly byEthnicityGender: GroupAccuracy[];
  readonly byEthnicityGenderAge: GroupAccuracy[];
}

/** Checks codes and lengths so that a misaligned array fails loudly instead of skewing the table. */
export function checkDemographics(d: Demographics, rows: number): void {
  const fields: [string, Uint8Array, number][] = [
    ['ethnicity', d.ethnicity, ETHNICITY_LABELS.length],
    ['gender', d.gender, GENDER_LABELS.length],
    ['ageGroup', d.ageGroup, d.ageLabels.length],
  ];
  for (const [name, codes, limit] of fields) {
    if (codes.length !== rows)
      throw new RangeError(`demographics.${name} has ${codes.length} entries, expected ${rows}`);
    const bad = codes.findIndex((c) => c >= limit);
    if (bad >= 0) throw new RangeError(`demographics.${name}[${bad}] = ${codes[bad]} is not below ${limit}`);
  }
}

/** Accuracy per ethnicity × gender and per ethnicity × gender × age group, in label order. */
export function groupAccuracies(correct: ArrayLike<boolean>, d: Demographics): GroupAccuracies {
  checkDemographics(d, correct.length);
  const ages = d.ageLabels.length;
  const genders = GENDER_LABELS.length;
  const cells = ETHNICITY_LABELS.length * genders * ages;
  const count = new Uint32Array(cells);
  const hits = new Uint32Array(cells);
  for (let i = 0; i < correct.length; i++) {
    const cell = (d.ethnicity[i]! * genders + d.gender[i]!) * ages + d.ageGroup[i]!;
    count[cell]!++;
    if (correct[i]) hits[cell]!++;
  }
  const byEthnicityGender: GroupAccuracy[] = [];
  const byEthnicityGenderAge: GroupAccuracy[] = [];
  ETHNICITY_LABELS.forEach((ethnicity, e) => {
    GENDER_LABELS.forEach((gender, g) => {
      let n = 0;
      let h = 0;
      d.ageLabels.forEach((ageGroup, a) => {
        const cell = (e * genders + g) * ages + a;
        const cn = count[cell]!;
        if (cn === 0) return;
        n += cn;
        h += hits[cell]!;
        byEthnicityGenderAge.push({ ethnicity, gender, ageGroup, count: cn, accuracy: hits[cell]! / cn });
      });
      if (n > 0) byEthnicityGender.push({ ethnicity, gender, count: n, accuracy: h / n });
    });
  });
  return { byEthnicityGender, byEthnicityGenderAge };
}

/** Count-weighted accuracy of several slices (e.g. all genders of one ethnicity); null when empty. */
export function pooledAccuracy(groups: readonly GroupAccuracy[]): { count: number; accuracy: number } | null {
  const count = groups.reduce((s, g) => s + g.count, 0);
  if (count === 0) return null;
  return { count, accuracy: groups.reduce((s, g) => s + g.accuracy * g.count, 0) / count };
}
