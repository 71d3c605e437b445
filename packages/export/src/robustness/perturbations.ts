/**
 * What a face from outside the training data tends to differ in — where the crop sits, how tight it
 * is, how the head is turned, the light, the resolution, sensor noise — as changes to a 48×48 grey
 * face, one at a time, for the model card's robustness table (measure.ts); what a camera and an upload
 * do to it is in photo.ts. Geometry maps each output
 * pixel back into the source about the image centre and samples it bilinearly, edges repeated; every
 * result is rounded to grey levels 0–255, as a photo reaches the models.
 */
import { IMAGE_SIZE, PIXEL_COUNT } from '@facekit/core';
import { jpegRoundTrip, uploadedPhoto } from './photo.js';

export interface Perturbation {
  /** How the card names it. */
  readonly name: string;
  /**
   * Writes the changed `face` into `out`; `random` (uniform in [0, 1)) for the changes that draw.
   * The photo changes are asynchronous (sharp): they resolve once `out` is written.
   */
  apply(face: Uint8Array, out: Uint8Array, random: () => number): void | Promise<void>;
}

const toGrey = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

/** A size × size image at (x, y) in pixel units, bilinear, coordinates outside it clamped to its edge. */
function sample(image: ArrayLike<number>, size: number, x: number, y: number): number {
  const last = size - 1;
  const [cx, cy] = [Math.min(Math.max(x, 0), last), Math.min(Math.max(y, 0), last)];
  const [x0, y0] = [Math.floor(cx), Math.floor(cy)];
  const [x1, y1] = [Math.min(x0 + 1, last), Math.min(y0 + 1, last)];
  const [fx, fy] = [cx - x0, cy - y0];
  const row0 = image[y0 * size + x0]! * (1 - fx) + image[y0 * size + x1]! * fx;
  const row1 = image[y1 * size + x0]! * (1 - fx) + image[y1 * size + x1]! * fx;
  return row0 * (1 - fy) + row1 * fy;
}

export interface Warp {
  /** > 1 zooms in (a tighter crop), < 1 out (a looser one, the face smaller in the frame). */
  readonly scale?: number;
  /** Clockwise turn of the content, in degrees. */
  readonly degrees?: number;
  /** Shift of the content, in pixels (right, down). */
  readonly dx?: number;
  readonly dy?: number;
}

/** out = the face zoomed, turned about the centre and shifted. */
export function warp(
  face: Uint8Array,
  out: Uint8Array,
  { scale = 1, degrees = 0, dx = 0, dy = 0 }: Warp,
): void {
  const c = (IMAGE_SIZE - 1) / 2;
  const a = (degrees * Math.PI) / 180;
  const [cos, sin] = [Math.cos(a) / scale, Math.sin(a) / scale];
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const [u, v] = [x - dx - c, y - dy - c];
      out[y * IMAGE_SIZE + x] = toGrey(
        sample(face, IMAGE_SIZE, c + cos * u + sin * v, c - sin * u + cos * v),
      );
    }
  }
}

/** out = the face mirrored left to right. */
export function mirror(face: Uint8Array, out: Uint8Array): void {
  for (let y = 0; y < IMAGE_SIZE; y++)
    for (let x = 0; x < IMAGE_SIZE; x++) out[y * IMAGE_SIZE + x] = face[y * IMAGE_SIZE + IMAGE_SIZE - 1 - x]!;
}

/** out = grey · gain + offset (contrast about mid-grey: gain k, offset 127.5 · (1 − k)). */
export function relight(face: Uint8Array, out: Uint8Array, gain: number, offset: number): void {
  for (let i = 0; i < PIXEL_COUNT; i++) out[i] = toGrey(face[i]! * gain + offset);
}

/** out = the face box-averaged down to size × size (size divides 48) and scaled back up bilinearly. */
export function lowResolution(face: Uint8Array, out: Uint8Array, size: number): void {
  const k = IMAGE_SIZE / size;
  if (!Number.isInteger(k)) throw new Error(`lowResolution: ${size} does not divide ${IMAGE_SIZE}`);
  const small = new Float32Array(size * size);
  for (let y = 0; y < IMAGE_SIZE; y++)
    for (let x = 0; x < IMAGE_SIZE; x++)
      small[Math.floor(y / k) * size + Math.floor(x / k)]! += face[y * IMAGE_SIZE + x]! / (k * k);
  for (let y = 0; y < IMAGE_SIZE; y++)
    for (let x = 0; x < IMAGE_SIZE; x++)
      out[y * IMAGE_SIZE + x] = toGrey(sample(small, size, (x + 0.5) / k - 0.5, (y + 0.5) / k - 0.5));
}

/** out = the face plus Gaussian noise of standard deviation `sigma` grey levels (Box–Muller). */
export function addNoise(face: Uint8Array, out: Uint8Array, sigma: number, random: () => number): void {
  for (let i = 0; i < PIXEL_COUNT; i++) {
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    out[i] = toGrey(face[i]! + sigma * gaussian);
  }
}

const geometric = (name: string, w: Warp): Perturbation => ({ name, apply: (f, o) => warp(f, o, w) });

/** The card's rows, the unchanged face first. */
export const PERTURBATIONS: readonly Perturbation[] = [
  { name: 'as in the data', apply: (f, o) => o.set(f) },
  { name: 'mirrored', apply: mirror },
  geometric('off-centre by 3 px (right and down)', { dx: 3, dy: 3 }),
  geometric('off-centre by 6 px (right and down)', { dx: 6, dy: 6 }),
  geometric('crop 15 % looser (face smaller)', { scale: 0.85 }),
  geometric('crop 15 % tighter (face larger)', { scale: 1.15 }),
  geometric('head turned 10°', { degrees: 10 }),
  geometric('head turned 20°', { degrees: 20 }),
  { name: 'darker (60 % of the light)', apply: (f, o) => relight(f, o, 0.6, 0) },
  { name: 'brighter (+60 grey levels)', apply: (f, o) => relight(f, o, 1, 60) },
  { name: 'half the contrast', apply: (f, o) => relight(f, o, 0.5, 63.75) },
  { name: 'blurred: a 24×24 face scaled up', apply: (f, o) => lowResolution(f, o, 24) },
  { name: 'blurred: a 16×16 face scaled up', apply: (f, o) => lowResolution(f, o, 16) },
  { name: 'noise, σ = 4 grey levels', apply: (f, o, r) => addNoise(f, o, 4, r) },
  { name: 'noise, σ = 10 grey levels', apply: (f, o, r) => addNoise(f, o, 10, r) },
  { name: 'JPEG at quality 50, at 48×48', apply: (f, o) => jpegRoundTrip(f, o, 50) },
  {
    name: 'a 192 px JPEG photo (quality 75), reduced as the server does',
    apply: (f, o) => uploadedPhoto(f, o, 192, 75),
  },
];
