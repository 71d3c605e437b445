/**
 * Photo → 48×48 grey levels, exactly as the dataset was made: ITU-R 601 luma
 * (0.299 R + 0.587 G + 0.114 B), centre square crop, area-average resize, rounded to integer grey
 * levels. It works on a plain RGBA buffer so the server (after sharp decodes) and the browser (after
 * canvas getImageData) run this one implementation and feed the models identical tensors.
 */
import { InvalidImageError } from './errors.js';
import { IMAGE_SIZE, PIXEL_COUNT } from './pixels.js';

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width × height × 4 bytes, row-major RGBA (alpha ignored). */
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** Largest side a photo may have before preprocessing; larger ones are rejected, not resized. */
export const MAX_IMAGE_SIDE = 4096;

/**
 * For an axis of `srcLength` source pixels (starting at `srcStart`) mapped onto `dstLength` output
 * pixels, the source pixels each output pixel covers and with what weight (coverage / total).
 */
function areaWeights(srcStart: number, srcLength: number, dstLength: number): { index: number; weight: number }[][] {
  const scale = srcLength / dstLength;
  const result: { index: number; weight: number }[][] = [];
  for (let o = 0; o < dstLength; o++) {
    const from = o * scale;
    const to = from + scale;
    const taps: { index: number; weight: number }[] = [];
    for (let s = Math.floor(from); s < Math.ceil(to - 1e-9); s++) {
      const coverage = Math.min(to, s + 1) - Math.max(from, s);
      if (coverage > 1e-9) taps.push({ index: srcStart + s, weight: coverage / scale });
    }
    result.push(taps);
  }
  return result;
}

function checkImage(image: RgbaImage, field: string): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InvalidImageError(field, `image size must be positive integers, got ${width}×${height}`);
  }
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw new InvalidImageError(field, `image is ${width}×${height}; the largest side accepted is ${MAX_IMAGE_SIDE}`);
  }
  if (data.length !== width * height * 4) {
    throw new InvalidImageError(field, `RGBA buffer holds ${data.length} bytes, expected ${width * height * 4}`);
  }
}

/** Grey levels (luma, unrounded) of the centre square of `image`, side = min(width, height). */
function centreSquareLuma(image: RgbaImage): { side: number; luma: Float64Array } {
  const side = Math.min(image.width, image.height);
  const left = Math.floor((image.width - side) / 2);
  const top = Math.floor((image.height - side) / 2);
  const luma = new Float64Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const p = ((top + y) * image.width + left + x) * 4;
      luma[y * side + x] = 0.299 * image.data[p]! + 0.587 * image.data[p + 1]! + 0.114 * image.data[p + 2]!;
    }
  }
  return { side, luma };
}

/** RGBA photo → 2304 grey levels (0–255 integers), the form of a dataset row. */
export function imageToPixels(image: RgbaImage, field = 'image'): Uint8Array {
  checkImage(image, field);
  const { side, luma } = centreSquareLuma(image);
  const weights = areaWeights(0, side, IMAGE_SIZE);
  // Separable area average: rows first (side × 48), then columns (48 × 48).
  const rows = new Float64Array(side * IMAGE_SIZE);
  for (let y = 0; y < side; y++) {
    for (let ox = 0; ox < IMAGE_SIZE; ox++) {
      let sum = 0;
      for (const { index, weight } of weights[ox]!) sum += luma[y * side + index]! * weight;
      rows[y * IMAGE_SIZE + ox] = sum;
    }
  }
  const out = new Uint8Array(PIXEL_COUNT);
  for (let oy = 0; oy < IMAGE_SIZE; oy++) {
    for (let ox = 0; ox < IMAGE_SIZE; ox++) {
      let sum = 0;
      for (const { index, weight } of weights[oy]!) sum += rows[index * IMAGE_SIZE + ox]! * weight;
      out[oy * IMAGE_SIZE + ox] = Math.min(255, Math.max(0, Math.round(sum)));
    }
  }
  return out;
}
