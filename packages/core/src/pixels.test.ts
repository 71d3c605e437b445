import { describe, expect, it } from 'vitest';
import { InvalidPixelsError } from './errors.js';
import { greyAt, PIXEL_COUNT, pixelsToModelInput, validatePixels } from './pixels.js';

describe('pixels', () => {
  it('validates count and range, naming the field and index', () => {
    expect(() => validatePixels([1, 2, 3], 'inputs[2].pixels')).toThrow(/inputs\[2\]\.pixels: expected 2304/);
    const bad = new Array<number>(PIXEL_COUNT).fill(0);
    bad[7] = 256;
    expect(() => validatePixels(bad)).toThrow(InvalidPixelsError);
    expect(() => validatePixels(bad)).toThrow(/index 7 is 256/);
    bad[7] = 1.5;
    expect(() => validatePixels(bad)).toThrow(/index 7 is 1.5/);
  });

  it('shows a value of the wrong type as it was written, so "5" and [7] do not read as 5 and 7', () => {
    const values: [unknown, string][] = [
      ['5', '"5"'],
      [[7], '[7]'],
      [null, 'null'],
      [true, 'true'],
      // JSON.parse('1e400'): JSON would write it as null.
      [Infinity, 'Infinity'],
      [[-Infinity, NaN], '[-Infinity,NaN]'],
      [{ v: 'x'.repeat(100) }, `{"v":"${'x'.repeat(34)}…`],
      ['y'.repeat(5e6), `"${'y'.repeat(39)}…`],
      [[1, 'a', { b: [2] }, null], '[1,"a",{"b":[2]},null]'],
      [[[1], ...new Array<number>(100_000).fill(2)], `[[1],${'2,'.repeat(17)}2…`],
    ];
    // Deeper than JSON.stringify's stack reaches: only the shown part is walked.
    let deep: unknown = 0;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    values.push([deep, `${'['.repeat(40)}…`]);
    for (const [value, shown] of values) {
      const bad: unknown[] = new Array<number>(PIXEL_COUNT).fill(0);
      bad[3] = value;
      expect(() => validatePixels(bad as number[])).toThrow(`value at index 3 is ${shown}; grey levels`);
    }
  });

  it('scales grey levels by 1/255 into consecutive NHWC slots', () => {
    const a = validatePixels(new Array<number>(PIXEL_COUNT).fill(255));
    const b = validatePixels(new Array<number>(PIXEL_COUNT).fill(51));
    const input = pixelsToModelInput([a, b]);
    expect(input.length).toBe(2 * PIXEL_COUNT);
    expect(input[0]).toBe(1);
    expect(input[PIXEL_COUNT]).toBeCloseTo(0.2, 7);
  });
});

describe('greyAt', () => {
  // A face whose level is its column plus twice its row: bilinear sampling reproduces it between pixels.
  const face = Uint8Array.from({ length: PIXEL_COUNT }, (_, i) => (i % 48) + 2 * Math.floor(i / 48));
  it('is the pixel at whole coordinates and the bilinear mean between them', () => {
    expect(greyAt(face, 3, 5)).toBe(3 + 10);
    expect(greyAt(face, 3.5, 5)).toBeCloseTo(13.5, 12);
    expect(greyAt(face, 3.25, 5.5)).toBeCloseTo(3.25 + 11, 12);
  });
  it('repeats the edge beyond the face', () => {
    expect(greyAt(face, -4, -0.5)).toBe(0);
    expect(greyAt(face, 60, 47.7)).toBe(47 + 94);
  });
});
