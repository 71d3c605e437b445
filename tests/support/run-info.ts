/**
 * A finished run's run.json for tests of what is built from it (the reproduce command, the model
 * card): a two-task seed run on 100 rows. `change` replaces fields; `data` is merged field by field.
 */
import type { RunInfo } from '@facekit/train';

export function runInfo(
  change: Partial<Omit<RunInfo, 'data'>> & { data?: Partial<RunInfo['data']> } = {},
): RunInfo {
  const { data, ...rest } = change;
  return {
    runId: 'r1',
    createdAt: '2024-01-01T00:00:00.000Z',
    preset: 'seed',
    backend: 'cpu',
    seed: 1,
    testFraction: 0.3,
    validationFraction: 0.1,
    ageGrouping: 'six',
    epochs: { gender: 2, age: 2 },
    tasks: { gender: 'done', age: 'done' },
    ...rest,
    data: {
      path: 'faces.csv',
      sha256: 'ab',
      rows: 100,
      skippedRows: 0,
      duplicateRows: 0,
      conflictingDuplicateGroups: 0,
      ...data,
    },
  };
}
