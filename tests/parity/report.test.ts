import { describe, expect, it } from 'vitest';
import { comparePairs, type RuntimeRecord } from './pairs.js';
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
});
