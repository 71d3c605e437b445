/**
 * Loss and accuracy per epoch, training beside validation, as one SVG with two panels. It is the first
 * thing to look at after a run: whether training converged, and whether validation parted from training
 * (over-fitting) and when. Validation points missing from an epoch leave a gap instead of a false line.
 */
import type { EpochRecord } from './metrics-types.js';
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
  type Frame,
  type Scale,
} from './svg.js';

const WIDTH = 920;
const HEIGHT = 380;
/** Percent labels with as many decimals as the tick step needs (0.5% steps get one). */
function percentFormat(ticks: readonly number[]): (v: number) => string {
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) * 100 : 1;
  const digits = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  return (v) => `${(v * 100).toFixed(digits)}%`;
}

interface Series {
  readonly label: string;
  readonly color: string;
  readonly dashed: boolean;
  readonly points: readonly (readonly [number, number | undefined])[];
}

/** Polyline segments through defined points, plus a dot at each (so one epoch still shows). */
function drawSeries(series: Series, x: Scale, y: Scale): string {
  const segments: string[][] = [[]];
  for (const [epoch, value] of series.points) {
    if (value === undefined || !Number.isFinite(value)) segments.push([]);
    else segments.at(-1)!.push(`${x(epoch).toFixed(1)},${y(value).toFixed(1)}`);
  }
  const stroke = { stroke: series.color, 'stroke-width': 2, fill: 'none' };
  const dash = series.dashed ? '6 4' : undefined;
  const lines = segments
    .filter((s) => s.length > 1)
    .map((s) => el('polyline', { points: s.join(' '), ...stroke, 'stroke-dasharray': dash }));
  const dots = series.points
    .filter((p): p is [number, number] => p[1] !== undefined && Number.isFinite(p[1]))
    .map(([e, v]) => el('circle', { cx: x(e), cy: y(v), r: 2.5, fill: series.color }));
  return el('g', { class: 'series', 'data-label': series.label }, ...lines, ...dots);
}

function panel(
  frame: Frame,
  title: string,
  yLabel: string,
  epochs: number[],
  series: Series[],
  isAccuracy: boolean,
) {
  const values = series
    .flatMap((s) => s.points.map((p) => p[1]))
    .filter((v): v is number => Number.isFinite(v));
  const lo = isAccuracy ? Math.max(0, Math.min(...values) - 0.02) : 0;
  const hi = isAccuracy ? Math.min(1, Math.max(...values) + 0.02) : Math.max(...values) * 1.05;
  const yTicks = values.length > 0 ? niceTicks(lo, hi, 5) : isAccuracy ? [0, 0.5, 1] : [0, 1];
  const first = Math.min(...epochs);
  const integral = niceTicks(first, Math.max(...epochs), 8).filter(Number.isInteger);
  const xTicks = integral.length > 1 ? integral : [first - 1, first, first + 1];
  const x = linearScale(xTicks[0]!, xTicks.at(-1)!, frame.left, frame.left + frame.width);
  const y = linearScale(yTicks[0]!, yTicks.at(-1)!, frame.top + frame.height, frame.top);
  const format = isAccuracy ? { y: percentFormat(yTicks) } : {};
  return el(
    'g',
    { class: 'panel' },
    text(frame.left + frame.width / 2, frame.top - 10, title, {
      'text-anchor': 'middle',
      'font-weight': 'bold',
    }),
    axes({ frame, x, y, xTicks, yTicks, xLabel: 'epoch', yLabel, format }),
    ...series.map((s) => drawSeries(s, x, y)),
  );
}

/** One network's epochs, named for the legend (an ensemble's member). */
export interface CurveSet {
  readonly label: string;
  readonly history: readonly EpochRecord[];
}

const MEMBER_COLORS = [COLORS.blue, COLORS.green, COLORS.vermillion, COLORS.grey];
const memberColor = (k: number) => MEMBER_COLORS[k % MEMBER_COLORS.length]!;

/**
 * The curves figure for `task` from its epoch history. With `members` (an ensemble's, in training
 * order), each member's training and validation curves are drawn in its own colour instead.
 */
export function curvesSvg(
  task: string,
  history: readonly EpochRecord[],
  members: readonly CurveSet[] = [],
): string {
  const title = `${task}: loss and accuracy per epoch`;
  const heading = text(WIDTH / 2, 24, title, {
    'text-anchor': 'middle',
    'font-size': 16,
    'font-weight': 'bold',
  });
  const sets: CurveSet[] = members.length > 0 ? [...members] : [{ label: '', history }];
  const all = sets.flatMap((c) => c.history);
  if (all.length === 0) {
    return svgDocument(
      WIDTH,
      120,
      title,
      heading,
      text(WIDTH / 2, 70, 'no epochs recorded', { 'text-anchor': 'middle' }),
    );
  }
  const epochs = all.map((h) => h.epoch);
  const hasVal = all.some((h) => h.valLoss !== undefined || h.valAccuracy !== undefined);
  const loss: Series[] = [];
  const accuracy: Series[] = [];
  sets.forEach((set, k) => {
    const named = (kind: string) => (set.label ? `${set.label} ${kind}` : kind);
    const make = (
      pick: (h: EpochRecord) => number | undefined,
      kind: string,
      color: string,
      dashed: boolean,
    ) => ({
      label: named(kind),
      color,
      dashed,
      points: set.history.map((h) => [h.epoch, pick(h)] as const),
    });
    // One network: training blue, validation vermillion; members: one colour each, the style says which.
    const own = members.length > 0 ? memberColor(k) : undefined;
    const [train, val] = [own ?? COLORS.blue, own ?? COLORS.vermillion];
    loss.push(make((h) => h.loss, 'training', train, false));
    accuracy.push(make((h) => h.accuracy, 'training', train, false));
    if (hasVal) {
      loss.push(make((h) => h.valLoss, 'validation', val, true));
      accuracy.push(make((h) => h.valAccuracy, 'validation', val, true));
    }
  });
  const styleColor = members.length > 0 ? COLORS.grey : undefined;
  const items = [
    ...members.map((m, k) => ({ label: m.label, color: memberColor(k), kind: 'box' as const })),
    { label: 'training', color: styleColor ?? COLORS.blue, kind: 'line' as const },
    ...(hasVal
      ? [{ label: 'validation', color: styleColor ?? COLORS.vermillion, kind: 'dashed' as const }]
      : []),
  ];
  return svgDocument(
    WIDTH,
    HEIGHT,
    title,
    heading,
    legend((WIDTH - rowLegendWidth(items)) / 2, 36, items, true),
    panel({ left: 80, top: 90, width: 340, height: 230 }, 'Loss', 'loss', epochs, loss, false),
    panel({ left: 550, top: 90, width: 340, height: 230 }, 'Accuracy', 'accuracy', epochs, accuracy, true),
  );
}
