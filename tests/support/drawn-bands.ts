/**
 * Where a drawing of faces darkened a photo, read from the drawn photo and the photo as it was, pixel
 * by pixel: `pnpm classify --annotate` and the web demo's "Save with labels" draw each face's label on
 * a band of black at 60 % opacity, so a pixel under one band keeps 40 % of its value and one under two
 * bands 16 % (under three, 6 %). The labels' text and the squares are drawn in FACE_COLOURS, each with
 * a channel of 0xd8 or more, so no pixel of them reads as darkened. Pixels the photo has too dark (no
 * channel 64 or more) say nothing and are left out.
 */
import sharp from 'sharp';
import type { Rect } from '@facekit/core';

/** A photo's RGB pixels, row by row. */
export interface Rgb {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** A photo file's RGB pixels (any alpha dropped). */
export async function rgbOf(file: Buffer | string): Promise<Rgb> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

/** Whether pixel `p` of `drawn` passes `test` against `photo`'s in every channel (never for a dark one). */
function kept(photo: Rgb, drawn: Rgb, p: number, test: (was: number, is: number) => boolean): boolean {
  const was = photo.data.subarray(p * 3, p * 3 + 3);
  if (Math.max(...was) < 64) return false;
  return [0, 1, 2].every((c) => test(was[c]!, drawn.data[p * 3 + c]!));
}

/** The pixels of `drawn` under two bands or more: darker than 20 % of `photo`'s value in every channel. */
export function darkenedTwice(photo: Rgb, drawn: Rgb): { x: number; y: number }[] {
  if (photo.width !== drawn.width || photo.height !== drawn.height) throw new Error('not the same size');
  const found: { x: number; y: number }[] = [];
  for (let p = 0; p < photo.width * photo.height; p++)
    if (kept(photo, drawn, p, (was, is) => is <= was * 0.2 + 3))
      found.push({ x: p % photo.width, y: Math.floor(p / photo.width) });
  return found;
}

/**
 * The share of `rect`'s pixels (a pixel in from its edges; the whole photo when none is given) that lie
 * under exactly one band: 40 % of their value kept.
 */
export function darkenedOnce(
  photo: Rgb,
  drawn: Rgb,
  rect: Rect = { left: -1, top: -1, width: photo.width + 2, height: photo.height + 2 },
): number {
  let [once, seen] = [0, 0];
  for (let y = Math.ceil(rect.top) + 1; y < Math.floor(rect.top + rect.height) - 1; y++)
    for (let x = Math.ceil(rect.left) + 1; x < Math.floor(rect.left + rect.width) - 1; x++) {
      const p = y * photo.width + x;
      if (Math.max(...photo.data.subarray(p * 3, p * 3 + 3)) < 64) continue;
      seen++;
      if (kept(photo, drawn, p, (was, is) => Math.abs(is - was * 0.4) <= 3)) once++;
    }
  return seen ? once / seen : 0;
}
