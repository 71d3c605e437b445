/**
 * Photo → 48×48 grey levels, exactly as the dataset was made: ITU-R 601 luma
 * (0.299 R + 0.587 G + 0.114 B), centre square crop (or a square the caller chose: where the face is),
 * area-average resize, rounded to integer grey levels. It works on a plain RGBA buffer so the server
 * (after sharp decodes) and the browser (after canvas getImageData) run this one implementation and
 * feed the models identical tensors. Transparent pixels are composited over white, as a page shows
 * them: the colour under a fully transparent pixel is not read, since a canvas does not keep it.
 */
import { InvalidCropError, InvalidImageError } from './errors.js';
import { IMAGE_SIZE, PIXEL_COUNT } from './pixels.js';

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width × height × 4 bytes, row-major RGBA, not premultiplied (getImageData's and sharp's form). */
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** The grey level a fully transparent pixel reads as: white, the page behind a transparent photo. */
export const TRANSPARENT_GREY = 255;

/** Largest side a photo may have before preprocessing; larger ones are rejected, not resized. */
export const MAX_IMAGE_SIDE = 4096;

/**
 * For an axis of `srcLength` source pixels mapped onto `dstLength` output pixels: which source pixels
 * each output pixel covers and with what weight (coverage / scale). Flat typed arrays, because this
 * runs for every photo the server and the browser see: output `o` uses taps `offsets[o]` up to
 * `offsets[o + 1]`.
 */
export interface AreaTaps {
  readonly offsets: Int32Array;
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

export function areaTaps(srcLength: number, dstLength: number): AreaTaps {
  const scale = srcLength / dstLength;
  const offsets = new Int32Array(dstLength + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let o = 0; o < dstLength; o++) {
    const from = o * scale;
    const to = from + scale;
    for (let s = Math.floor(from); s < Math.ceil(to - 1e-9); s++) {
      const coverage = Math.min(to, s + 1) - Math.max(from, s);
      if (coverage > 1e-9) {
        index.push(s);
        weight.push(coverage / scale);
      }
    }
    offsets[o + 1] = index.length;
  }
  return { offsets, index: Int32Array.from(index), weight: Float64Array.from(weight) };
}

export function checkImage(image: RgbaImage, field: string): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InvalidImageError(field, `image size must be positive integers, got ${width}×${height}`);
  }
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw new InvalidImageError(
      field,
      `image is ${width}×${height}; the largest side accepted is ${MAX_IMAGE_SIDE}`,
    );
  }
  if (data.length !== width * height * 4) {
    throw new InvalidImageError(
      field,
      `RGBA buffer holds ${data.length} bytes, expected ${width * height * 4}`,
    );
  }
}

/** A square of a photo, in its pixels: the face to classify. */
export interface FaceCrop {
  /** Column of the square's left edge (0 = the photo's left edge). */
  readonly x: number;
  /** Row of the square's top edge (0 = the photo's top edge). */
  readonly y: number;
  /** Side of the square, in pixels. */
  readonly size: number;
  /**
   * Degrees the square is turned clockwise about its centre, for a tilted face (the models were trained
   * on faces with level eyes); 0 or absent: upright. The turned square's corners may reach past the
   * photo's edges, which are then repeated.
   */
  readonly angle?: number;
}

/** The largest square in the middle of a `width` × `height` photo: the crop used when none is given. */
export function centreSquare(width: number, height: number): FaceCrop {
  const size = Math.min(width, height);
  return { x: Math.floor((width - size) / 2), y: Math.floor((height - size) / 2), size };
}

/** Checks that `crop` is a square of whole pixels inside a `width` × `height` photo, turned by −180–180°. */
export function checkCrop(crop: FaceCrop, width: number, height: number, field: string): void {
  const { x, y, size, angle = 0 } = crop;
  if (!(typeof angle === 'number' && angle >= -180 && angle <= 180))
    throw new InvalidCropError(field, `angle must be a number of degrees from −180 to 180, got ${angle}`);
  if (![x, y, size].every(Number.isInteger) || x < 0 || y < 0 || size < 1) {
    throw new InvalidCropError(
      field,
      `x and y must be integers ≥ 0 and size an integer ≥ 1, got x ${x}, y ${y}, size ${size}`,
    );
  }
  if (x + size > width || y + size > height) {
    throw new InvalidCropError(
      field,
      `the square at (${x}, ${y}) of side ${size} reaches (${x + size}, ${y + size}), outside the ${width}×${height} image`,
    );
  }
}

/** The grey level of the RGBA pixel at byte `p`: its luma, composited over white by its alpha. */
function compositeGrey(data: RgbaImage['data'], p: number): number {
  const luma = 0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!;
  const alpha = data[p + 3]!;
  return alpha === 255 ? luma : TRANSPARENT_GREY + ((luma - TRANSPARENT_GREY) * alpha) / 255;
}

/**
 * RGBA photo → 2304 grey levels (0–255 integers), the form of a dataset row: the square `crop` of the
 * photo (its centre square when absent; `cropField` names it in errors) reduced to 48×48.
 */
export function imageToPixels(
  image: RgbaImage,
  field = 'image',
  crop?: FaceCrop,
  cropField = 'crop',
): Uint8Array {
  checkImage(image, field);
  const { width, height, data } = image;
  if (crop) checkCrop(crop, width, height, cropField);
  if (crop?.angle) return turnedSquarePixels(image, crop, crop.angle);
  const { x: left, y: top, size: side } = crop ?? centreSquare(width, height);
  const { offsets, index, weight } = areaTaps(side, IMAGE_SIZE);
  // Separable area average over the square's luma, composited over white by its alpha: rows first
  // (side × 48), then columns. An opaque pixel's term is its luma alone.
  const rows = new Float64Array(side * IMAGE_SIZE);
  for (let y = 0; y < side; y++) {
    const line = ((top + y) * width + left) * 4;
    for (let ox = 0; ox < IMAGE_SIZE; ox++) {
      let sum = 0;
      for (let t = offsets[ox]!; t < offsets[ox + 1]!; t++) {
        sum += compositeGrey(data, line + index[t]! * 4) * weight[t]!;
      }
      rows[y * IMAGE_SIZE + ox] = sum;
    }
  }
  const out = new Uint8Array(PIXEL_COUNT);
  for (let oy = 0; oy < IMAGE_SIZE; oy++) {
    for (let ox = 0; ox < IMAGE_SIZE; ox++) {
      let sum = 0;
      for (let t = offsets[oy]!; t < offsets[oy + 1]!; t++)
        sum += rows[index[t]! * IMAGE_SIZE + ox]! * weight[t]!;
      out[oy * IMAGE_SIZE + ox] = Math.min(255, Math.max(0, Math.round(sum)));
    }
  }
  return out;
}

/** Samples per output pixel and axis for a turned square: a 48th of its side, at most 8 (64 samples). */
const MAX_TURNED_SAMPLES = 8;

/**
 * A turned square → 48×48 grey levels: each output pixel the mean of n × n points spread over its part
 * of the square (n about a 48th of the side, at most 8), each point turned into the photo and read by
 * bilinear interpolation of the luma (transparency over white, as above), the photo's edge repeated
 * beyond it. Upright squares take the exact area average above instead.
 */
function turnedSquarePixels(image: RgbaImage, crop: FaceCrop, angle: number): Uint8Array {
  const { width, height, data } = image;
  const side = crop.size;
  const n = Math.min(MAX_TURNED_SAMPLES, Math.max(1, Math.ceil(side / IMAGE_SIZE)));
  const step = side / (IMAGE_SIZE * n);
  const turn = (angle * Math.PI) / 180;
  const [cos, sin] = [Math.cos(turn), Math.sin(turn)];
  const [cx, cy] = [crop.x + side / 2, crop.y + side / 2];
  const grey = (x: number, y: number): number => compositeGrey(data, (y * width + x) * 4);
  const out = new Uint8Array(PIXEL_COUNT);
  for (let oy = 0; oy < IMAGE_SIZE; oy++) {
    for (let ox = 0; ox < IMAGE_SIZE; ox++) {
      let sum = 0;
      for (let j = 0; j < n; j++) {
        const ly = (oy * n + j + 0.5) * step - side / 2;
        for (let i = 0; i < n; i++) {
          const lx = (ox * n + i + 0.5) * step - side / 2;
          // The point in the photo, in pixel-centre coordinates, clamped to the edge pixels.
          const fx = Math.min(width - 1, Math.max(0, cx + cos * lx - sin * ly - 0.5));
          const fy = Math.min(height - 1, Math.max(0, cy + sin * lx + cos * ly - 0.5));
          const [x0, y0] = [Math.floor(fx), Math.floor(fy)];
          const [x1, y1] = [Math.min(width - 1, x0 + 1), Math.min(height - 1, y0 + 1)];
          const [ax, ay] = [fx - x0, fy - y0];
          const top = grey(x0, y0) * (1 - ax) + grey(x1, y0) * ax;
          const bottom = grey(x0, y1) * (1 - ax) + grey(x1, y1) * ax;
          sum += top * (1 - ay) + bottom * ay;
        }
      }
      out[oy * IMAGE_SIZE + ox] = Math.min(255, Math.max(0, Math.round(sum / (n * n))));
    }
  }
  return out;
}
