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

  it('quotes a value that is not a whole number, and says where the spaces go wrong', () => {
    expect(problem(`1 2 ${field('-1')}`).message).toBe(
      'pixel 2 is not an integer 0–255 (got "-1", at character 4)',
    );
    expect(problem(field('0.5')).message).toBe('pixel 0 is not an integer 0–255 (got "0.5", at character 1)');
    expect(problem(`${field('1')} `).message).toBe(
      'pixels must be integers separated by single spaces (they end with a space)',
    );
    expect(problem(` ${field('1')}`).message).toBe(
      'pixels must be integers separated by single spaces (they start with a space)',
    );
    expect(problem(`1 2  ${field('3')}`).message).toBe(
      'pixels must be integers separated by single spaces (two spaces in a row after pixel 1, at character 4)',
    );
  });
});
