/**
 * Byte-identical faces. The source has duplicate images (a few with different labels); if copies
 * straddled train and test, test accuracy would be inflated. Rows are grouped by content so the split
 * can move each group as one unit, and the report can say how many duplicates and conflicts there were.
 */
import { createHash } from 'node:crypto';
import { facePixels, type FaceDataset } from './dataset.js';

export interface DuplicateGroups {
  /** group[i] = the id of row i's image group; ids run 0..groupCount-1 in order of first appearance. */
  readonly group: Uint32Array;
  readonly groupCount: number;
  /** Rows whose image appeared earlier in the file. */
  readonly duplicateRows: number;
  /** Groups with more than one row. */
  readonly duplicatedGroups: number;
  /** Groups whose rows disagree on age, ethnicity or gender. */
  readonly conflictingGroups: number;
}

export function findDuplicates(dataset: FaceDataset): DuplicateGroups {
  const byHash = new Map<string, number>();
  const firstRow: number[] = [];
  const group = new Uint32Array(dataset.size);
  const members = new Uint32Array(dataset.size);
  const conflicting = new Set<number>();
  let duplicateRows = 0;
  for (let i = 0; i < dataset.size; i++) {
    const pixels = facePixels(dataset, i);
    const key = createHash('sha256').update(pixels).digest('base64');
    const existing = byHash.get(key);
    if (existing === undefined) {
      byHash.set(key, firstRow.length);
      group[i] = firstRow.length;
      firstRow.push(i);
    } else {
      const first = firstRow[existing]!;
      group[i] = existing;
      duplicateRows++;
      if (
        dataset.age[i] !== dataset.age[first] ||
        dataset.ethnicity[i] !== dataset.ethnicity[first] ||
        dataset.gender[i] !== dataset.gender[first]
      ) {
        conflicting.add(existing);
      }
    }
    members[group[i]!]!++;
  }
  let duplicatedGroups = 0;
  for (let g = 0; g < firstRow.length; g++) if (members[g]! > 1) duplicatedGroups++;
  return {
    group,
    groupCount: firstRow.length,
    duplicateRows,
    duplicatedGroups,
    conflictingGroups: conflicting.size,
  };
}
