import { describe, expect, it } from 'vitest';
import { AGE_GROUPINGS, ageGroups, ageToGroup } from '@facekit/core';
import { ageGroupDistribution, ageGroupDistributions } from './age-spread.js';

describe('soft age-group targets', () => {
  it('sum to one and always keep the labelled group the most likely, in either grouping', () => {
    for (const grouping of AGE_GROUPINGS) {
      for (let age = 1; age <= 116; age++) {
        const d = Array.from(ageGroupDistribution(age, grouping, 0.05));
        expect(d).toHaveLength(ageGroups(grouping).length);
        expect(d.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
        const top = d.indexOf(Math.max(...d));
        expect(top, `age ${age}, ${grouping}`).toBe(ageToGroup(age, grouping));
      }
    }
  });

  it('are one-hot inside a group and shared with the neighbour at a boundary', () => {
    const at = (age: number) => Array.from(ageGroupDistribution(age, 'six', 0.05));
    expect(at(30)[2]).toBeCloseTo(1, 6); // 21-40, ten years from either edge
    expect(at(15)[1]).toBeCloseTo(1, 5);
    const twenty = at(20); // 11-20 | 21-40
    expect(twenty[1]).toBeGreaterThan(0.6);
    expect(twenty[2]).toBeGreaterThan(0.25);
    expect(twenty[1]! + twenty[2]!).toBeCloseTo(1, 5);
    // The spread widens with age: at 60|61 the neighbour gets more than at 20|21.
    expect(at(60)[4]!).toBeGreaterThan(twenty[2]!);
    // A larger spread shares more.
    expect(ageGroupDistribution(60, 'six', 0.1)[4]!).toBeGreaterThan(at(60)[4]!);
  });

  it("lays out every row as its age's distribution", () => {
    const ages = Uint8Array.from([30, 20, 30, 61]);
    const all = ageGroupDistributions(ages, 'six', 0.05);
    expect(all).toHaveLength(4 * 6);
    ages.forEach((age, row) => {
      expect(Array.from(all.subarray(row * 6, row * 6 + 6))).toEqual(
        Array.from(ageGroupDistribution(age, 'six', 0.05)),
      );
    });
  });
});
