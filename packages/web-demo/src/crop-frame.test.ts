import { describe, expect, it } from 'vitest';
import { clampCrop } from './crop-frame.js';

describe('clampCrop', () => {
  it('keeps the square whole and inside the photo', () => {
    expect(clampCrop(10.4, 20.6, 50.2, 320, 240)).toEqual({ x: 10, y: 21, size: 50 });
    // Dragged past an edge: stops at it, same side.
    expect(clampCrop(300, -15, 50, 320, 240)).toEqual({ x: 270, y: 0, size: 50 });
    // Larger than the photo's short side: the short side.
    expect(clampCrop(0, 0, 500, 320, 240)).toEqual({ x: 0, y: 0, size: 240 });
    expect(clampCrop(5, 5, 0, 320, 240)).toEqual({ x: 5, y: 5, size: 1 });
  });
});
