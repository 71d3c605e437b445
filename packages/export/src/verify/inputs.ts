/**
 * Inputs for verification: seeded random images (uniform grey levels in [0, 1], the same range as
 * real faces), the two edge images (all black, all white), and real faces from the dataset CSV when
 * it is present. Seeded so an export's figures can be reproduced exactly.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { PIXEL_COUNT, validatePixels, writeModelInput } from '@facekit/core';
import { checkLooksLikeText, seededRandom } from '@facekit/train';

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

export async function fileExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Model inputs (grey / 255, NHWC) of the first `count` faces of a Kaggle-layout CSV
 * (`age,ethnicity,gender,img_name,pixels`). Returns fewer when the file is shorter.
 */
export async function faceInputs(
  csvPath: string,
  count: number,
): Promise<{ inputs: Float32Array; count: number }> {
  // Refused as training refuses it: a .gz or .zip not yet unpacked is named for what it is.
  await checkLooksLikeText(csvPath);
  const out = new Float32Array(count * PIXEL_COUNT);
  const lines = createInterface({ input: createReadStream(csvPath), crlfDelay: Infinity });
  let column = -1;
  let n = 0;
  let line = 0;
  for await (const text of lines) {
    line++;
    if (column < 0) {
      column = text.trim().split(',').indexOf('pixels');
      if (column < 0) throw new Error(`${csvPath}:1: no "pixels" column in the header`);
      continue;
    }
    if (text.trim() === '') continue;
    const field = text.split(',')[column]?.replace(/"/g, '') ?? '';
    const pixels = validatePixels(field.trim().split(/\s+/).map(Number), `${csvPath}:${line} pixels`);
    writeModelInput(pixels, out, n);
    if (++n === count) break;
  }
  lines.close();
  return { inputs: out.subarray(0, n * PIXEL_COUNT), count: n };
}
