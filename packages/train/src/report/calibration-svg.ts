/**
 * The reliability diagram issue 7 wants in the model card: per confidence bin, how often the model was
 * right against how sure it said it was. A bar reaching its bin's mean confidence (on the diagonal)
 * means calibrated; the hatched gap between them is what the expected calibration error averages. A
 * strip underneath shows how many samples each bin holds: a large gap in a near-empty bin matters little.
 */
import type { ReliabilityBin } from './metrics-types.js';
import {
  axes,
  COLORS,
  el,
  legend,
  linearScale,
  niceTicks,
  rowLegendWidth,
  svgDocument,
  text,
} from './svg.js';

const WIDTH = 680;
const HEIGHT = 600;
const pct = (v: number) => `${Math.round(v * 100)}%`;

/** Reliability diagram for `task` from its non-empty confidence bins. */
export function calibrationSvg(
  task: string,
  reliability: readonly ReliabilityBin[],
  expectedCalibrationError: number,
  bins: number,
): string {
  const title = `${task}: reliability diagram (ECE ${(expectedCalibrationError * 100).toFixed(1)}%, ${bins} bins)`;
  const heading = text(WIDTH / 2, 28, title, {
    'text-anchor': 'middle',
    'font-size': 16,
    'font-weight': 'bold',
  });
  const main = { left: 90, top: 96, width: 540, height: 300 };
  const strip = { left: 90, top: 440, width: 540, height: 80 };
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
  const x = linearScale(0, 1, main.left, main.left + main.width);
  const y = linearScale(0, 1, main.top + main.height, main.top);
  const total = reliability.reduce((s, b) => s + b.count, 0);
  const maxShare = total === 0 ? 1 : Math.max(...reliability.map((b) => b.count / total));
  const shareTicks = niceTicks(0, maxShare, 2);
  const ys = linearScale(0, shareTicks.at(-1)!, strip.top + strip.height, strip.top);

  const bars = reliability.map((b) => {
    const x0 = x(b.lower) + 1;
    const w = x(b.upper) - x(b.lower) - 2;
    const low = Math.min(b.accuracy, b.confidence);
    const high = Math.max(b.accuracy, b.confidence);
    return el(
      'g',
      { class: 'bin', 'data-lower': b.lower, 'data-count': b.count },
      el('rect', {
        x: x0,
        y: y(b.accuracy),
        width: w,
        height: y(0) - y(b.accuracy),
        fill: COLORS.blue,
        'fill-opacity': 0.8,
      }),
      el('rect', {
        x: x0,
        y: y(high),
        width: w,
        height: y(low) - y(high),
        fill: 'url(#gap-hatch)',
        stroke: COLORS.vermillion,
        'stroke-width': 1,
      }),
      el('line', {
        x1: x0,
        x2: x0 + w,
        y1: y(b.confidence),
        y2: y(b.confidence),
        stroke: COLORS.vermillion,
        'stroke-width': 2,
      }),
      el('rect', {
        x: x0,
        y: ys(b.count / total),
        width: w,
        height: ys(0) - ys(b.count / total),
        fill: COLORS.grey,
      }),
    );
  });
  const items = [
    { label: 'accuracy in bin', color: COLORS.blue, kind: 'box' as const, opacity: 0.8 },
    { label: 'mean confidence', color: COLORS.vermillion, kind: 'line' as const },
    { label: 'gap', color: 'url(#gap-hatch)', kind: 'box' as const },
    { label: 'perfect calibration', color: COLORS.grey, kind: 'dashed' as const },
  ];
  const hatch = el(
    'pattern',
    { id: 'gap-hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
    el('rect', { width: 6, height: 6, fill: 'white', 'fill-opacity': 0.45 }),
    el('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: COLORS.vermillion, 'stroke-width': 2.5 }),
  );
  const body = [
    el('defs', {}, hatch),
    heading,
    text(WIDTH / 2, 48, `${total.toLocaleString('en-US')} test samples, binned by top-class probability`, {
      'text-anchor': 'middle',
      fill: '#555',
      'font-size': 11,
    }),
    legend((WIDTH - rowLegendWidth(items)) / 2, 58, items, true),
    axes({
      frame: main,
      x,
      y,
      xTicks: ticks,
      yTicks: ticks,
      xLabel: '',
      yLabel: 'accuracy',
      format: { x: pct, y: pct },
    }),
    axes({
      frame: strip,
      x,
      y: ys,
      xTicks: ticks,
      yTicks: shareTicks,
      xLabel: 'confidence (top-class probability)',
      yLabel: 'samples',
      format: { x: pct, y: pct },
    }),
    ...bars,
    el('line', {
      x1: x(0),
      y1: y(0),
      x2: x(1),
      y2: y(1),
      stroke: COLORS.grey,
      'stroke-width': 1.5,
      'stroke-dasharray': '6 4',
    }),
  ];
  if (reliability.length === 0)
    body.push(text(WIDTH / 2, main.top + 40, 'no samples', { 'text-anchor': 'middle' }));
  return svgDocument(WIDTH, HEIGHT, title, ...body);
}
