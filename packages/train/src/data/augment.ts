/**
 * Training-time augmentation of 48×48 grey faces, done while a batch is gathered into the feeder's
 * Float32Array: a horizontal flip, a small shift and scale (axis-aligned, so each image needs only a
 * 48-entry row map and a 48-entry column map, nearest-neighbour, edges replicated), and a brightness
 * and contrast change; optionally a turn (then every pixel is mapped and sampled bilinearly), half
 * resolution (2×2 blocks averaged), sensor noise and random erasing (a rectangle painted one grey, so
 * the network cannot lean on any one part of the face). Every draw comes from one seeded generator, so an
 * epoch's augmented batches are reproducible (a resumed run replays them); the optional changes draw
 * nothing when they are off, so recipes without them draw exactly as before. Validation and test
 * batches are never augmented.
 */
import { IMAGE_SIZE } from '@facekit/core';
import { seededRandom } from './random.js';

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
  /** Largest turn in degrees, drawn in [-rotate, rotate]; absent or 0: none. */
  readonly rotate?: number;
  /** Probability of seeing the face at half resolution (2×2 blocks averaged): a small face scaled up. */
  readonly blur?: number;
  /** Largest standard deviation of Gaussian noise, in grey/255 units, drawn in [0, noise]. */
  readonly noise?: number;
  /**
   * Probability of random erasing (Zhong et al., 2017): a rectangle of 2–20 % of the image, its
   * aspect ratio log-uniform in [0.3, 3.3], painted one grey drawn uniformly; absent or 0: none.
   */
  readonly erase?: number;
}

/** A rectangle painted one grey: rows [y, y + height), columns [x, x + width). */
export interface Erasure {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly grey: number;
}

/** One image's draw: what `augmentImage` applies. */
export interface AugmentDraw {
  readonly flip: boolean;
  readonly dx: number;
  readonly dy: number;
  readonly scale: number;
  readonly brightness: number;
  readonly contrast: number;
  readonly degrees: number;
  readonly blur: boolean;
  readonly noise: number;
  /** Seeds the noise's own generator (one draw for the image, not one per pixel). */
  readonly noiseSeed: number;
  readonly erase?: Erasure;
}

export const IDENTITY_DRAW: AugmentDraw = {
  flip: false,
  dx: 0,
  dy: 0,
  scale: 1,
  brightness: 0,
  contrast: 1,
  degrees: 0,
  blur: false,
  noise: 0,
  noiseSeed: 0,
};

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
    degrees: options.rotate ? between(options.rotate) : 0,
    blur: options.blur ? random() < options.blur : false,
    noise: options.noise ? random() * options.noise : 0,
    noiseSeed: options.noise ? Math.floor(random() * 2 ** 32) : 0,
    ...(options.erase && random() < options.erase ? { erase: drawErasure(random) } : {}),
  };
}

/** Random erasing's rectangle: area 2–20 % of the image, aspect log-uniform in [0.3, 3.3], inside it. */
function drawErasure(random: () => number): Erasure {
  const area = (0.02 + random() * 0.18) * IMAGE_SIZE * IMAGE_SIZE;
  const aspect = Math.exp(Math.log(0.3) + random() * (Math.log(3.3) - Math.log(0.3)));
  const height = Math.min(IMAGE_SIZE, Math.max(1, Math.round(Math.sqrt(area * aspect))));
  const width = Math.min(IMAGE_SIZE, Math.max(1, Math.round(Math.sqrt(area / aspect))));
  return {
    x: Math.floor(random() * (IMAGE_SIZE - width + 1)),
    y: Math.floor(random() * (IMAGE_SIZE - height + 1)),
    width,
    height,
    grey: random(),
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
  const k = draw.contrast;
  const b = 0.5 - 0.5 * k + draw.brightness;
  if (draw.degrees !== 0) turned(draw, src, srcAt, dst, dstAt, lut);
  else {
    axisMap(rows, draw.dy, draw.scale, false);
    axisMap(cols, draw.dx, draw.scale, draw.flip);
    for (let y = 0; y < IMAGE_SIZE; y++) {
      const from = srcAt + rows[y]! * IMAGE_SIZE;
      const to = dstAt + y * IMAGE_SIZE;
      for (let x = 0; x < IMAGE_SIZE; x++) dst[to + x] = lut[src[from + cols[x]!]!]!;
    }
  }
  if (draw.blur) halveResolution(dst, dstAt);
  const noise = draw.noise > 0 ? gaussian(draw.noiseSeed) : undefined;
  for (let i = dstAt; i < dstAt + IMAGE_SIZE * IMAGE_SIZE; i++) {
    const v = dst[i]! * k + b + (noise ? noise() * draw.noise : 0);
    dst[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  if (draw.erase) paint(draw.erase, dst, dstAt);
}

function paint({ x, y, width, height, grey }: Erasure, dst: Float32Array, at: number): void {
  for (let r = y; r < y + height; r++)
    dst.fill(grey, at + r * IMAGE_SIZE + x, at + r * IMAGE_SIZE + x + width);
}

/**
 * The geometric part of a draw with a turn: output (x, y) shows the source at
 * c + R(−degrees)·((x, y) − c) / scale − (dx, dy), c the centre, mirrored first when `flip`, sampled
 * bilinearly with the edges repeated.
 */
function turned(
  draw: AugmentDraw,
  src: Uint8Array,
  srcAt: number,
  dst: Float32Array,
  dstAt: number,
  lut: Float32Array,
) {
  const c = (IMAGE_SIZE - 1) / 2;
  const last = IMAGE_SIZE - 1;
  const a = (draw.degrees * Math.PI) / 180;
  const [cos, sin] = [Math.cos(a) / draw.scale, Math.sin(a) / draw.scale];
  const pixel = (x: number, y: number) => lut[src[srcAt + y * IMAGE_SIZE + x]!]!;
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const [u, v] = [x - c, y - c];
      let sx = Math.min(Math.max(c + cos * u + sin * v - draw.dx, 0), last);
      const sy = Math.min(Math.max(c - sin * u + cos * v - draw.dy, 0), last);
      if (draw.flip) sx = last - sx;
      const [x0, y0] = [Math.floor(sx), Math.floor(sy)];
      const [x1, y1] = [Math.min(x0 + 1, last), Math.min(y0 + 1, last)];
      const [fx, fy] = [sx - x0, sy - y0];
      const top = pixel(x0, y0) * (1 - fx) + pixel(x1, y0) * fx;
      const bottom = pixel(x0, y1) * (1 - fx) + pixel(x1, y1) * fx;
      dst[dstAt + y * IMAGE_SIZE + x] = top * (1 - fy) + bottom * fy;
    }
  }
}

/** Each 2×2 block of the image at dst[at..] replaced by its mean, in place. */
function halveResolution(dst: Float32Array, at: number): void {
  for (let y = 0; y < IMAGE_SIZE; y += 2) {
    for (let x = 0; x < IMAGE_SIZE; x += 2) {
      const p = at + y * IMAGE_SIZE + x;
      const q = p + IMAGE_SIZE;
      const mean = (dst[p]! + dst[p + 1]! + dst[q]! + dst[q + 1]!) / 4;
      dst[p] = dst[p + 1] = dst[q] = dst[q + 1] = mean;
    }
  }
}

/** Standard normal draws (Box–Muller) from their own generator, seeded with `seed`. */
function gaussian(seed: number): () => number {
  const uniform = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}
