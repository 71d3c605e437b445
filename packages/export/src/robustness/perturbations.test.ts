import { describe, expect, it } from 'vitest';
import { IMAGE_SIZE, PIXEL_COUNT } from '@facekit/core';
import { seededRandom } from '@facekit/train';
import { addNoise, lowResolution, mirror, PERTURBATIONS, relight, warp } from './perturbations.js';

const random = seededRandom(5);
const face = Uint8Array.from({ length: PIXEL_COUNT }, () => Math.floor(random() * 256));
const at = (img: Uint8Array, x: number, y: number) => img[y * IMAGE_SIZE + x]!;
const out = () => new Uint8Array(PIXEL_COUNT);

describe('perturbations of a 48×48 face', () => {
  it('leave the face alone when they change nothing; mirroring twice is the identity', async () => {
    const [a, b] = [out(), out()];
    warp(face, a, {});
    expect(a).toEqual(face);
    await PERTURBATIONS[0]!.apply(face, a, random);
    expect(a).toEqual(face);
    mirror(face, a);
    expect(at(a, 0, 5)).toBe(at(face, 47, 5));
    mirror(a, b);
    expect(b).toEqual(face);
  });

  it('shift the content right and down by whole pixels, repeating the edge', () => {
    const a = out();
    warp(face, a, { dx: 3, dy: 2 });
    expect(at(a, 10, 10)).toBe(at(face, 7, 8));
    expect(at(a, 47, 47)).toBe(at(face, 44, 45));
    expect(at(a, 0, 0)).toBe(at(face, 0, 0)); // edge repeated
    expect(at(a, 1, 20)).toBe(at(face, 0, 18));
  });

  it('turn the content clockwise about the centre (90° exactly: top-left goes to top-right)', () => {
    const a = out();
    warp(face, a, { degrees: 90 });
    for (const [x, y] of [
      [0, 0],
      [5, 17],
      [47, 30],
    ] as const)
      expect(at(a, IMAGE_SIZE - 1 - y, x)).toBe(at(face, x, y));
  });

  it('zoom about the centre (23.5, 23.5): in, a pixel moves away from it; out, towards it', () => {
    const a = out();
    const dot = new Uint8Array(PIXEL_COUNT);
    dot[20 * IMAGE_SIZE + 20] = 255; // 3.5 px up and left of the centre
    const brightest = () => {
      const i = a.indexOf(Math.max(...a));
      return [i % IMAGE_SIZE, Math.floor(i / IMAGE_SIZE)];
    };
    warp(dot, a, { scale: 3 });
    expect(brightest()).toEqual([13, 13]); // 23.5 − 3 · 3.5
    expect(at(a, 13, 13)).toBe(255);
    warp(dot, a, { scale: 0.5 });
    expect(brightest()).toEqual([22, 22]); // 23.5 − 3.5 / 2 = 21.75, nearest pixel 22
  });

  it('relight with clamping to grey levels', () => {
    const a = out();
    relight(Uint8Array.of(0, 100, 250, ...new Uint8Array(PIXEL_COUNT - 3)), a, 0.5, 63.75);
    expect([...a.subarray(0, 3)]).toEqual([64, 114, 189]);
    relight(Uint8Array.of(200, ...new Uint8Array(PIXEL_COUNT - 1)), a, 1, 60);
    expect(a[0]).toBe(255);
  });

  it('blur by resolution: a 2×2 checkerboard at 24×24 becomes flat mid-grey, a constant face stays', () => {
    const checker = Uint8Array.from({ length: PIXEL_COUNT }, (_, i) =>
      ((i % IMAGE_SIZE) + Math.floor(i / IMAGE_SIZE)) % 2 ? 255 : 0,
    );
    const a = out();
    lowResolution(checker, a, 24);
    expect(new Set(a)).toEqual(new Set([128]));
    lowResolution(new Uint8Array(PIXEL_COUNT).fill(77), a, 16);
    expect(new Set(a)).toEqual(new Set([77]));
    expect(() => lowResolution(face, a, 20)).toThrow(/20 does not divide 48/);
  });

  it('add zero-mean noise of the asked spread, the same for the same seed', () => {
    const grey = new Uint8Array(PIXEL_COUNT).fill(128);
    const [a, b] = [out(), out()];
    addNoise(grey, a, 10, seededRandom(1));
    addNoise(grey, b, 10, seededRandom(1));
    expect(b).toEqual(a);
    const mean = a.reduce((s, v) => s + v, 0) / PIXEL_COUNT;
    const sd = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / PIXEL_COUNT);
    expect(Math.abs(mean - 128)).toBeLessThan(1);
    expect(sd).toBeGreaterThan(9);
    expect(sd).toBeLessThan(11);
  });

  it('have distinct names, the unchanged face first', () => {
    expect(PERTURBATIONS[0]!.name).toBe('as in the data');
    expect(new Set(PERTURBATIONS.map((p) => p.name)).size).toBe(PERTURBATIONS.length);
  });
});
