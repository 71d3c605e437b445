/**
 * Age is predicted as a group, not a number. The default is the six groups the original study
 * settled on; ten decade groups are an option. The grouping a model was trained with travels in the
 * manifest, so every consumer reads labels and ranges from there rather than assuming.
 */

export type AgeGrouping = 'six' | 'decades';

export const AGE_GROUPINGS: readonly AgeGrouping[] = ['six', 'decades'];

export interface AgeGroup {
  /** Human label, e.g. "21-40" or "91+". */
  readonly label: string;
  readonly min: number;
  /** Inclusive upper bound; `null` for the open-ended last group. */
  readonly max: number | null;
}

function groupsFromUpperBounds(bounds: readonly number[]): AgeGroup[] {
  const groups: AgeGroup[] = [];
  let min = 1;
  for (const max of bounds) {
    groups.push({ label: `${min}-${max}`, min, max });
    min = max + 1;
  }
  groups.push({ label: `${min}+`, min, max: null });
  return groups;
}

const GROUPS: Record<AgeGrouping, readonly AgeGroup[]> = {
  six: groupsFromUpperBounds([10, 20, 40, 60, 90]),
  decades: groupsFromUpperBounds([10, 20, 30, 40, 50, 60, 70, 80, 90]),
};

export function ageGroups(grouping: AgeGrouping): readonly AgeGroup[] {
  return GROUPS[grouping];
}

/** Index of the group holding `age` (an integer ≥ 1). */
export function ageToGroup(age: number, grouping: AgeGrouping): number {
  if (!Number.isInteger(age) || age < 1) throw new RangeError(`age must be an integer ≥ 1, got ${age}`);
  const groups = GROUPS[grouping];
  const index = groups.findIndex((g) => g.max === null || age <= g.max);
  return index;
}

export function isAgeGrouping(value: unknown): value is AgeGrouping {
  return value === 'six' || value === 'decades';
}
