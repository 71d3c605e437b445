/**
 * Inputs for verification: seeded random images (uniform grey levels in [0, 1], the same range as
 * real faces), the two edge images (all black, all white), and real faces from the dataset CSV when
 * it is present. Seeded so an export's figures can be reproduced exactly.
 */
import { PIXEL_COUNT, writeModelInput } from '@facekit/core';
import { loadCsv, seededRandom } from '@facekit/train';

/** `count` samples of `perSample` values: first all zeros, then all ones, then uniform noise. */
export function syntheticInputs(count: number, perSample: number, seed = 17): Float32Array {
  const out = new Float32Array(count * perSample);
  const random = seededRandom(seed);
  for (let s = 0; s < count; s++) {
    const row = out.subarray(s * perSample, (s + 1) * perSample);
    if (s === 0) continue;
    if (s === 1) row.fill(1);
    else for (let i = 0; i < perSample; i++) row[i] = random();
  }
  return out;
}

/**
 * Model inputs (grey / 255, NHWC) of the first `count` valid faces of a dataset CSV, read by training's
 * own loader — so any file training accepts is read the same way (quoted fields, a BOM, CRLF) — with
 * its invalid rows passed over, as a run trained with `--skip-invalid` passed them over. Returns fewer
 * when the file is shorter, none without reading it when `count` is 0.
 */
export async function faceInputs(
  csvPath: string,
  count: number,
): Promise<{ inputs: Float32Array; count: number }> {
  if (count === 0) return { inputs: new Float32Array(0), count: 0 };
  const { dataset } = await loadCsv(csvPath, { limit: count, skipInvalid: true });
  const out = new Float32Array(dataset.size * PIXEL_COUNT);
  for (let n = 0; n < dataset.size; n++)
    writeModelInput(dataset.pixels.subarray(n * PIXEL_COUNT, (n + 1) * PIXEL_COUNT), out, n);
  return { inputs: out, count: dataset.size };
}
