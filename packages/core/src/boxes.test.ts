import { describe, expect, it } from 'vitest';
import { overlaps, turnedBounds } from './boxes.js';

describe('turnedBounds', () => {
  it('is the square itself upright, and grows about its centre as it turns', () => {
    const square = { left: 10, top: 20, width: 100, height: 100 };
    expect(turnedBounds(square)).toEqual(square);
    const turned = turnedBounds(square, 45);
    expect(turned.width).toBeCloseTo(100 * Math.SQRT2, 9);
    expect(turned.left + turned.width / 2).toBeCloseTo(60, 9);
    expect(turned.top + turned.height / 2).toBeCloseTo(70, 9);
    expect(turnedBounds(square, -20).width).toBeCloseTo(turnedBounds(square, 20).width, 9);
  });
});

describe('overlaps', () => {
  it('is true for boxes sharing area, false for boxes that only touch or lie apart', () => {
    const box = { left: 10, top: 10, width: 20, height: 20 };
    expect(overlaps(box, { left: 29, top: 29, width: 5, height: 5 })).toBe(true);
    expect(overlaps(box, { left: 12, top: 12, width: 2, height: 2 })).toBe(true);
    expect(overlaps(box, { left: 30, top: 10, width: 5, height: 5 })).toBe(false);
    expect(overlaps(box, { left: 10, top: 30, width: 5, height: 5 })).toBe(false);
    expect(overlaps(box, { left: 40, top: 40, width: 5, height: 5 })).toBe(false);
  });
});
