/**
 * Detector inputs made from the dataset's 48×48 grey faces: each face bilinearly enlarged to
 * `size`×`size` and placed on a mid-grey 256×256 RGB canvas (grey in all three channels), so the
 * detector sees a face at a plausible scale. Real faces are what proves the boxes land on eyes and
 * noses, not only that two runtimes agree on noise.
 */
import { DETECTOR_INPUT_SIZE, DETECTOR_INPUT_VALUES, IMAGE_SIZE, PIXEL_COUNT } from '@facekit/core';
import { loadCsv } from '@facekit/train';

/** One face ([48·48] grey levels 0–255) as a [256, 256, 3] image, the face `size` px wide in the centre. */
export function faceImage(pixels: ArrayLike<number>, size = 160): Float32Array {
  const S = DETECTOR_INPUT_SIZE;
  const out = new Float32Array(DETECTOR_INPUT_VALUES).fill(128);
  const origin = Math.floor((S - size) / 2);
  const scale = IMAGE_SIZE / size;
  for (let y = 0; y < size; y++) {
    // Pixel centres mapped onto the source grid, clamped at its edges.
    const sy = Math.min(Math.max((y + 0.5) * scale - 0.5, 0), IMAGE_SIZE - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, IMAGE_SIZE - 1);
    for (let x = 0; x < size; x++) {
      const sx = Math.min(Math.max((x + 0.5) * scale - 0.5, 0), IMAGE_SIZE - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, IMAGE_SIZE - 1);
      const [fy, fx] = [sy - y0, sx - x0];
      const at = (yy: number, xx: number) => pixels[yy * IMAGE_SIZE + xx]!;
      const top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx;
      const bottom = at(y1, x0) * (1 - fx) + at(y1, x1) * fx;
      const v = Math.round(top * (1 - fy) + bottom * fy);
      const o = ((origin + y) * S + origin + x) * 3;
      out[o] = out[o + 1] = out[o + 2] = v;
    }
  }
  return out;
}

/** The first `count` valid faces of a dataset CSV as detector inputs, row after row. */
export async function csvFaceImages(
  csvPath: string,
  count: number,
): Promise<{ images: Float32Array; count: number }> {
  if (count === 0) return { images: new Float32Array(0), count: 0 };
  const { dataset } = await loadCsv(csvPath, { limit: count, skipInvalid: true });
  const images = new Float32Array(dataset.size * DETECTOR_INPUT_VALUES);
  for (let n = 0; n < dataset.size; n++)
    images.set(
      faceImage(dataset.pixels.subarray(n * PIXEL_COUNT, (n + 1) * PIXEL_COUNT)),
      n * DETECTOR_INPUT_VALUES,
    );
  return { images, count: dataset.size };
}
