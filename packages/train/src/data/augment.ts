/**
 * Training-time augmentation of 48×48 grey faces, done while a batch is gathered into the feeder's
 * Float32Array: a horizontal flip, a small shift and scale (axis-aligned, so each image needs only a
 * 48-entry row map and a 48-entry column map, nearest-neighbour, edges replicated), and a brightness
 * and contrast change. Every draw comes from one seeded generator, so an epoch's augmented batches are
 * reproducible (a resumed run replays them). Validation and test batches are never augmented.
 */
import { IMAGE_SIZE } from '@facekit/core';

export interface AugmentOptions {
  /** Probability of a horizontal flip (faces are near-symmetric: 0.5). */
  readonly flip: number;
  /** Largest shift in pixels, each axis, drawn uniformly in [-shift, shift] and rounded. */
  readonly shift: number;
  /** Largest relative zoom: the scale is drawn in [1 − scale, 1 + scale]. */
  readonly scale: number;
  /** Largest brightness offset, in grey/255 units: drawn in [-brightness, brightness]. */
  readonly brightness: number;
  /** Largest contrast change: the factor is drawn in [1 − contrast, 1 + contrast], about mid-grey. */
  readonly contrast: number;
}

/** One image's draw: what `augmentImage` applies. */
export interface AugmentDraw {
  readonly flip: boolean;
  readonly dx: number;
  readonly dy: number;
  readonly scale: number;
  readonly brightness: number;
  readonly contrast: number;
}

export const IDENTITY_DRAW: AugmentDraw = { flip: false, dx: 0, dy: 0, scale: 1, brightness: 0, contrast: 1 };

const clampIndex = (i: number) => (i < 0 ? 0 : i >= IMAGE_SIZE ? IMAGE_SIZE - 1 : i);

/** Draws one image's augmentation from `random` (uniform in [0, 1)). */
export function drawAugment(options: AugmentOptions, random: () => number): AugmentDraw {
  const between = (a: number) => (random() * 2 - 1) * a;
  return {
    flip: random() < options.flip,
    dx: Math.round(between(options.shift)),
    dy: Math.round(between(options.shift)),
    scale: 1 + between(options.scale),
    brightness: between(options.brightness),
    contrast: 1 + between(options.contrast),
  };
}

/**
 * Source index along one axis for each output index: output o shows source
 * round((o − c) / scale + c − shift), c the image centre, mirrored first when `flip`, clamped to the
 * image (edge pixels repeat).
 */
export function axisMap(out: Int32Array, shift: number, scale: number, flip: boolean): Int32Array {
  const c = (IMAGE_SIZE - 1) / 2;
  for (let o = 0; o < IMAGE_SIZE; o++) {
    let s = Math.round((o - c) / scale + c - shift);
    s = clampIndex(s);
    out[o] = flip ? IMAGE_SIZE - 1 - s : s;
  }
  return out;
}

/**
 * Writes the augmented image: dst[y, x] = clamp((lut[src[rows[y], cols[x]]] − ½)·contrast + ½ +
 * brightness, 0, 1), where `lut` turns a grey level into the network's input (grey / 255).
 */
export class Augmenter {
  private readonly rows = new Int32Array(IMAGE_SIZE);
  private readonly cols = new Int32Array(IMAGE_SIZE);

  constructor(
    readonly options: AugmentOptions,
    private readonly random: () => number,
  ) {}

  /** Augments the image at src[srcAt..] into dst[dstAt..] with a fresh draw. */
  apply(src: Uint8Array, srcAt: number, dst: Float32Array, dstAt: number, lut: Float32Array): void {
    augmentImage(drawAugment(this.options, this.random), src, srcAt, dst, dstAt, lut, this.rows, this.cols);
  }
}

export function augmentImage(
  draw: AugmentDraw,
  src: Uint8Array,
  srcAt: number,
  dst: Float32Array,
  dstAt: number,
  lut: Float32Array,
  rows = new Int32Array(IMAGE_SIZE),
  cols = new Int32Array(IMAGE_SIZE),
): void {
  axisMap(rows, draw.dy, draw.scale, false);
  axisMap(cols, draw.dx, draw.scale, draw.flip);
  const k = draw.contrast;
  const b = 0.5 - 0.5 * k + draw.brightness;
  for (let y = 0; y < IMAGE_SIZE; y++) {
    const from = srcAt + rows[y]! * IMAGE_SIZE;
    const to = dstAt + y * IMAGE_SIZE;
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const v = lut[src[from + cols[x]!]!]! * k + b;
      dst[to + x] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
}
