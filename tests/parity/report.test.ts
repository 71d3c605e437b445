import { describe, expect, it } from 'vitest';
import { DETECTOR_ANCHORS, DETECTOR_BOX_VALUES } from '@facekit/core';
import type { DetectorInputs } from '../support/detector-inputs.js';
import { compareDetectorPairs, comparePairs, type RuntimeRecord } from './pairs.js';
import { parityMarkdown } from './report.js';

const ran = (name: string, p: number): RuntimeRecord => ({
  name,
  gpu: false,
  status: 'ran',
  detail: `${name} 1.0`,
  outputs: new Map([['gender', Float32Array.of(1 - p, p)]]),
});

const report = (records: RuntimeRecord[], singles = 1) =>
  parityMarkdown({
    models: 'models/',
    inputs: 'one face',
    count: 1,
    singles,
    tasks: ['gender'],
    records,
    pairs: comparePairs(records, new Map([['gender', 2]])),
  });

describe('parityMarkdown', () => {
  it('says all pairs agree only when no runtime failed', () => {
    const agreeing = [ran('a', 0.25), ran('b', 0.25)];
    expect(report(agreeing)).toContain('Verdict: **all 1 pairs agree**');
    const failed: RuntimeRecord = { name: 'c', gpu: false, status: 'failed', detail: 'TypeError: boom' };
    const text = report([...agreeing, failed]);
    expect(text).toContain('Verdict: **all 1 pairs agree; 1 runtime failed (c)**');
    expect(text).toContain('| c | failed |  | TypeError: boom |');
  });

  it('names a pair that disagrees, and says when no face ran one at a time', () => {
    const text = report([ran('a', 0.25), ran('b', 0.75)], 0);
    expect(text).toContain('Verdict: **1 of 1 pairs disagree**');
    expect(text).toContain('every input in batches of 64, none one at a time');
  });

  it('times a runtime on its timed runs only, and says how long its warm-up was and how it began', () => {
    // Baseline WebAssembly code at first, as V8 runs it: kept out of the figures, shown beside them.
    const warmUp = [9, 7, 7, ...Array<number>(40).fill(2)];
    const timed = [2, 2, 2, 3];
    const text = report([{ ...ran('a', 0.25), latency: { warmUp, timed } }, ran('b', 0.25)]);
    expect(text).toContain('| a | 2.00 | 3.00 | 2.25 | 4 | 43 (2.00 ms) |');
    const short = report([{ ...ran('a', 0.25), latency: { warmUp: [9, 7, 7], timed } }, ran('b', 0.25)]);
    expect(short).toContain('| a | 2.00 | 3.00 | 2.25 | 4 | 3 (7.00 ms) |');
  });
});

describe('the face detector', () => {
  const inputs: DetectorInputs = {
    data: new Float32Array(0),
    frames: [{ width: 256, height: 256, scaleX: 1, scaleY: 1, offsetX: 0, offsetY: 0 }],
    count: 1,
    names: ['photo 0'],
    source: 'one photo',
  };
  /** One face at anchor 0 (score 0.9, a 100 px box at the centre), box and keypoints moved `dx` px right. */
  const detecting = (name: string, dx: number, gpu = false): RuntimeRecord => {
    const scores = new Float32Array(DETECTOR_ANCHORS);
    scores[0] = 0.9;
    const boxes = new Float32Array(DETECTOR_ANCHORS * DETECTOR_BOX_VALUES);
    boxes.set([128, 128, 100, 100, 110, 110, 146, 110, 128, 130, 128, 150, 90, 115, 166, 115]);
    for (const k of [0, 4, 6, 8, 10, 12, 14]) boxes[k]! += dx;
    return { ...ran(name, 0.25), gpu, detector: { scores, boxes } };
  };
  const detectorReport = (records: RuntimeRecord[]) =>
    parityMarkdown({
      models: 'models/',
      inputs: 'one face',
      count: 1,
      singles: 1,
      tasks: ['gender'],
      records,
      pairs: comparePairs(records, new Map([['gender', 2]])),
      detector: { source: 'face-detector.onnx', inputs, pairs: compareDetectorPairs(records, inputs) },
    });

  it('agrees when boxes differ by less than 1e-3 px, and finds the same face', () => {
    const [pair] = compareDetectorPairs([detecting('a', 0), detecting('b', 5e-4)], inputs);
    expect(pair).toMatchObject({ ok: true, faces: 1, squaresDiffer: [] });
    expect(detectorReport([detecting('a', 0), detecting('b', 5e-4)])).toContain(
      'face detector: all 1 pairs agree',
    );
  });

  it('fails a CPU pair whose boxes are 0.01 px apart (a GPU pair may be 0.005 px), and tells faces apart', () => {
    const [pair] = compareDetectorPairs([detecting('a', 0), detecting('b', 0.01)], inputs);
    expect(pair!.ok).toBe(false);
    expect(pair!.squaresDiffer).toEqual([]);
    expect(compareDetectorPairs([detecting('a', 0), detecting('b', 0.005, true)], inputs)[0]!.ok).toBe(true);
    const moved = compareDetectorPairs([detecting('a', 0), detecting('b', 20, true)], inputs)[0]!;
    expect(moved.squaresDiffer).toEqual(['photo 0']);
    const text = detectorReport([detecting('a', 0), detecting('b', 0.01)]);
    expect(text).toContain('face detector: 1 of 1 pairs disagree');
    expect(text).toContain('| a ↔ b | 0 | 1.0e-2 | yes (1 faces) | ✗ |');
  });

  it('writes every table with as many cells in its header as in its rows, so that Markdown shows it', () => {
    const text = detectorReport([{ ...detecting('a', 0), detail: 'a | b' }, detecting('b', 5e-4)]);
    // A cell's own "|" is escaped (`\|`); only the others part cells.
    const cells = (line: string) => line.split(/(?<!\\)\|/).length;
    const lines = text.split('\n');
    const tables = lines.flatMap((line, i) => (/^\|(-+\|)+$/.test(line) ? [i - 1] : []));
    expect(tables.length).toBeGreaterThan(3);
    for (const header of tables) {
      let end = header + 2;
      while (lines[end]?.startsWith('|')) end++;
      for (const row of lines.slice(header, end)) expect(cells(row), row).toBe(cells(lines[header + 1]!));
    }
  });
});
