import { describe, expect, it } from 'vitest';
import { markLabel, tagText } from './face-marks.js';

describe('what a mark says', () => {
  const answer = { short: '21–40 · White · female', spoken: '21–40 years, White, female' };

  it('numbers the face, and says its answer in words once it is in', () => {
    expect(markLabel(1, 3, 0.874)).toBe('face 2 of 3, 87 % sure: classify this one');
    expect(markLabel(1, 3, 0.874, answer)).toBe(
      'face 2 of 3, 87 % sure: 21–40 years, White, female; show its answers',
    );
    expect(markLabel(0, 1, 0.9, new Error('Session already started'))).toBe(
      'face 1 of 1, 90 % sure: not classified (Session already started); classify it again',
    );
  });

  it('tags it with its number, then its short answer', () => {
    expect(tagText(1)).toBe('2');
    expect(tagText(1, answer)).toBe('2 · 21–40 · White · female');
    expect(tagText(9, new Error('no'))).toBe('10 · not classified');
  });
});
