import { describe, expect, it } from 'vitest';
import { IMAGE_SIZE } from '@facekit/core';
import { seededRandom } from './random.js';
import {
  Augmenter,
  augmentImage,
  axisMap,
  drawAugment,
  IDENTITY_DRAW,
  type AugmentOptions,
} from './augment.js';

const N = IMAGE_SIZE;
const lut = new Float32Array(256).map((_, i) => i / 255);
/** A test image whose pixel (y, x) holds a value that identifies it: (y·7 + x·3) mod 256. */
const image = Uint8Array.from({ length: N * N }, (_, i) => (Math.floor(i / N) * 7 + (i % N) * 3) % 256);
const at = (y: number, x: number) => lut[image[y * N + x]!]!;

function run(draw: Partial<typeof IDENTITY_DRAW>): Float32Array {
  const out = new Float32Array(N * N);
  augmentImage({ ...IDENTITY_DRAW, ...draw }, image, 0, out, 0, lut);
  return out;
}

const OPTIONS: AugmentOptions = { flip: 0.5, shift: 3, scale: 0.1, brightness: 0.1, contrast: 0.2 };

describe('augmentation', () => {
  it('leaves the image as it is with the identity draw', () => {
    expect(run({})).toEqual(Float32Array.from(image, (v) => lut[v]!));
  });

  it('flips horizontally: column x shows column 47 − x', () => {
    const out = run({ flip: true });
    for (const [y, x] of [
      [0, 0],
      [5, 47],
      [20, 13],
      [47, 30],
    ] as const)
      expect(out[y * N + x]).toBeCloseTo(at(y, N - 1 - x), 6);
  });

  it('shifts right and down by (dx, dy), repeating the edge pixels', () => {
    const out = run({ dx: 2, dy: -3 });
    expect(out[10 * N + 10]).toBeCloseTo(at(13, 8), 6); // source (y + 3, x − 2)
    expect(out[10 * N + 0]).toBeCloseTo(at(13, 0), 6); // left edge repeats column 0
    expect(out[46 * N + 20]).toBeCloseTo(at(47, 18), 6); // bottom rows repeat row 47
    expect(out[47 * N + 20]).toBeCloseTo(at(47, 18), 6);
  });

  it('zooms about the centre', () => {
    const rows = axisMap(new Int32Array(N), 0, 2, false);
    expect(rows[0]).toBe(12); // (0 − 23.5) / 2 + 23.5 = 11.75
    expect(rows[23]).toBe(23);
    expect(rows[47]).toBe(35);
  });

  it('changes brightness and contrast about mid-grey and clamps to [0, 1]', () => {
    const out = run({ brightness: 0.1, contrast: 1.5 });
    const expected = (v: number) => Math.min(1, Math.max(0, (v - 0.5) * 1.5 + 0.5 + 0.1));
    for (const i of [0, 100, 1000, 2303]) expect(out[i]).toBeCloseTo(expected(lut[image[i]!]!), 6);
    expect(Math.max(...out)).toBeLessThanOrEqual(1);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
  });

  it('turns about the centre, bilinearly: 90° takes the top-left pixel to the top-right', () => {
    const out = run({ degrees: 90 });
    for (const [y, x] of [
      [0, 0],
      [17, 5],
      [30, 47],
    ] as const)
      expect(out[x * N + (N - 1 - y)]).toBeCloseTo(at(y, x), 6);
    const small = run({ degrees: 3 }); // between pixels: a blend of neighbours, inside their range
    expect(small[24 * N + 24]).not.toBeCloseTo(at(24, 24), 6);
    const flipped = run({ degrees: 90, flip: true }); // mirrored first, as on the axis-aligned path
    expect(flipped[5 * N + (N - 1 - 17)]).toBeCloseTo(at(17, N - 1 - 5), 6);
  });

  it('halves the resolution: each 2×2 block becomes its mean', () => {
    const out = run({ blur: true });
    const mean = (at(10, 20) + at(10, 21) + at(11, 20) + at(11, 21)) / 4;
    for (const [y, x] of [
      [10, 20],
      [11, 21],
    ] as const)
      expect(out[y * N + x]).toBeCloseTo(mean, 6);
  });

  it('adds noise of the drawn spread, the same for the same seed, clamped to [0, 1]', () => {
    const grey = new Uint8Array(N * N).fill(128);
    const noisy = (seed: number) => {
      const out = new Float32Array(N * N);
      augmentImage({ ...IDENTITY_DRAW, noise: 0.04, noiseSeed: seed }, grey, 0, out, 0, lut);
      return out;
    };
    const a = noisy(3);
    expect(noisy(3)).toEqual(a);
    expect(noisy(4)).not.toEqual(a);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const sd = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
    expect(Math.abs(mean - 128 / 255)).toBeLessThan(0.003);
    expect(sd).toBeGreaterThan(0.036);
    expect(sd).toBeLessThan(0.044);
  });

  it('erases: the drawn rectangle is one grey, every other pixel as without it', () => {
    const erase = { x: 5, y: 30, width: 10, height: 4, grey: 0.25 };
    const [plain, out] = [run({ brightness: 0.05 }), run({ brightness: 0.05, erase })];
    for (let y = 0; y < N; y++)
      for (let x = 0; x < N; x++) {
        const inside = x >= 5 && x < 15 && y >= 30 && y < 34;
        expect(out[y * N + x]).toBe(inside ? 0.25 : plain[y * N + x]);
      }
  });

  it('draws erasures inside the image, 2–20 % of it, at the asked rate', () => {
    const random = seededRandom(11);
    let erased = 0;
    for (let i = 0; i < 2000; i++) {
      const e = drawAugment({ ...OPTIONS, erase: 0.5 }, random).erase;
      if (!e) continue;
      erased++;
      expect(e.x + e.width).toBeLessThanOrEqual(N);
      expect(e.y + e.height).toBeLessThanOrEqual(N);
      // rounding each side of a small rectangle moves its area a little past the drawn share
      expect(e.width * e.height).toBeGreaterThanOrEqual(0.015 * N * N);
      expect(e.width * e.height).toBeLessThanOrEqual(0.23 * N * N);
      expect(e.grey).toBeGreaterThanOrEqual(0);
      expect(e.grey).toBeLessThan(1);
    }
    expect(erased).toBeGreaterThan(900);
    expect(erased).toBeLessThan(1100);
  });

  it('draws nothing for the optional changes that are off, so older recipes draw as before', () => {
    const [a, b] = [seededRandom(7), seededRandom(7)];
    const plain = drawAugment(OPTIONS, a);
    const withZeros = drawAugment({ ...OPTIONS, rotate: 0, blur: 0, noise: 0, erase: 0 }, b);
    expect(withZeros).toEqual(plain);
    expect(a()).toBe(b());
    const robust = drawAugment({ ...OPTIONS, rotate: 15, blur: 1, noise: 0.03 }, seededRandom(7));
    expect({ ...robust, degrees: 0, blur: false, noise: 0, noiseSeed: 0 }).toEqual(plain);
    expect(Math.abs(robust.degrees)).toBeLessThanOrEqual(15);
    expect(robust.blur).toBe(true);
    expect(robust.noise).toBeLessThanOrEqual(0.03);
  });

  it('draws within the limits, and the same seed draws the same augmentation', () => {
    const random = seededRandom(5);
    let flips = 0;
    for (let i = 0; i < 500; i++) {
      const d = drawAugment(OPTIONS, random);
      expect(Math.abs(d.dx)).toBeLessThanOrEqual(3);
      expect(Math.abs(d.scale - 1)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(d.brightness)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(d.contrast - 1)).toBeLessThanOrEqual(0.2);
      if (d.flip) flips++;
    }
    expect(flips).toBeGreaterThan(200);
    expect(flips).toBeLessThan(300);
    const batch = (seed: number) => {
      const a = new Augmenter(OPTIONS, seededRandom(seed));
      const out = new Float32Array(2 * N * N);
      a.apply(image, 0, out, 0, lut);
      a.apply(image, 0, out, N * N, lut);
      return out;
    };
    expect(batch(9)).toEqual(batch(9));
    expect(batch(9)).not.toEqual(batch(10));
  });
});
