/**
 * The confusion matrix as a heatmap: which classes the model mixes up, e.g. adjacent age groups or
 * "Others" with everything. Cells show counts and are shaded by their share of the true class's row
 * (recall-like), so a rare class's row is as readable as a common one's; a colour bar explains the shade.
 */
import { el, num, svgDocument, text } from './svg.js';

const LIGHT = [255, 255, 255] as const;
const DARK = [8, 48, 107] as const;

/** Colour for a row share in [0, 1]: white to dark blue. */
export function shade(share: number): string {
  const t = Math.min(1, Math.max(0, share));
  const channel = (i: number) => Math.round(LIGHT[i]! + (DARK[i]! - LIGHT[i]!) * t);
  return `rgb(${channel(0)},${channel(1)},${channel(2)})`;
}

const percent = (v: number) => `${(v * 100).toFixed(v === 0 || v === 1 ? 0 : 1)}%`;

/** Heatmap of `confusion[true][predicted]` for `task` with class `labels`. */
export function confusionSvg(
  task: string,
  labels: readonly string[],
  confusion: readonly (readonly number[])[],
): string {
  const k = labels.length;
  const cell = k <= 6 ? 68 : 56;
  const top = 76;
  const grid = k * cell;
  const width = Math.max(480, grid + 300);
  const left = 130 + (width - grid - 300) / 2;
  const height = top + grid + 70;
  const total = confusion.reduce((s, r) => s + r.reduce((a, b) => a + b, 0), 0);
  const title = `${task}: confusion matrix (test, n = ${total.toLocaleString('en-US')})`;

  const cells: string[] = [];
  labels.forEach((_, t) => {
    const row = confusion[t] ?? [];
    const support = row.reduce((a, b) => a + b, 0);
    labels.forEach((__, p) => {
      const count = row[p] ?? 0;
      const share = support === 0 ? 0 : count / support;
      const x = left + p * cell;
      const y = top + t * cell;
      const ink = share > 0.55 ? 'white' : '#111';
      cells.push(
        el(
          'g',
          { class: 'cell', 'data-true': t, 'data-pred': p },
          el('rect', { x, y, width: cell, height: cell, fill: shade(share), stroke: '#ccc' }),
          text(x + cell / 2, y + cell / 2, String(count), {
            'text-anchor': 'middle',
            fill: ink,
            'font-weight': p === t ? 'bold' : undefined,
            'font-size': 13,
          }),
          text(x + cell / 2, y + cell / 2 + 15, percent(share), {
            'text-anchor': 'middle',
            fill: ink,
            'font-size': 10,
          }),
        ),
      );
    });
    cells.push(text(left - 8, top + t * cell + cell / 2 + 4, labels[t]!, { 'text-anchor': 'end' }));
    cells.push(text(left + grid + 8, top + t * cell + cell / 2 + 4, `n = ${support}`, { fill: '#555' }));
  });
  labels.forEach((label, p) =>
    cells.push(text(left + p * cell + cell / 2, top + grid + 18, label, { 'text-anchor': 'middle' })),
  );

  const axisTitles = [
    text(left + grid / 2, top + grid + 42, 'predicted', {
      'text-anchor': 'middle',
      'font-size': 13,
      'font-weight': 'bold',
    }),
    text(0, 0, 'true', {
      'text-anchor': 'middle',
      'font-size': 13,
      'font-weight': 'bold',
      transform: `translate(${num(left - 100)} ${num(top + grid / 2)}) rotate(-90)`,
    }),
  ];

  const barX = left + grid + 80;
  const barH = Math.min(grid, 200);
  const stops = [0, 0.5, 1].map((s) => el('stop', { offset: `${s * 100}%`, 'stop-color': shade(1 - s) }));
  const colourBar = el(
    'g',
    { class: 'colour-bar' },
    el('defs', {}, el('linearGradient', { id: 'row-share', x1: 0, y1: 0, x2: 0, y2: 1 }, ...stops)),
    el('rect', { x: barX, y: top, width: 14, height: barH, fill: 'url(#row-share)', stroke: '#999' }),
    ...[1, 0.5, 0].map((v) => text(barX + 20, top + (1 - v) * barH + 4, `${v * 100}%`)),
    text(barX - 6, top + barH + 18, 'share of', { 'font-size': 10 }),
    text(barX - 6, top + barH + 30, 'true class', { 'font-size': 10 }),
  );

  const heading = text(width / 2, 28, title, {
    'text-anchor': 'middle',
    'font-size': 16,
    'font-weight': 'bold',
  });
  const note = text(width / 2, 50, 'rows: true class · columns: predicted class · shade: share of the row', {
    'text-anchor': 'middle',
    fill: '#555',
    'font-size': 11,
  });
  return svgDocument(width, height, title, heading, note, ...cells, ...axisTitles, colourBar);
}
