import { describe, expect, it } from 'vitest';
import { PIXEL_COUNT } from '@facekit/core';
import { parsePixelField, type RowProblem } from './csv-row.js';

const field = (first: string) => [first, ...Array.from({ length: PIXEL_COUNT - 1 }, () => '7')].join(' ');

function problem(pixels: string): RowProblem {
  try {
    parsePixelField(pixels, new Uint8Array(PIXEL_COUNT));
  } catch (error) {
    return error as RowProblem;
  }
  throw new Error('expected a RowProblem');
}

describe('parsePixelField', () => {
  it('shows the value when the first pixel is out of range', () => {
    expect(problem(field('256')).message).toBe('pixel 0 is out of range 0–255 (got 256)');
  });

  it('shows a later out-of-range value whole, and cuts a long one short', () => {
    expect(problem(`1 2 ${field('1000')}`).message).toBe('pixel 2 is out of range 0–255 (got 1000)');
    expect(problem(field('9'.repeat(40))).message).toBe(
      `pixel 0 is out of range 0–255 (got ${'9'.repeat(12)}…)`,
    );
  });
});
