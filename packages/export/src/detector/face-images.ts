/**
 * Detector inputs made from the dataset's 48×48 grey faces: each face bilinearly enlarged to
 * `size`×`size` and placed on a mid-grey 256×256 RGB canvas (grey in all three channels), so the
 * detector sees a face at a plausible scale. Real faces are what proves the boxes land on eyes and
 * noses, not only that two runtimes agree on noise.
 */
import { DETECTOR_INPUT_SIZE, DETECTOR_INPUT_VALUES, greyAt, IMAGE_SIZE, PIXEL_COUNT } from '@facekit/core';
import { loadCsv } from '@facekit/train';

/** One face ([48·48] grey levels 0–255) as a [256, 256, 3] image, the face `size` px wide in the centre. */
export function faceImage(pixels: ArrayLike<number>, size = 160): Float32Array {
  const S = DETECTOR_INPUT_SIZE;
  const out = new Float32Array(DETECTOR_INPUT_VALUES).fill(128);
  const origin = Math.floor((S - size) / 2);
  const scale = IMAGE_SIZE / size;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Pixel centres mapped onto the face's grid.
      const v = Math.round(greyAt(pixels, (x + 0.5) * scale - 0.5, (y + 0.5) * scale - 0.5));
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
