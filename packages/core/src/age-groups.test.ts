import { describe, expect, it } from 'vitest';
import { ageGroups, ageToGroup } from './age-groups.js';
import { taskLabels } from './tasks.js';

describe('age groups', () => {
  it('six groups split at 10/11, 20/21, 40/41, 60/61, 90/91', () => {
    // prettier-ignore
    const cases: [number, number][] = [
      [1, 0], [10, 0], [11, 1], [20, 1], [21, 2], [40, 2], [41, 3],
      [60, 3], [61, 4], [90, 4], [91, 5], [116, 5], [120, 5],
    ];
    for (const [age, group] of cases) expect(ageToGroup(age, 'six'), `age ${age}`).toBe(group);
    expect(taskLabels('age')).toEqual(['1-10', '11-20', '21-40', '41-60', '61-90', '91+']);
  });

  it('ten decade groups', () => {
    expect(ageGroups('decades')).toHaveLength(10);
    expect(ageToGroup(30, 'decades')).toBe(2);
    expect(ageToGroup(31, 'decades')).toBe(3);
    expect(ageToGroup(90, 'decades')).toBe(8);
    expect(ageToGroup(91, 'decades')).toBe(9);
    expect(taskLabels('age', 'decades').at(-1)).toBe('91+');
  });

  it('rejects ages that are not positive integers', () => {
    expect(() => ageToGroup(0, 'six')).toThrow(RangeError);
    expect(() => ageToGroup(2.5, 'six')).toThrow(RangeError);
  });
});
