import { describe, expect, it } from 'vitest';
import { clampCrop, cropTransform } from './crop-frame.js';

describe('clampCrop', () => {
  it('keeps the square whole and inside the photo', () => {
    expect(clampCrop(10.4, 20.6, 50.2, 320, 240)).toEqual({ x: 10, y: 21, size: 50 });
    // Dragged past an edge: stops at it, same side.
    expect(clampCrop(300, -15, 50, 320, 240)).toEqual({ x: 270, y: 0, size: 50 });
    // Larger than the photo's short side: the short side.
    expect(clampCrop(0, 0, 500, 320, 240)).toEqual({ x: 0, y: 0, size: 240 });
    expect(clampCrop(5, 5, 0, 320, 240)).toEqual({ x: 5, y: 5, size: 1 });
  });

  it("keeps a turned square's angle, and leaves an upright one without", () => {
    // Moved past an edge and resized: only the upright square is clamped, the angle kept.
    expect(clampCrop(300, -15, 50, 320, 240, 17.3)).toEqual({ x: 270, y: 0, size: 50, angle: 17.3 });
    expect(clampCrop(10, 20, 50, 320, 240, 0)).toEqual({ x: 10, y: 20, size: 50 });
    expect(clampCrop(10, 20, 50, 320, 240, 0)).not.toHaveProperty('angle');
  });
});

describe('cropTransform', () => {
  it('turns a turned square about its centre, and an upright one not at all', () => {
    expect(cropTransform({ x: 1, y: 2, size: 3, angle: -20.5 })).toBe('rotate(-20.5deg)');
    expect(cropTransform({ x: 1, y: 2, size: 3 })).toBe('');
    expect(cropTransform({ x: 1, y: 2, size: 3, angle: 0 })).toBe('');
  });
});
