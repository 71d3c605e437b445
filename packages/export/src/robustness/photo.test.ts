import { describe, expect, it } from 'vitest';
import { IMAGE_SIZE, PIXEL_COUNT } from '@facekit/core';
import { seededRandom } from '@facekit/train';
import { jpegRoundTrip, uploadedPhoto } from './photo.js';

/** A smooth face-like image: a bright oval on a darker ground, blended over a few pixels. */
const smooth = Uint8Array.from({ length: PIXEL_COUNT }, (_, i) => {
  const [x, y] = [(i % IMAGE_SIZE) - 23.5, Math.floor(i / IMAGE_SIZE) - 23.5];
  const r = Math.hypot(x / 16, y / 21);
  return Math.round(60 + 140 / (1 + Math.exp((r - 1) * 8)));
});
const random = seededRandom(3);
const noisy = Uint8Array.from({ length: PIXEL_COUNT }, () => Math.floor(random() * 256));
const meanAbs = (a: Uint8Array, b: Uint8Array) =>
  a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

describe('photo changes of a 48×48 face (sharp)', () => {
  it('JPEG keeps a smooth face within a few grey levels and loses much of a noisy one', async () => {
    const out = new Uint8Array(PIXEL_COUNT);
    await jpegRoundTrip(smooth, out, 50);
    expect(meanAbs(out, smooth)).toBeGreaterThan(0);
    expect(meanAbs(out, smooth)).toBeLessThan(3);
    await jpegRoundTrip(noisy, out, 50);
    expect(meanAbs(out, noisy)).toBeGreaterThan(10);
    await jpegRoundTrip(noisy, out, 100);
    expect(meanAbs(out, noisy)).toBeLessThan(5);
  });

  it('a larger JPEG photo, reduced as the server does, gives back the face it was made from', async () => {
    const out = new Uint8Array(PIXEL_COUNT);
    await uploadedPhoto(noisy, out, 192, 100);
    expect(meanAbs(out, noisy)).toBeLessThan(1); // the enlargement is undone exactly
    await uploadedPhoto(smooth, out, 192, 75);
    expect(meanAbs(out, smooth)).toBeLessThan(1.5);
    await uploadedPhoto(new Uint8Array(PIXEL_COUNT).fill(90), out, 192, 75);
    for (const v of out) expect(Math.abs(v - 90)).toBeLessThanOrEqual(1);
  });
});
