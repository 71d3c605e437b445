/**
 * The three tasks and their label sets. Ethnicity and gender codes are UTKFace's, as in the Kaggle
 * CSV; age labels depend on the grouping in force.
 */
import { ageGroups, type AgeGrouping } from './age-groups.js';

export type Task = 'age' | 'ethnicity' | 'gender';

export const TASKS: readonly Task[] = ['age', 'ethnicity', 'gender'];

export const ETHNICITY_LABELS = ['White', 'Black', 'Asian', 'Indian', 'Others'] as const;
export const GENDER_LABELS = ['male', 'female'] as const;

export function isTask(value: unknown): value is Task {
  return value === 'age' || value === 'ethnicity' || value === 'gender';
}

/** Labels in output order for `task`. Gender always has two, even for a one-unit sigmoid head. */
export function taskLabels(task: Task, grouping: AgeGrouping = 'six'): readonly string[] {
  switch (task) {
    case 'age':
      return ageGroups(grouping).map((g) => g.label);
    case 'ethnicity':
      return ETHNICITY_LABELS;
    case 'gender':
      return GENDER_LABELS;
  }
}

export function taskClassCount(task: Task, grouping: AgeGrouping = 'six'): number {
  return taskLabels(task, grouping).length;
}
