import { describe, expect, it } from 'vitest';
import { calibrationSvg } from './calibration-svg.js';
import { confusionSvg, shade } from './confusion-svg.js';
import { curvesSvg } from './curves-svg.js';
import type { EpochRecord } from './metrics-types.js';
import { niceTicks } from './svg.js';
import { findAll, parseXml, textContent, type XmlElement } from './xml-check.js';

const texts = (root: XmlElement) => findAll(root, (e) => e.name === 'text').map(textContent);
const named = (root: XmlElement, name: string) => findAll(root, (e) => e.name === name);

function checkRoot(svg: string): XmlElement {
  const root = parseXml(svg);
  expect(root.name).toBe('svg');
  expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
  expect(root.attrs.viewBox).toBe(`0 0 ${root.attrs.width} ${root.attrs.height}`);
  for (const e of findAll(root, () => true)) {
    for (const key of ['x', 'y', 'width', 'height', 'cx', 'cy', 'x1', 'y1', 'x2', 'y2']) {
      if (e.attrs[key] !== undefined)
        expect(Number.isFinite(Number(e.attrs[key])), `${e.name} ${key}`).toBe(true);
    }
  }
  return root;
}

const history: EpochRecord[] = [1, 2, 3, 4, 5].map((epoch) => ({
  epoch,
  loss: 1 / epoch,
  accuracy: 0.5 + epoch / 20,
  ...(epoch === 3 ? {} : { valLoss: 1.1 / epoch, valAccuracy: 0.5 + epoch / 25 }),
  seconds: 2,
  samplesPerSecond: 400,
}));

describe('curvesSvg', () => {
  it('draws loss and accuracy panels for training and validation, with a gap where validation is missing', () => {
    const root = checkRoot(curvesSvg('age', history));
    expect(textContent(named(root, 'title')[0]!)).toBe('age: loss and accuracy per epoch');
    expect(texts(root)).toEqual(
      expect.arrayContaining(['Loss', 'Accuracy', 'epoch', 'loss', 'accuracy', 'training', 'validation']),
    );
    const series = findAll(root, (e) => e.attrs.class === 'series');
    expect(series.map((s) => s.attrs['data-label'])).toEqual([
      'training',
      'validation',
      'training',
      'validation',
    ]);
    // Training: one line through 5 points; validation: epochs 1-2 and 4-5, split at the missing epoch 3.
    expect(series.map((s) => named(s, 'polyline').length)).toEqual([1, 2, 1, 2]);
    expect(series.map((s) => named(s, 'circle').length)).toEqual([5, 4, 5, 4]);
  });

  it("draws each ensemble member's curves in its own colour, named in the legend", () => {
    const later = history.map((h) => ({ ...h, loss: h.loss / 2 }));
    const root = checkRoot(
      curvesSvg('age', history, [
        { label: '1: shared-deep', history },
        { label: '2: shared-flat', history: later },
      ]),
    );
    expect(texts(root)).toEqual(
      expect.arrayContaining(['1: shared-deep', '2: shared-flat', 'training', 'validation']),
    );
    const series = findAll(root, (e) => e.attrs.class === 'series');
    expect(series.map((s) => s.attrs['data-label'])).toEqual([
      '1: shared-deep training',
      '1: shared-deep validation',
      '2: shared-flat training',
      '2: shared-flat validation',
      '1: shared-deep training',
      '1: shared-deep validation',
      '2: shared-flat training',
      '2: shared-flat validation',
    ]);
    const colour = (label: string) =>
      named(
        series.find((s) => s.attrs['data-label'] === label)!,
        'circle',
      )[0]!.attrs.fill;
    expect(colour('1: shared-deep training')).toBe(colour('1: shared-deep validation'));
    expect(colour('1: shared-deep training')).not.toBe(colour('2: shared-flat training'));
  });

  it('leaves validation out of the legend when there is none, and copes with one epoch or none', () => {
    const one = checkRoot(
      curvesSvg('gender', [{ epoch: 1, loss: 0.6, accuracy: 0.7, seconds: 1, samplesPerSecond: 9 }]),
    );
    expect(texts(one)).not.toContain('validation');
    expect(named(one, 'circle')).toHaveLength(2);
    expect(texts(checkRoot(curvesSvg('gender', [])))).toContain('no epochs recorded');
  });
});

describe('confusionSvg', () => {
  it('shows counts and row shares, shaded by the row share', () => {
    const root = checkRoot(
      confusionSvg(
        'gender',
        ['male', 'female'],
        [
          [2, 1],
          [0, 3],
        ],
      ),
    );
    const cells = findAll(root, (e) => e.attrs.class === 'cell');
    expect(cells.map((c) => texts(c))).toEqual([
      ['2', '66.7%'],
      ['1', '33.3%'],
      ['0', '0%'],
      ['3', '100%'],
    ]);
    expect(named(cells[0]!, 'rect')[0]?.attrs.fill).toBe(shade(2 / 3));
    expect(named(cells[2]!, 'rect')[0]?.attrs.fill).toBe('rgb(255,255,255)');
    expect(texts(root)).toEqual(
      expect.arrayContaining(['predicted', 'true', 'male', 'female', 'n = 3', 'share of']),
    );
    expect(textContent(named(root, 'title')[0]!)).toBe('gender: confusion matrix (test, n = 6)');
  });

  it('escapes labels that are not XML-safe', () => {
    const root = checkRoot(
      confusionSvg(
        'x & y',
        ['<a>', '"b"'],
        [
          [1, 0],
          [0, 1],
        ],
      ),
    );
    expect(texts(root)).toEqual(expect.arrayContaining(['<a>', '"b"']));
  });
});

describe('calibrationSvg', () => {
  it('draws a bar per non-empty bin, the diagonal and a legend, ECE in the title', () => {
    const bins = [
      { lower: 0.6, upper: 0.8, count: 10, confidence: 0.7, accuracy: 0.6 },
      { lower: 0.8, upper: 1, count: 30, confidence: 0.9, accuracy: 0.95 },
    ];
    const root = checkRoot(calibrationSvg('ethnicity', bins, 0.0625, 5));
    expect(textContent(named(root, 'title')[0]!)).toBe('ethnicity: reliability diagram (ECE 6.3%, 5 bins)');
    expect(findAll(root, (e) => e.attrs.class === 'bin').map((b) => b.attrs['data-count'])).toEqual([
      '10',
      '30',
    ]);
    expect(texts(root)).toEqual(
      expect.arrayContaining([
        'accuracy',
        'samples',
        'confidence (top-class probability)',
        'perfect calibration',
        'gap',
      ]),
    );
    expect(named(root, 'pattern')[0]?.attrs.id).toBe('gap-hatch');
  });
});

describe('niceTicks', () => {
  it('covers the range with round steps', () => {
    expect(niceTicks(0, 1.83)).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(niceTicks(0.62, 0.81)).toEqual([0.6, 0.65, 0.7, 0.75, 0.8, 0.85]);
    expect(niceTicks(1, 25, 8)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(niceTicks(3, 3)).toEqual([2.4, 2.6, 2.8, 3, 3.2, 3.4, 3.6]);
  });
});
