/**
 * CSV as the command lines write it (pnpm evaluate --answers, pnpm classify --csv): a header and rows,
 * a line each, fields quoted only where they hold a comma, a quote or a line break (RFC 4180), so that
 * a spreadsheet or pandas reads a photo's name as it is.
 */

/** A field, quoted where it must be. */
export const csvField = (text: string): string =>
  /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;

/** Rows (the header first) as CSV text, each ending with a line break. */
export const csvText = (rows: readonly (readonly string[])[]): string =>
  rows.map((row) => `${row.map(csvField).join(',')}\n`).join('');
