/**
 * Streams the Kaggle CSV (≈170 MB) through csv-parse into a FaceDataset, validating the header and
 * every row. A bad row stops the load with `file:line: what is wrong`, or — with `skipInvalid` — is
 * skipped, counted by reason and reported. The file's sha256 is computed on the same pass, so a run
 * records exactly which data it saw.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { InvalidCsvHeaderError, InvalidCsvRowError } from '@facekit/core';
import { DatasetBuilder, type FaceDataset } from './dataset.js';
import { CSV_COLUMNS, parseLabel, parsePixelField, RowProblem } from './csv-row.js';

export interface SkippedRows {
  readonly count: number;
  /** Skipped rows per reason category, e.g. { "pixel count": 3 }. */
  readonly byReason: Readonly<Record<string, number>>;
  /** The first few full messages, `file:line: reason`. */
  readonly examples: readonly string[];
}

export interface LoadedCsv {
  readonly path: string;
  readonly sha256: string;
  readonly dataset: FaceDataset;
  readonly skipped: SkippedRows;
}

export interface LoadCsvOptions {
  readonly skipInvalid?: boolean;
  /** Largest age accepted. */
  readonly maxAge?: number;
  /** Stop after this many valid rows (benchmarks, quick looks). */
  readonly limit?: number;
  readonly onProgress?: (rows: number) => void;
}

function checkHeader(path: string, header: string[]): void {
  const got = header.map((h) => h.trim());
  if (got.length !== CSV_COLUMNS.length || got.some((h, i) => h !== CSV_COLUMNS[i])) {
    throw new InvalidCsvHeaderError(
      path,
      `header must be "${CSV_COLUMNS.join(',')}", got "${header.join(',')}"`,
    );
  }
}

export async function loadCsv(path: string, options: LoadCsvOptions = {}): Promise<LoadedCsv> {
  const maxAge = options.maxAge ?? 120;
  const hash = createHash('sha256');
  const input = createReadStream(path);
  input.on('data', (chunk) => hash.update(chunk));
  const parser = input.pipe(parse({ info: true, relax_column_count: true, skip_empty_lines: true }));
  input.on('error', (error) => parser.destroy(error));

  const builder = new DatasetBuilder();
  const byReason: Record<string, number> = {};
  const examples: string[] = [];
  let skipped = 0;
  let headerSeen = false;

  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
  }>) {
    const line = info.lines;
    if (!headerSeen) {
      checkHeader(path, record);
      headerSeen = true;
      continue;
    }
    try {
      if (record.length !== CSV_COLUMNS.length) {
        throw new RowProblem('column count', `expected ${CSV_COLUMNS.length} columns, got ${record.length}`);
      }
      const age = parseLabel(record[0], 'age', 1, maxAge);
      const ethnicity = parseLabel(record[1], 'ethnicity', 0, 4);
      const gender = parseLabel(record[2], 'gender', 0, 1);
      parsePixelField(record[4], builder.nextPixels());
      builder.commit(age, ethnicity, gender, line);
    } catch (error) {
      if (!(error instanceof RowProblem)) throw error;
      if (!options.skipInvalid) {
        input.destroy();
        throw new InvalidCsvRowError(path, line, error.message);
      }
      skipped++;
      byReason[error.category] = (byReason[error.category] ?? 0) + 1;
      if (examples.length < 10) examples.push(`${path}:${line}: ${error.message}`);
    }
    if (builder.size % 2000 === 0) options.onProgress?.(builder.size);
    if (options.limit !== undefined && builder.size >= options.limit) {
      input.destroy();
      break;
    }
  }
  if (!headerSeen) throw new InvalidCsvHeaderError(path, 'file is empty');
  if (builder.size === 0) throw new InvalidCsvRowError(path, 2, 'no valid rows');
  return {
    path,
    sha256: options.limit === undefined ? hash.digest('hex') : `partial:${hash.digest('hex')}`,
    dataset: builder.build(),
    skipped: { count: skipped, byReason, examples },
  };
}
