/**
 * Streams the Kaggle CSV (≈170 MB) through csv-parse into a FaceDataset, validating the header and
 * every row. A bad row stops the load with `file:line: what is wrong`, or — with `skipInvalid` — is
 * skipped, counted by reason and reported. The file's sha256 is computed on the same pass, so a run
 * records exactly which data it saw.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { CsvError, parse, type Parser } from 'csv-parse';
import { InvalidCsvHeaderError, InvalidCsvRowError, snippet } from '@facekit/core';
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
      `header must be "${CSV_COLUMNS.join(',')}", got "${snippet(header.join(','))}"`,
    );
  }
}

/** How much of the file's start is looked at to tell text from binary. */
const SNIFF_BYTES = 4096;

/** A CSV is text: a zero byte near the start means a binary file, often a .zip or .gz not yet unpacked. */
export async function checkLooksLikeText(path: string): Promise<void> {
  const file = await open(path);
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
    const utf16 =
      bytesRead >= 2 &&
      ((buffer[0] === 0xff && buffer[1] === 0xfe) || (buffer[0] === 0xfe && buffer[1] === 0xff));
    if (utf16) {
      throw new InvalidCsvHeaderError(
        path,
        'is UTF-16 text (a spreadsheet\'s "Unicode text"); save it as "CSV UTF-8" instead',
      );
    }
    const zero = buffer.subarray(0, bytesRead).indexOf(0);
    if (zero >= 0) {
      throw new InvalidCsvHeaderError(
        path,
        `does not look like a CSV text file (byte ${zero} is a zero byte, so it is binary; unpack a .zip or .gz first)`,
      );
    }
  } finally {
    await file.close();
  }
}

const asCount = (value: unknown) => (typeof value === 'number' ? value : 0);

/**
 * What a csv-parse syntax error in the row starting at `line` means, with at most a short snippet of
 * the value (its own messages can quote kilobytes).
 */
function describeCsvError(error: CsvError, line: number): string {
  const column =
    typeof error.column === 'number'
      ? ` in column ${error.column + 1} (${CSV_COLUMNS[error.column] ?? 'extra'})`
      : '';
  if (error.code === 'CSV_QUOTE_NOT_CLOSED')
    return 'a quote opened in this row is never closed (the rest of the file was read as one value)';
  if (error.code === 'CSV_INVALID_CLOSING_QUOTE') {
    return asCount(error.lines) > line
      ? `a quote opened${column} is not closed on this line`
      : `text follows a closing quote${column}; only whole values may be quoted`;
  }
  if (error.code === 'INVALID_OPENING_QUOTE')
    return `a quote in the middle of a value${column}, after "${snippet(String(error.field), 20)}"; only whole values may be quoted`;
  return `cannot parse the CSV (${snippet(error.message)})`;
}

/**
 * csv-parse's syntax errors as `file:line: what is wrong`. Its `lines` is where it noticed the problem,
 * which for a quote left open is wherever the next quote happens to be (often the end of the file), so
 * the line reported is where the bad row began: after every record, empty line and comment line before
 * it, each record one line as in the Kaggle file.
 */
function csvSyntaxError(path: string, error: CsvError): InvalidCsvRowError {
  const line = asCount(error.records) + asCount(error.empty_lines) + asCount(error.comment_lines) + 1;
  return new InvalidCsvRowError(path, line, describeCsvError(error, line), { cause: error });
}

interface CsvRecord {
  readonly record: string[];
  readonly info: { lines: number };
}

/** The parser's records, with its syntax errors turned into ours. */
async function* csvRecords(parser: Parser, path: string): AsyncGenerator<CsvRecord> {
  try {
    yield* parser as AsyncIterable<CsvRecord>;
  } catch (error) {
    throw error instanceof CsvError ? csvSyntaxError(path, error) : error;
  }
}

/** The error for a file that gave no dataset: why, when rows were skipped, by the commonest reasons. */
function noValidRows(path: string, skipped: number, byReason: Record<string, number>): InvalidCsvRowError {
  if (skipped === 0) return new InvalidCsvRowError(path, 2, 'no data rows after the header');
  const reasons = Object.entries(byReason).sort((a, b) => b[1] - a[1]);
  const common = reasons.slice(0, 3).map(([reason, n]) => `${reason}: ${n}`);
  if (reasons.length > 3) common.push(`${reasons.length - 3} other reasons`);
  return new InvalidCsvRowError(
    path,
    2,
    `no valid rows: all ${skipped} rows were skipped (${common.join(', ')})`,
  );
}

export async function loadCsv(path: string, options: LoadCsvOptions = {}): Promise<LoadedCsv> {
  await checkLooksLikeText(path);
  const maxAge = options.maxAge ?? 120;
  const hash = createHash('sha256');
  const input = createReadStream(path);
  input.on('data', (chunk) => hash.update(chunk));
  // bom: a byte-order mark (Excel's "CSV UTF-8") is not part of the first value, quoted or not.
  const parser = input.pipe(
    parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true }),
  );
  input.on('error', (error) => parser.destroy(error));

  const builder = new DatasetBuilder();
  const byReason: Record<string, number> = {};
  const examples: string[] = [];
  let skipped = 0;
  let headerSeen = false;

  for await (const { record, info } of csvRecords(parser, path)) {
    const line = info.lines;
    if (!headerSeen) {
      checkHeader(path, record);
      headerSeen = true;
      continue;
    }
    // A line of spaces (often the last) is as empty as the empty lines csv-parse skips itself.
    if (record.length === 1 && record[0]!.trim() === '') continue;
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
  if (builder.size === 0) throw noValidRows(path, skipped, byReason);
  return {
    path,
    sha256: options.limit === undefined ? hash.digest('hex') : `partial:${hash.digest('hex')}`,
    dataset: builder.build(),
    skipped: { count: skipped, byReason, examples },
  };
}
