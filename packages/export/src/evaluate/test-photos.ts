/**
 * Shared by the evaluation's tests (not shipped through index.ts): labelled faces without the data
 * file — the web demo's nine sample faces, each also mirrored, lightened, darkened and shifted, so the
 * models' answers vary — written as a CSV and as photos named as UTKFace names its faces. A photo is
 * its face enlarged 4× by repeating pixels (192×192), which the server's area reduction undoes exactly:
 * as PNGs, the photos reduce to the very grey levels of the CSV's rows.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { IMAGE_SIZE, PIXEL_COUNT } from '@facekit/core';
import { projectRoot } from '@facekit/core/node';

export interface LabelledFace {
  readonly pixels: Uint8Array;
  readonly age: number;
  readonly ethnicity: number;
  readonly gender: number;
}

const SAMPLES = join(projectRoot(), 'packages/web-demo/public/samples');
const ETHNICITIES = ['White', 'Black', 'Asian', 'Indian', 'Others'];

/** The grey levels of a 48×48 grey PNG (sharp hands it over as RGB with R = G = B). */
async function readGreyPng(file: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(file).extractChannel(0).raw().toBuffer());
}

const VARIANTS: readonly ((face: Uint8Array, x: number, y: number) => number)[] = [
  (f, x, y) => f[y * IMAGE_SIZE + x]!,
  (f, x, y) => f[y * IMAGE_SIZE + (IMAGE_SIZE - 1 - x)]!,
  (f, x, y) => Math.min(255, f[y * IMAGE_SIZE + x]! + 30),
  (f, x, y) => Math.max(0, f[y * IMAGE_SIZE + x]! - 30),
  (f, x, y) => f[y * IMAGE_SIZE + Math.min(IMAGE_SIZE - 1, x + 3)]!,
];

/** `count` faces (up to 45): the samples, then each variant of them in turn, ages spread a little. */
export async function sampleFaces(count: number): Promise<LabelledFace[]> {
  const samples = JSON.parse(await readFile(join(SAMPLES, 'samples.json'), 'utf8')) as {
    file: string;
    age: number;
    ethnicity: string;
    gender: string;
  }[];
  const bases = await Promise.all(samples.map((s) => readGreyPng(join(SAMPLES, s.file))));
  return Array.from({ length: count }, (_, k) => {
    const s = samples[k % samples.length]!;
    const base = bases[k % samples.length]!;
    const variant = VARIANTS[Math.floor(k / samples.length) % VARIANTS.length]!;
    const pixels = new Uint8Array(PIXEL_COUNT);
    for (let y = 0; y < IMAGE_SIZE; y++)
      for (let x = 0; x < IMAGE_SIZE; x++) pixels[y * IMAGE_SIZE + x] = variant(base, x, y);
    return {
      pixels,
      age: s.age + Math.floor(k / samples.length) * 7,
      ethnicity: ETHNICITIES.indexOf(s.ethnicity),
      gender: s.gender === 'male' ? 0 : 1,
    };
  });
}

/** The face's name as UTKFace would give it, `k` making its date and time unique. */
export function utkfaceName(face: LabelledFace, k: number, extension = 'jpg.chip.png'): string {
  return `${face.age}_${face.gender}_${face.ethnicity}_20170116${String(k).padStart(9, '0')}.${extension}`;
}

/** The face enlarged `factor`× by repeating pixels, as a sharp pipeline to encode. */
export function enlarged(face: LabelledFace, factor = 4): sharp.Sharp {
  const side = IMAGE_SIZE * factor;
  return sharp(face.pixels, { raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 1 } }).resize(
    side,
    side,
    {
      kernel: 'nearest',
    },
  );
}

/** The faces as 192×192 grey PNGs in `dir`, UTKFace-named; returns their names in the faces' order. */
export async function writePhotos(dir: string, faces: readonly LabelledFace[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const names = faces.map((f, k) => utkfaceName(f, k));
  await Promise.all(
    faces.map(async (f, k) => writeFile(join(dir, names[k]!), await enlarged(f).png().toBuffer())),
  );
  return names;
}

/** The faces as a CSV in the Kaggle layout. */
export async function writeCsv(file: string, faces: readonly LabelledFace[]): Promise<void> {
  const rows = faces.map(
    (f, i) => `${f.age},${f.ethnicity},${f.gender},f${i}.jpg,${Array.from(f.pixels).join(' ')}`,
  );
  await writeFile(file, ['age,ethnicity,gender,img_name,pixels', ...rows].join('\n'));
}
