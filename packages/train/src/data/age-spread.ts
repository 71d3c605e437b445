/**
 * Soft age-group targets. A face's age label is a reading, not a fact: a 20-year-old and a 21-year-old
 * look alike, yet one-hot targets put them in different groups with full confidence. Here a face
 * labelled `a` years is read as an age spread around `a` — a Gaussian over whole years with
 * σ = max(1, spread · a), as age-reading error grows with age — and its target is the mass that falls
 * into each group: one-hot far from a boundary, shared with the neighbouring group near one (soft
 * ordinal labels, as in Díaz & Marathe, "Soft Labels for Ordinal Regression", CVPR 2019).
 */
import { ageGroups, ageToGroup, type AgeGrouping } from '@facekit/core';

/** Whole years the spread is summed over; the data's oldest face is 116. */
const OLDEST = 130;

/** The target distribution over `grouping`'s groups for a face labelled `age` years. */
export function ageGroupDistribution(age: number, grouping: AgeGrouping, spread: number): Float32Array {
  const out = new Float32Array(ageGroups(grouping).length);
  const sigma = Math.max(1, spread * age);
  let total = 0;
  for (let year = 1; year <= OLDEST; year++) {
    const w = Math.exp(-((year - age) ** 2) / (2 * sigma * sigma));
    out[ageToGroup(year, grouping)]! += w;
    total += w;
  }
  return out.map((w) => w / total);
}

/** Every row's target distribution, row-major (size × groups), for TargetShaping's `distributions`. */
export function ageGroupDistributions(ages: Uint8Array, grouping: AgeGrouping, spread: number): Float32Array {
  const k = ageGroups(grouping).length;
  const byAge = new Map<number, Float32Array>();
  const out = new Float32Array(ages.length * k);
  ages.forEach((age, row) => {
    let d = byAge.get(age);
    if (!d) byAge.set(age, (d = ageGroupDistribution(age, grouping, spread)));
    out.set(d, row * k);
  });
  return out;
}
