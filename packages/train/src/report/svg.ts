/**
 * The few SVG pieces the report's figures share: escaping, elements, a document wrapper, nice axis
 * ticks, linear scales, axes with grid lines and a legend. Hand-written strings rather than a plotting
 * library, because the figures are simple, must open in any browser or Markdown viewer, and training
 * should not pull in a DOM.
 */

export type Attrs = Readonly<Record<string, string | number | undefined>>;

export const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
/** Okabe–Ito colours: distinguishable with colour-vision deficiencies. */
export const COLORS = { blue: '#0072B2', vermillion: '#D55E00', green: '#009E73', grey: '#666666' } as const;

export function escapeXml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`,
  );
}

/** Coordinates with two decimals at most: smaller files, same picture. */
export const num = (v: number) => String(Math.round(v * 100) / 100);

function attrs(a: Attrs): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(typeof v === 'number' ? num(v) : String(v))}"`)
    .join('');
}

/** An element; children are already-serialised markup. */
export function el(name: string, a: Attrs = {}, ...children: string[]): string {
  return children.length === 0
    ? `<${name}${attrs(a)}/>`
    : `<${name}${attrs(a)}>${children.join('')}</${name}>`;
}

export function text(x: number, y: number, content: string, a: Attrs = {}): string {
  return el('text', { x, y, ...a }, escapeXml(content));
}

/** A standalone SVG document with a white background and an accessible title. */
export function svgDocument(width: number, height: number, title: string, ...body: string[]): string {
  const root = {
    xmlns: 'http://www.w3.org/2000/svg',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    'font-family': FONT,
    'font-size': 12,
    role: 'img',
  };
  const content = [el('title', {}, escapeXml(title)), el('rect', { width, height, fill: 'white' }), ...body];
  return `<?xml version="1.0" encoding="UTF-8"?>\n${el('svg', root, ...content)}\n`;
}

/**
 * Round tick values (1, 2 or 5 × 10^n apart, about `target` intervals) from the last tick at or below
 * `min` to the first at or above `max`, so the first and last ticks can serve as the axis's domain.
 */
export function niceTicks(min: number, max: number, target = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) return [0, 1];
  if (max - min < 1e-12) [min, max] = [min - 0.5, max + 0.5];
  const rough = (max - min) / target;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= rough * (1 - 1e-9)) ?? 10) * magnitude;
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const digits = Math.max(0, -Math.floor(Math.log10(step)));
  return Array.from({ length: last - first + 1 }, (_, i) => Number(((first + i) * step).toFixed(digits)));
}

export type Scale = (v: number) => number;

export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

export interface Frame {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export interface AxesSpec {
  readonly frame: Frame;
  readonly x: Scale;
  readonly y: Scale;
  readonly xTicks: readonly number[];
  readonly yTicks: readonly number[];
  readonly xLabel: string;
  readonly yLabel: string;
  readonly format?: { x?: (v: number) => string; y?: (v: number) => string };
}

/** Frame, grid lines, tick labels and axis titles. */
export function axes(s: AxesSpec): string {
  const { left, top, width, height } = s.frame;
  const bottom = top + height;
  const fx = s.format?.x ?? num;
  const fy = s.format?.y ?? num;
  const grid = { stroke: '#e3e3e3', 'stroke-width': 1 };
  const parts = [
    ...s.yTicks.map((t) => el('line', { x1: left, x2: left + width, y1: s.y(t), y2: s.y(t), ...grid })),
    ...s.xTicks.map((t) => el('line', { x1: s.x(t), x2: s.x(t), y1: top, y2: bottom, ...grid })),
    el('rect', { x: left, y: top, width, height, fill: 'none', stroke: '#333' }),
    ...s.yTicks.map((t) => text(left - 6, s.y(t) + 4, fy(t), { 'text-anchor': 'end' })),
    ...s.xTicks.map((t) => text(s.x(t), bottom + 16, fx(t), { 'text-anchor': 'middle' })),
  ];
  if (s.xLabel)
    parts.push(text(left + width / 2, bottom + 36, s.xLabel, { 'text-anchor': 'middle', 'font-size': 13 }));
  if (s.yLabel) {
    const transform = `translate(${num(left - 48)} ${num(top + height / 2)}) rotate(-90)`;
    parts.push(text(0, 0, s.yLabel, { 'text-anchor': 'middle', 'font-size': 13, transform }));
  }
  return el('g', { class: 'axes' }, ...parts);
}

export interface LegendItem {
  readonly label: string;
  readonly color: string;
  readonly kind: 'line' | 'dashed' | 'box';
  readonly opacity?: number;
}

/** A boxed legend with its top-left corner at (x, y), items stacked or (`row`) side by side. */
export function legend(x: number, y: number, items: readonly LegendItem[], row = false): string {
  const itemWidth = (i: LegendItem) => 34 + i.label.length * 7;
  const width = row ? items.reduce((s, i) => s + itemWidth(i), 0) : Math.max(...items.map(itemWidth));
  const height = row ? 26 : 8 + items.length * 18;
  let offset = 0;
  const parts = items.map((item, i) => {
    const ix = row ? x + offset : x;
    const cy = row ? y + 13 : y + 14 + i * 18;
    offset += itemWidth(item);
    const swatch =
      item.kind === 'box'
        ? el('rect', {
            x: ix + 6,
            y: cy - 6,
            width: 16,
            height: 12,
            fill: item.color,
            'fill-opacity': item.opacity,
          })
        : el('line', {
            x1: ix + 6,
            x2: ix + 22,
            y1: cy,
            y2: cy,
            stroke: item.color,
            'stroke-width': 2,
            'stroke-dasharray': item.kind === 'dashed' ? '5 3' : undefined,
          });
    return swatch + text(ix + 28, cy + 4, item.label);
  });
  const box = el('rect', { x, y, width, height, fill: 'white', 'fill-opacity': 0.9, stroke: '#bbb' });
  return el('g', { class: 'legend' }, box, ...parts);
}

/** Width of a `legend(…, row = true)`, for centring it. */
export const rowLegendWidth = (items: readonly LegendItem[]) =>
  items.reduce((s, i) => s + 34 + i.label.length * 7, 0);
