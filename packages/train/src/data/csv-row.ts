/**
 * Strict parsing of one Kaggle CSV row's fields. Nothing is coerced: "12.0", " 12", "1e2" and an
 * empty field are all errors, each with a reason a person can act on. Pixels are parsed straight into
 * the dataset's byte array, with no intermediate array of strings or numbers.
 */
import { PIXEL_COUNT, snippet } from '@facekit/core';

/** The Kaggle file's header, in its order. */
export const CSV_COLUMNS = ['age', 'ethnicity', 'gender', 'img_name', 'pixels'] as const;

/** The columns the loader reads; found by name in the header, any order (img_name and others are unused). */
export const READ_COLUMNS = ['age', 'ethnicity', 'gender', 'pixels'] as const;
export type ReadColumn = (typeof READ_COLUMNS)[number];

/** Why a row was rejected: a short category (for counting) and the full message. */
export class RowProblem {
  constructor(
    readonly category: string,
    readonly message: string,
  ) {}
}

export function parseLabel(field: string | undefined, column: string, min: number, max: number): number {
  if (field === undefined || !/^\d+$/.test(field)) {
    throw new RowProblem(
      column,
      `${column} must be an integer ${min}–${max}, got ${JSON.stringify(field ?? '')}`,
    );
  }
  const value = Number(field);
  if (value < min || value > max)
    throw new RowProblem(column, `${column} must be ${min}–${max}, got ${value}`);
  return value;
}

/** The whole space-separated value around character `i`, cut short if it runs on. */
function pixelText(field: string, i: number): string {
  // Looked up only when reporting, so the parse loop stays free of bookkeeping.
  const start = field.lastIndexOf(' ', i) + 1;
  const end = field.indexOf(' ', i);
  return snippet(field.slice(start, end < 0 ? undefined : end), 12);
}

/** Parses "p0 p1 … p2303" (single spaces) into `target`; throws RowProblem naming the first bad value. */
export function parsePixelField(field: string | undefined, target: Uint8Array): void {
  if (field === undefined || field.length === 0) throw new RowProblem('pixel count', 'pixels is empty');
  let count = 0;
  let value = -1;
  for (let i = 0; i <= field.length; i++) {
    const c = i < field.length ? field.charCodeAt(i) : 32;
    if (c >= 48 && c <= 57) {
      value = value < 0 ? c - 48 : value * 10 + (c - 48);
      if (value > 255) {
        throw new RowProblem(
          'pixel value',
          `pixel ${count} is out of range 0–255 (got ${pixelText(field, i)})`,
        );
      }
    } else if (c === 32) {
      if (value < 0) {
        const where =
          i === 0
            ? 'they start with a space'
            : i >= field.length
              ? 'they end with a space'
              : `two spaces in a row after pixel ${count - 1}, at character ${i}`;
        throw new RowProblem('pixel format', `pixels must be integers separated by single spaces (${where})`);
      }
      if (count < PIXEL_COUNT) target[count] = value;
      count++;
      value = -1;
    } else {
      throw new RowProblem(
        'pixel format',
        `pixel ${count} is not an integer 0–255 (got ${JSON.stringify(pixelText(field, i))}, at character ${i})`,
      );
    }
  }
  if (count !== PIXEL_COUNT)
    throw new RowProblem('pixel count', `expected ${PIXEL_COUNT} pixels (48×48), got ${count}`);
}
