/**
 * Makes the demo's sample faces: a handful of 48×48 grey PNGs cut from the dataset CSV, chosen for a
 * spread of ages, ethnicities and genders, plus samples.json with each face's
 * dataset labels. The faces are UTKFace's (non-commercial research use); the few that are checked in
 * under public/samples are regenerated with `pnpm --filter @facekit/web-demo samples [--data file]`.
 * The PNG writer is a few lines over node:zlib, so no image library is needed.
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { ETHNICITY_LABELS, GENDER_LABELS, IMAGE_SIZE, validatePixels } from '@facekit/core';

const here = dirname(fileURLToPath(import.meta.url));

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** An 8-bit greyscale PNG of `width` × `height` grey levels, row-major. */
export function greyPng(grey: Uint8Array, width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // bit depth 8, colour type 0 (grey), deflate, no filter, no interlace
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) rows.set(grey.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', new Uint8Array()),
  ]);
}

export interface Sample {
  readonly file: string;
  readonly age: number;
  readonly ethnicity: string;
  readonly gender: string;
}

/** Which faces to cut: an age, ethnicity and gender each, for a spread of all three. */
const TARGETS: readonly { age: number; ethnicity: number; gender: number }[] = [
  { age: 4, ethnicity: 2, gender: 1 },
  { age: 16, ethnicity: 1, gender: 0 },
  { age: 24, ethnicity: 3, gender: 1 },
  { age: 29, ethnicity: 0, gender: 0 },
  { age: 35, ethnicity: 4, gender: 1 },
  { age: 47, ethnicity: 1, gender: 1 },
  { age: 55, ethnicity: 0, gender: 1 },
  { age: 72, ethnicity: 3, gender: 0 },
];

/** For each target, the first face in the CSV with that age, ethnicity and gender. */
async function pickFaces(csv: string): Promise<{ sample: Sample; pixels: Uint8Array }[]> {
  const lines = createInterface({ input: createReadStream(csv), crlfDelay: Infinity });
  const picked = new Map<number, { sample: Sample; pixels: Uint8Array }>();
  let header: string[] | undefined;
  let line = 1;
  for await (const text of lines) {
    if (!header) {
      header = text.trim().split(',');
      continue;
    }
    line++;
    const cells = text.split(',');
    const at = (name: string) => Number(cells[header!.indexOf(name)]);
    const t = TARGETS.findIndex(
      (g, i) =>
        !picked.has(i) && g.age === at('age') && g.ethnicity === at('ethnicity') && g.gender === at('gender'),
    );
    if (t < 0) continue;
    const ethnicity = ETHNICITY_LABELS[at('ethnicity')]!;
    const gender = GENDER_LABELS[at('gender')]!;
    const pixelText = cells[header.indexOf('pixels')] ?? '';
    const pixels = validatePixels(
      pixelText.replace(/"/g, '').trim().split(/\s+/).map(Number),
      `${csv}:${line}`,
    );
    const file = `${ethnicity.toLowerCase()}-${gender}-${at('age')}.png`;
    picked.set(t, { sample: { file, age: at('age'), ethnicity, gender }, pixels });
    if (picked.size === TARGETS.length) break;
  }
  lines.close();
  return [...picked.entries()].sort(([a], [b]) => a - b).map(([, face]) => face);
}

async function main(): Promise<void> {
  const flag = (name: string) => process.argv[process.argv.indexOf(name) + 1];
  const csv = resolve(
    process.argv.includes('--data')
      ? flag('--data')!
      : (process.env.FACEKIT_DATA ?? join(here, '../../../shared/data/utkface48.csv')),
  );
  if (!existsSync(csv))
    throw new Error(`no dataset CSV at ${csv}; pass --data <age_gender.csv> or set FACEKIT_DATA`);
  const out = join(here, 'public', 'samples');
  await mkdir(out, { recursive: true });
  const faces = await pickFaces(csv);
  for (const { sample, pixels } of faces)
    await writeFile(join(out, sample.file), greyPng(pixels, IMAGE_SIZE, IMAGE_SIZE));
  await writeFile(
    join(out, 'samples.json'),
    `${JSON.stringify(
      faces.map((f) => f.sample),
      null,
      2,
    )}\n`,
  );
  console.log(`wrote ${faces.length} sample faces from ${csv} to ${out}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
