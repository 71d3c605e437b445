import { describe, expect, it } from 'vitest';
import { imageToPixels } from '@facekit/core';
import { isCentreSquare, sameCrop, type Face } from './face-sources.js';

describe('squares', () => {
  it('are the same only with the same angle (absent and 0 both upright)', () => {
    expect(sameCrop({ x: 1, y: 2, size: 3 }, { x: 1, y: 2, size: 3, angle: 0 })).toBe(true);
    expect(sameCrop({ x: 1, y: 2, size: 3, angle: 12 }, { x: 1, y: 2, size: 3, angle: 12 })).toBe(true);
    expect(sameCrop({ x: 1, y: 2, size: 3 }, { x: 1, y: 2, size: 3, angle: 12 })).toBe(false);
    expect(sameCrop({ x: 1, y: 2, size: 3, angle: -12 }, { x: 1, y: 2, size: 3, angle: 12 })).toBe(false);
  });

  it('a turned square on the centre is not the centre square', () => {
    const rgba = { width: 80, height: 60, data: new Uint8Array(80 * 60 * 4).fill(200) };
    const face = (crop: Face['crop']): Face => ({
      blob: new Blob([]),
      name: 'grey.png',
      rgba,
      crop,
      pixels: imageToPixels(rgba, 'grey.png', crop),
      width: 80,
      height: 60,
    });
    expect(isCentreSquare(face({ x: 10, y: 0, size: 60 }))).toBe(true);
    expect(isCentreSquare(face({ x: 10, y: 0, size: 60, angle: 20 }))).toBe(false);
  });
});
