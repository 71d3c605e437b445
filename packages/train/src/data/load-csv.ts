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
import {
  CSV_COLUMNS,
  parseLabel,
  parsePixelField,
  READ_COLUMNS,
  RowProblem,
  type ReadColumn,
} from './csv-row.js';

export interface SkippedRows {
  readonly count: number;
  /** Skipped rows per reason category, e.g. { "pixel count": 3 }. */
  readonly byReason: Readonly<Record<string, number>>;
  /** The first few full messages, `file:line: reason`. */
  readonly examples: readonly string[];
}

/** The skipped rows' reasons as a run's log and reports give them: "pixel count: 3, age: 1". */
export function skippedReasons(skipped: SkippedRows): string {
  return Object.entries(skipped.byReason)
    .map(([reason, rows]) => `${reason}: ${rows}`)
    .join(', ');
}

export interface LoadedCsv {
  readonly path: string;
  readonly sha256: string;
  readonly dataset: FaceDataset;
  readonly skipped: SkippedRows;
}

export interface LoadCsvOptions {
  readonly skipInvalid?: boolean;
  /** Stop after this many valid rows (benchmarks, quick looks). */
  readonly limit?: number;
}

/** Largest age accepted (the data's oldest is 116); photos labelled by their names are held to it too. */
export const MAX_AGE = 120;

/** Where the header puts each column the loader reads, and how many columns every row has. */
interface Columns {
  readonly at: Readonly<Record<ReadColumn, number>>;
  readonly names: readonly string[];
}

/**
 * The header's columns, found by name in any order and letter case (the Kaggle file's order is
 * CSV_COLUMNS); other columns, such as img_name, are carried but not read. A header that names one
 * twice, or lacks one, is refused — with a word on the separator when it is not a comma.
 */
function readHeader(path: string, header: string[]): Columns {
  const names = header.map((h) => h.trim().toLowerCase());
  const at = {} as Record<ReadColumn, number>;
  const problems: string[] = [];
  for (const column of READ_COLUMNS) {
    const found = names.flatMap((n, i) => (n === column ? [i] : []));
    if (found.length === 1) at[column] = found[0]!;
    else
      problems.push(found.length === 0 ? `no "${column}" column` : `"${column}" named ${found.length} times`);
  }
  if (problems.length === READ_COLUMNS.length)
    problems.splice(0, problems.length, 'none of them (no header line?)');
  if (problems.length > 0) {
    const line = header.join(',');
    const separator =
      header.length === 1 ? (/\t/.test(line) ? 'tabs' : /;/.test(line) ? 'semicolons' : '') : '';
    throw new InvalidCsvHeaderError(
      path,
      `header must name the columns ${CSV_COLUMNS.join(',')} (any order; img_name and others are not read): ` +
        `${problems.join(', ')} in "${snippet(line)}"` +
        (separator ? ` — its columns are separated by ${separator}; save it comma-separated` : ''),
    );
  }
  return { at, names };
}

/**
 * How much of the file's start is looked at to tell text from binary, and to find the header's line
 * end (a header of the five columns is about 40 bytes; a data row about 9 KB).
 */
const SNIFF_BYTES = 64 * 1024;

/**
 * A CSV is text: a zero byte near the start means a binary file, often a .zip or .gz not yet unpacked.
 * Its first line is a header: a file with no line end in its first 64 KiB is refused at once (csv-parse,
 * looking for the line end byte by byte, took 23–40 s to refuse a 50 MB first line).
 */
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
    const start = buffer.subarray(0, bytesRead);
    if (bytesRead === SNIFF_BYTES && !start.includes(0x0a) && !start.includes(0x0d)) {
      throw new InvalidCsvHeaderError(
        path,
        `has no line end in its first ${SNIFF_BYTES / 1024} KiB, so its first line is no header line (${CSV_COLUMNS.join(',')})`,
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
function describeCsvError(error: CsvError, line: number, names: readonly string[]): string {
  const column =
    typeof error.column === 'number'
      ? ` in column ${error.column + 1} (${names[error.column] ?? 'extra'})`
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
function csvSyntaxError(
  path: string,
  error: CsvError,
  names: readonly string[],
  /** Rows csv-parse skipped before this one (skipInvalid), which its count of records leaves out. */
  skippedBefore = 0,
): InvalidCsvRowError {
  const line =
    asCount(error.records) + asCount(error.empty_lines) + asCount(error.comment_lines) + skippedBefore + 1;
  return new InvalidCsvRowError(path, line, describeCsvError(error, line, names), { cause: error });
}

/** How many skipped rows a load tells of in full (SkippedRows.examples). */
const EXAMPLES = 10;

/** The skipped-row category of a row with a quote in the middle of a value, which skipInvalid skips. */
const QUOTE_REASON = 'stray quote';

interface CsvRecord {
  readonly record: string[];
  readonly info: { readonly lines: number; readonly empty_lines: number; readonly comment_lines: number };
}

/**
 * The line each record starts on. csv-parse's `lines` is where a record ends, which for a quoted value
 * holding a line break is a later line than the one a person would look at; a record starts on the line
 * after the previous one's end and the empty (or comment) lines skipped since. csv-parse also counts a
 * CRLF inside a quoted value as two lines (CR, then LF), so those are taken back off its count: in a
 * CRLF file every row after such a value was named a line too late for each one.
 */
function startLines(): (info: CsvRecord['info'], record: readonly string[]) => number {
  let end = 0;
  let skipped = 0;
  let overcounted = 0;
  return (info, record) => {
    const skippedNow = info.empty_lines + info.comment_lines;
    let start = end + 1 + skippedNow - skipped;
    skipped = skippedNow;
    end = info.lines - overcounted;
    // Only a record that ends past the line after the one before it can hold a line break (the pixels
    // need not be searched otherwise) — or follows a record csv-parse skipped (skipInvalid), whose
    // lines it never counted: either way the record starts as many lines before its end as it holds.
    if (end > start) {
      let breaks = 0;
      for (const value of record) {
        overcounted += value.split('\r\n').length - 1;
        breaks += value.split(/\r\n|\r|\n/).length - 1;
      }
      end = info.lines - overcounted;
      start = end - breaks;
    }
    return start;
  };
}

/** The parser's records, with its syntax errors turned into ours (naming columns as `names()` does). */
async function* csvRecords(
  parser: Parser,
  path: string,
  names: () => readonly string[],
): AsyncGenerator<CsvRecord> {
  try {
    yield* parser as AsyncIterable<CsvRecord>;
  } catch (error) {
    throw error instanceof CsvError ? csvSyntaxError(path, error, names()) : error;
  }
}

/** The error for a file that gave no dataset: why, when rows were skipped, by the commonest reasons. */
function noValidRows(
  path: string,
  skipped: number,
  byReason: Record<string, number>,
): InvalidCsvRowError | InvalidCsvHeaderError {
  // The file's fault, not a row's (as an empty file's): no flag that skips rows would help.
  if (skipped === 0) return new InvalidCsvHeaderError(path, 'has the header line and no data rows after it');
  const reasons = Object.entries(byReason).sort((a, b) => b[1] - a[1]);
  const common = reasons.slice(0, 3).map(([reason, n]) => `${reason}: ${n}`);
  if (reasons.length > 3) common.push(`${reasons.length - 3} other reasons`);
  return new InvalidCsvRowError(
    path,
    2,
    `no valid rows: ${skipped === 1 ? 'its one row was' : `all ${skipped} rows were`} skipped (${common.join(', ')})`,
  );
}

export async function loadCsv(path: string, options: LoadCsvOptions = {}): Promise<LoadedCsv> {
  await checkLooksLikeText(path);
  const hash = createHash('sha256');
  const input = createReadStream(path);
  input.on('data', (chunk) => hash.update(chunk));
  const builder = new DatasetBuilder();
  const byReason: Record<string, number> = {};
  // The first few skipped rows of each kind, joined by line at the end: the parser, running ahead of
  // the loop below, tells of rows with a stray quote before the loop reaches the rows around them.
  const examples: Record<'rows' | 'quotes', { line: number; message: string }[]> = { rows: [], quotes: [] };
  let skipped = 0;
  let columns: Columns | undefined;
  // The header's names as the parser gives them, for its errors: it runs ahead of the loop below, which
  // reads the header (a chunk of the file at a time), so a row's error may come before that loop has.
  let header: readonly string[] | undefined;
  const names = () => columns?.names ?? header?.map((h) => h.trim().toLowerCase()) ?? CSV_COLUMNS;
  const skip = (category: string, line: number, message: () => string) => {
    skipped++;
    byReason[category] = (byReason[category] ?? 0) + 1;
    const kind = category === QUOTE_REASON ? examples.quotes : examples.rows;
    if (kind.length < EXAMPLES) kind.push({ line, message: message() });
  };
  // csv-parse counts only the records it gives, so each row skipped for a stray quote moves the lines
  // on; a value with two stray quotes is reported twice, for one row.
  let quoteSkipped = 0;
  let lastSkipped = '';
  const skipStrayQuote = (error: CsvError | undefined): undefined => {
    if (!error) return;
    const problem = csvSyntaxError(path, error, names(), quoteSkipped);
    // A header that does not parse is no row to skip.
    if (asCount(error.records) === 0) throw problem;
    // Only a quote in the middle of a value leaves the row's end where it was. A quote misplaced at
    // either end of a quoted value leaves the parser inside quotes, reading the rows after it as this
    // one's value: skipped, they would be lost unsaid.
    if (error.code !== 'INVALID_OPENING_QUOTE')
      throw new InvalidCsvRowError(
        path,
        problem.line,
        `${problem.reason} (not skipped: where this row ends cannot be told, so the rows after it would be lost)`,
        { cause: error },
      );
    const key = `${asCount(error.records)}:${asCount(error.lines)}`;
    if (key === lastSkipped) return;
    lastSkipped = key;
    skip(QUOTE_REASON, problem.line, () => problem.message);
    quoteSkipped++;
  };

  // bom: a byte-order mark (Excel's "CSV UTF-8") is not part of the first value, quoted or not.
  // skip_records_with_error: with skipInvalid, a row with a stray quote is one more row skipped.
  const parser = input.pipe(
    parse({
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      // With `info`, each record comes as { record, info }, which csv-parse's types do not say.
      on_record: (entry: string[]) => {
        header ??= (entry as unknown as CsvRecord).record;
        return entry;
      },
      ...(options.skipInvalid ? { skip_records_with_error: true, on_skip: skipStrayQuote } : {}),
    }),
  );
  input.on('error', (error) => parser.destroy(error));

  const startLine = startLines();
  for await (const { record, info } of csvRecords(parser, path, names)) {
    const line = startLine(info, record);
    if (!columns) {
      columns = readHeader(path, record);
      continue;
    }
    // A line of spaces (often the last) is as empty as the empty lines csv-parse skips itself.
    if (record.length === 1 && record[0]!.trim() === '') continue;
    try {
      const { at, names } = columns;
      if (record.length !== names.length) {
        const trailing =
          record.length === names.length + 1 && record.at(-1) === '' ? ' (a comma at the end?)' : '';
        throw new RowProblem(
          'column count',
          `expected ${names.length} columns, got ${record.length}${trailing}`,
        );
      }
      const age = parseLabel(record[at.age], 'age', 1, MAX_AGE);
      const ethnicity = parseLabel(record[at.ethnicity], 'ethnicity', 0, 4);
      const gender = parseLabel(record[at.gender], 'gender', 0, 1);
      parsePixelField(record[at.pixels], builder.nextPixels());
      builder.commit(age, ethnicity, gender, line);
    } catch (error) {
      if (!(error instanceof RowProblem)) throw error;
      if (!options.skipInvalid) {
        input.destroy();
        throw new InvalidCsvRowError(path, line, error.message);
      }
      skip(error.category, line, () => `${path}:${line}: ${error.message}`);
    }
    if (options.limit !== undefined && builder.size >= options.limit) {
      input.destroy();
      break;
    }
  }
  if (!columns) throw new InvalidCsvHeaderError(path, 'file is empty');
  if (builder.size === 0) throw noValidRows(path, skipped, byReason);
  return {
    path,
    sha256: options.limit === undefined ? hash.digest('hex') : `partial:${hash.digest('hex')}`,
    dataset: builder.build(),
    skipped: {
      count: skipped,
      byReason,
      examples: [...examples.rows, ...examples.quotes]
        .sort((a, b) => a.line - b.line)
        .slice(0, EXAMPLES)
        .map((e) => e.message),
    },
  };
}
