import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidCsvHeaderError, InvalidCsvRowError } from '@facekit/core';
import { facePixels } from './dataset.js';
import { loadCsv } from './load-csv.js';
import { tempFolder } from '../../../../tests/support/temp-folder.js';

const HEADER = 'age,ethnicity,gender,img_name,pixels';
const pixels = (v: (i: number) => number) => Array.from({ length: 2304 }, (_, i) => v(i)).join(' ');
const row = (
  age: string | number,
  eth: string | number,
  gender: string | number,
  px = pixels((i) => i % 256),
) => `${age},${eth},${gender},x.jpg,"${px}"`;

async function csv(lines: string[]): Promise<string> {
  const dir = await tempFolder('facekit-csv-');
  const path = join(dir, 'faces.csv');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

describe('loadCsv', () => {
  it('loads valid rows into one byte array with labels and line numbers', async () => {
    const path = await csv([
      HEADER,
      row(25, 2, 1),
      row(
        1,
        0,
        0,
        pixels(() => 255),
      ),
    ]);
    const { dataset, skipped, sha256 } = await loadCsv(path);
    expect(dataset.size).toBe(2);
    expect(dataset.pixels).toBeInstanceOf(Uint8Array);
    expect(Array.from(facePixels(dataset, 0).slice(0, 3))).toEqual([0, 1, 2]);
    expect(facePixels(dataset, 0)[300]).toBe(300 % 256);
    expect(facePixels(dataset, 1)[2303]).toBe(255);
    expect([dataset.age[0], dataset.ethnicity[0], dataset.gender[0], dataset.line[0]]).toEqual([25, 2, 1, 2]);
    expect(dataset.line[1]).toBe(3);
    expect(skipped.count).toBe(0);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    [row(0, 1, 1), /faces\.csv:3: age must be 1–120, got 0/],
    [row('12.0', 1, 1), /:3: age must be an integer/],
    [row(30, 5, 1), /:3: ethnicity must be 0–4, got 5/],
    [row(30, 1, 2), /:3: gender must be 0–1, got 2/],
    [row(30, 1, 1, pixels(() => 7) + ' 8'), /:3: expected 2304 pixels \(48×48\), got 2305/],
    [
      row(
        30,
        1,
        1,
        pixels((i) => (i === 9 ? 256 : 1)),
      ),
      /:3: pixel 9 is out of range 0–255/,
    ],
    [
      row(
        30,
        1,
        1,
        pixels((i) => (i === 4 ? -1 : 1)),
      ),
      /:3: pixel 4 is not an integer/,
    ],
    [
      row(30, 1, 1, pixels(() => 1).replace(' ', '  ')),
      /:3: pixels must be integers separated by single spaces/,
    ],
    ['30,1,1,x.jpg', /:3: expected 5 columns, got 4$/],
    [`${row(30, 1, 1)},`, /:3: expected 5 columns, got 6 \(a comma at the end\?\)$/],
  ])('stops at a bad row with file:line and the reason (%#)', async (bad, message) => {
    const path = await csv([HEADER, row(20, 0, 0), bad, row(20, 0, 0)]);
    const error = await loadCsv(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCsvRowError);
    expect((error as Error).message).toMatch(message);
  });

  it('reads a file saved with a byte-order mark and every field quoted, as spreadsheets save it', async () => {
    const quoted = (line: string) => line.replace(/^(\d+),(\d+),(\d+),([^,]+),/, '"$1","$2","$3","$4",');
    const path = await csv([`\ufeff${quoted(`"${HEADER.split(',').join('","')}"`)}`, quoted(row(25, 2, 1))]);
    const { dataset } = await loadCsv(path);
    expect([dataset.size, dataset.age[0], dataset.line[0]]).toEqual([1, 25, 2]);
  });

  it('passes over a line of spaces as over an empty one', async () => {
    const { dataset } = await loadCsv(await csv([HEADER, row(25, 2, 1), '   ', row(30, 1, 0), ' \t']));
    expect(Array.from(dataset.line)).toEqual([2, 4]);
  });

  it('gives a row whose quoted value spans lines the line it starts on', async () => {
    const twoLines = (age: number) => `${age},0,0,"x\n.jpg","${pixels(() => 1)}"`;
    const path = await csv([HEADER, twoLines(25), '', row(30, 1, 0), twoLines(40), row(50, 2, 1)]);
    const { dataset } = await loadCsv(path);
    expect(Array.from(dataset.line)).toEqual([2, 5, 6, 8]);
    const bad = await csv([HEADER, row(20, 0, 0), twoLines(0), row(20, 0, 0)]);
    await expect(loadCsv(bad)).rejects.toThrow(`${bad}:3: age must be 1–120, got 0`);
  });

  it('counts a CRLF inside a quoted value as one line break, in a CRLF file', async () => {
    const twoLines = (age: number) => `${age},0,0,"x\r\n.jpg","${pixels(() => 1)}"`;
    const lines = [HEADER, twoLines(25), '', row(30, 1, 0), twoLines(40), row(50, 2, 1), row(0, 0, 0)];
    const path = await csv([]);
    await writeFile(path, `${lines.join('\r\n')}\r\n`);
    const { dataset } = await loadCsv(path, { skipInvalid: true });
    expect(Array.from(dataset.line)).toEqual([2, 5, 6, 8]);
    await expect(loadCsv(path)).rejects.toThrow(`${path}:9: age must be 1–120, got 0`);
  });

  it('says a UTF-16 file is UTF-16, not binary', async () => {
    const path = await csv([]);
    await writeFile(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\n`, 'utf16le')]));
    await expect(loadCsv(path)).rejects.toThrow(/is UTF-16 text .*save it as "CSV UTF-8"/);
  });

  it('skips bad rows with skipInvalid and counts them by reason', async () => {
    const path = await csv([
      HEADER,
      row(20, 0, 0),
      row(0, 0, 0),
      row(20, 9, 0),
      row(20, 0, 0, '1 2 3'),
      row(40, 1, 1),
    ]);
    const { dataset, skipped } = await loadCsv(path, { skipInvalid: true });
    expect(dataset.size).toBe(2);
    expect(skipped.count).toBe(3);
    expect(skipped.byReason).toEqual({ age: 1, ethnicity: 1, 'pixel count': 1 });
    expect(skipped.examples[0]).toMatch(/faces\.csv:3: age/);
  });

  it('reads the columns by their names, in any order and letter case, passing over others', async () => {
    const px = pixels((i) => (i * 3) % 256);
    const path = await csv(['Gender,AGE,pixels,source,Ethnicity', `1,37,"${px}",camera 2,3`]);
    const { dataset } = await loadCsv(path);
    expect([dataset.size, dataset.age[0], dataset.ethnicity[0], dataset.gender[0]]).toEqual([1, 37, 3, 1]);
    expect(Array.from(facePixels(dataset, 0).slice(0, 3))).toEqual([0, 3, 6]);
  });

  it('rejects a header that lacks a column or names one twice, saying which', async () => {
    const path = await csv(['age,gender,age,img_name,pixels', row(20, 0, 0)]);
    await expect(loadCsv(path)).rejects.toBeInstanceOf(InvalidCsvHeaderError);
    await expect(loadCsv(path)).rejects.toThrow(
      /faces\.csv:1: header must name the columns age,ethnicity,gender,img_name,pixels \(any order; img_name and others are not read\): "age" named 2 times, no "ethnicity" column in "age,gender,age,img_name,pixels"$/,
    );
  });

  it('says when the columns are separated by tabs or semicolons', async () => {
    for (const [separator, name] of [
      ['\t', 'tabs'],
      [';', 'semicolons'],
    ]) {
      const path = await csv([HEADER.replaceAll(',', separator!)]);
      await expect(loadCsv(path)).rejects.toThrow(
        `its columns are separated by ${name}; save it comma-separated`,
      );
    }
  });

  it('reports a quote left open on the row where it opened, not at the end of the file', async () => {
    // Unquoted pixels (they hold no commas), so the stray quote swallows the rest of the file.
    const plain = (age: number) => `${age},0,0,x.jpg,${pixels(() => 1)}`;
    const rows = Array.from({ length: 300 }, (_, i) => plain(20 + (i % 50)));
    rows[3] = `30,0,0,x.jpg,"${pixels(() => 1)}`;
    const path = await csv([HEADER, ...rows]);
    const error = await loadCsv(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCsvRowError);
    expect((error as Error).message).toBe(
      `${path}:5: a quote opened in this row is never closed (the rest of the file was read as one value)`,
    );
  });

  it('reports a quote opened on one line and closed on the next as a quote not closed', async () => {
    const path = await csv([HEADER, row(20, 0, 0), `30,0,0,x.jpg,"${pixels(() => 1)}`, row(20, 0, 0)]);
    await expect(loadCsv(path)).rejects.toThrow(
      `${path}:3: a quote opened in column 5 (pixels) is not closed on this line`,
    );
  });

  it('reports text after a closing quote', async () => {
    const path = await csv([HEADER, row(20, 0, 0), `30,0,0,"x.jpg"z,${pixels(() => 1)}`]);
    await expect(loadCsv(path)).rejects.toThrow(
      `${path}:3: text follows a closing quote in column 4 (img_name); only whole values may be quoted`,
    );
  });

  it('reports a quote in the middle of a value with a short snippet', async () => {
    const path = await csv([
      HEADER,
      row(20, 0, 0),
      `30,0,0,x.jpg,${pixels(() => 1).replace('1 1 1', '1 "1')}`,
    ]);
    const error = await loadCsv(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCsvRowError);
    expect((error as Error).message).toBe(
      `${path}:3: a quote in the middle of a value in column 5 (pixels), after "1 "; only whole values may be quoted`,
    );
  });

  it('says a binary file does not look like a CSV text file', async () => {
    const dir = await tempFolder('facekit-csv-');
    const path = join(dir, 'faces.csv.gz');
    await writeFile(
      path,
      Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]), Buffer.alloc(3000, 0x22)]),
    );
    const error = await loadCsv(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCsvHeaderError);
    expect((error as Error).message).toBe(
      `${path}:1: does not look like a CSV text file (byte 3 is a zero byte, so it is binary; unpack a .zip or .gz first)`,
    );
  });

  it('refuses at once a file whose first 64 KiB hold no line end (no header line)', async () => {
    const dir = await tempFolder('facekit-csv-');
    const path = join(dir, 'one-line.csv');
    // 20 MB on one line: csv-parse alone took seconds to refuse it, looking for its line end.
    await writeFile(path, `${'7 '.repeat(10_000_000)}\n`);
    const error = await loadCsv(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCsvHeaderError);
    expect((error as Error).message).toBe(
      `${path}:1: has no line end in its first 64 KiB, so its first line is no header line (age,ethnicity,gender,img_name,pixels)`,
    );
  });

  it('shows only the start of a first row that is not a header', async () => {
    const path = await csv([row(20, 0, 0), row(30, 0, 0)]);
    const error = await loadCsv(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCsvHeaderError);
    const message = (error as Error).message;
    expect(message).toContain(`in "${row(20, 0, 0).replace('"', '').slice(0, 80)}…"`);
    // The row runs to 4 KB; the file's path, as long as the temp folder's, is not counted.
    expect(message.replace(path, '').length).toBeLessThan(300);
  });

  it('with skipInvalid skips a row with a stray quote, keeping the lines of the rows after it', async () => {
    const stray = (value: string) => `30,0,0,${value},${pixels(() => 1)}`;
    const rows = [
      row(20, 0, 0),
      `30,0,0,x.jpg,${pixels(() => 1).replace('1 1 1', '1 "1')}`,
      row(21, 0, 0),
      stray('ab"c'),
      '',
      stray('a"b"c'),
      row(22, 0, 0),
      row(0, 0, 0),
      row(23, 0, 0),
    ];
    const path = await csv([HEADER, ...rows]);
    const { dataset, skipped } = await loadCsv(path, { skipInvalid: true });
    expect(Array.from(dataset.line)).toEqual([2, 4, 8, 10]);
    expect(Array.from(dataset.age)).toEqual([20, 21, 22, 23]);
    expect(skipped.count).toBe(4);
    expect(skipped.byReason).toEqual({ 'stray quote': 3, age: 1 });
    expect(skipped.examples).toEqual([
      `${path}:3: a quote in the middle of a value in column 5 (pixels), after "1 "; only whole values may be quoted`,
      `${path}:5: a quote in the middle of a value in column 4 (img_name), after "ab"; only whole values may be quoted`,
      `${path}:7: a quote in the middle of a value in column 4 (img_name), after "a"; only whole values may be quoted`,
      `${path}:9: age must be 1–120, got 0`,
    ]);
  });

  it('names the column of a stray quote by the header, whatever its order, before the header is read', async () => {
    const header = 'pixels,img_name,gender,ethnicity,age';
    const reordered = (name: string) => `"${pixels(() => 1)}",${name},0,0,30`;
    const path = await csv([header, reordered('a.jpg'), reordered('ab"c'), reordered('b.jpg')]);
    const { dataset, skipped } = await loadCsv(path, { skipInvalid: true });
    expect(Array.from(dataset.line)).toEqual([2, 4]);
    expect(skipped.examples).toEqual([
      `${path}:3: a quote in the middle of a value in column 2 (img_name), after "ab"; only whole values may be quoted`,
    ]);
  });

  it('with skipInvalid still stops at a misplaced quote that hides where its row ends', async () => {
    const plain = (age: number) => `${age},0,0,x.jpg,${pixels(() => 1)}`;
    const rows = Array.from({ length: 20 }, (_, i) => plain(20 + i));
    const cases: [string, string][] = [
      [`30,0,0,"x.jpg"z,${pixels(() => 1)}`, 'text follows a closing quote in column 4 (img_name)'],
      [`30,0,0,x.jpg,"${pixels(() => 1)}`, 'a quote opened in this row is never closed'],
    ];
    for (const [bad, reason] of cases) {
      const path = await csv([HEADER, ...rows.slice(0, 3), bad, ...rows.slice(3)]);
      const error = await loadCsv(path, { skipInvalid: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidCsvRowError);
      const message = (error as Error).message;
      expect(message.startsWith(`${path}:5: ${reason}`), message).toBe(true);
      expect(
        message.endsWith(
          ' (not skipped: where this row ends cannot be told, so the rows after it would be lost)',
        ),
      ).toBe(true);
    }
  });

  it('says a file with the header and no rows has no rows, as a fault of the file', async () => {
    const path = await csv([HEADER, '']);
    const error = await loadCsv(path, { skipInvalid: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCsvHeaderError);
    expect((error as Error).message).toBe(`${path}:1: has the header line and no data rows after it`);
  });

  it('says how many rows were skipped and why when every row is invalid', async () => {
    const path = await csv([HEADER, row(0, 0, 0), row(20, 9, 0), row(0, 0, 0), row(20, 0, 0, '1 2')]);
    await expect(loadCsv(path, { skipInvalid: true })).rejects.toThrow(
      `${path}:2: no valid rows: all 4 rows were skipped (age: 2, ethnicity: 1, pixel count: 1)`,
    );
  });
});
