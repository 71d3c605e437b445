/**
 * Makes the demo's sample faces: a handful of 48×48 grey PNGs cut from the dataset CSV, chosen for a
 * spread of ages, ethnicities and genders, plus samples.json with each face's
 * dataset labels. The faces are UTKFace's (non-commercial research use); the few that are checked in
 * under public/samples are regenerated with `pnpm --filter @facekit/web-demo samples [--data file]`.
 */
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ETHNICITY_LABELS, GENDER_LABELS, IMAGE_SIZE, validatePixels } from '@facekit/core';
import { checkFlags, parseCommandArgs, resolveDataPath } from '@facekit/core/node';
import { encodePng } from './png.js';

const here = dirname(fileURLToPath(import.meta.url));

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

const HELP = `Usage: pnpm --filter @facekit/web-demo samples [--data <csv>]

Cuts the demo's sample faces (public/samples/*.png and samples.json) from the dataset CSV.

Options:
  --data <csv>  the dataset CSV (default: as pnpm train finds it: $FACEKIT_DATA, data/age_gender.csv,
                ../shared/data/utkface48.csv)
  -h, --help    this help
`;

async function main(): Promise<void> {
  const { values } = parseCommandArgs(HELP, { options: { data: { type: 'string' } } });
  // Found, and a relative --data resolved from where the command was run, as training finds it.
  const csv = checkFlags(HELP, () => resolveDataPath(values.data));
  const out = join(here, 'public', 'samples');
  await mkdir(out, { recursive: true });
  const faces = await pickFaces(csv);
  for (const { sample, pixels } of faces)
    await writeFile(join(out, sample.file), encodePng(pixels, IMAGE_SIZE, IMAGE_SIZE, 1));
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
