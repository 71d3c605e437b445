/**
 * Small Markdown and number-formatting helpers for report.md, so every table escapes its cells and
 * every percentage, count and duration reads the same way throughout the report.
 */

/** A cell's text with pipes escaped and line breaks flattened, so it cannot break the table. */
export function mdCell(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A GitHub-flavoured Markdown table; `right` marks numeric columns to right-align. */
export function mdTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly boolean[] = [],
) {
  const line = (cells: readonly string[]) => `| ${cells.map(mdCell).join(' | ')} |`;
  const rule = `|${header.map((_, i) => (right[i] ? ' ---: ' : ' --- ')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Inline code, safe for values that contain backticks. */
export function mdCode(value: string): string {
  const fence = value.includes('`') ? '``' : '`';
  return `${fence}${value.includes('`') ? ` ${value} ` : value}${fence}`;
}

export const pct = (v: number, digits = 1) => `${(v * 100).toFixed(digits)}%`;
export const fixed = (v: number, digits = 3) => v.toFixed(digits);
export const int = (v: number) => Math.round(v).toLocaleString('en-US');

/** 42.1 s, 3 min 05 s, 1 h 02 min. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  const two = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)} min ${two(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${two(Math.floor((s % 3600) / 60))} min`;
}
