/**
 * The Python example (examples/python/classify.py) promises the server's grey levels, not close ones:
 * its `photo_to_pixels` repeats @facekit/core's imageToPixels operation for operation. This runs it
 * with python3 (Pillow and numpy only: Debian's python3-pil and python3-numpy, no onnxruntime) on
 * PNGs written here, and requires exactly imageToPixels's 2304 grey levels for the same pixels.
 * Tolerance 0: against the server, the example matched all 230 photos without a colour profile, and
 * a reduction that is off anywhere (weights, rounding, square, transparency) is off by whole levels.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageToPixels, type FaceCrop, type RgbaImage } from '@facekit/core';
import { seededRandom } from '@facekit/train';
import { encodePng } from '../../packages/web-demo/png.js';
import { missing, photo, python, PYTHON_EXAMPLE, runDriver } from '../support/python.js';
import { tempFolder } from '../support/temp-folder.js';

/** Reads the photos named on stdin with the example's own functions; prints their grey levels. */
const DRIVER = `
import json, sys
sys.path.insert(0, sys.argv[1])
from classify import load_rgba, photo_to_pixels
out = [photo_to_pixels(load_rgba(c["file"]), c["square"] and tuple(c["square"])) for c in json.load(sys.stdin)]
print(json.dumps([p.ravel().tolist() for p in out]))
`;

const channels = (image: RgbaImage, keep: number[]) =>
  Array.from(
    { length: image.width * image.height * keep.length },
    (_, i) => image.data[Math.floor(i / keep.length) * 4 + keep[i % keep.length]!]!,
  );

interface Case {
  name: string;
  /** The PNG the example reads. */
  file: Buffer;
  /** The same picture as imageToPixels sees it after sharp decodes it (upright, 8-bit RGBA). */
  image: RgbaImage;
  crop?: FaceCrop;
}

function cases(): Case[] {
  const list: Case[] = [];
  const rgb = (name: string, image: RgbaImage, crop?: FaceCrop) =>
    list.push({
      name,
      file: encodePng(Uint8Array.from(channels(image, [0, 1, 2])), image.width, image.height, 3),
      image,
      crop,
    });
  rgb('a 48×48 photo (no reduction)', photo(48, 48, 1));
  rgb('a 49×49 photo (scale just over 1)', photo(49, 49, 2));
  rgb('a 132×97 photo, its centre square (margins 17.5 → 17; 97 → 48: fractional taps)', photo(132, 97, 3));
  rgb('a 97×140 photo, its centre square (margins 21.5 → 21)', photo(97, 140, 9));
  rgb('a 517×300 photo, a square inside it', photo(517, 300, 4), { x: 101, y: 17, size: 263 });
  rgb('a 100×150 photo, a square at its bottom edge', photo(100, 150, 5), { x: 0, y: 50, size: 100 });
  // Grey levels 0 and 1 at 2:1: four pixels 1, 1, 0, 0 average to 0.49999999999999994 (luma of 1 is
  // 0.9999999999999999), which Math.round takes to 0 and floor(x + 0.5) to 1.
  const next = seededRandom(6);
  const levels = Array.from({ length: 96 * 96 }, () => (next() < 0.5 ? 1 : 0));
  const greyRgba = (grey: number[], size: number): RgbaImage => ({
    width: size,
    height: size,
    data: Uint8Array.from(grey.flatMap((v) => [v, v, v, 255])),
  });
  list.push({
    name: 'a grey PNG of levels 0 and 1 at 2:1 (rounding ties)',
    file: encodePng(Uint8Array.from(levels), 96, 96, 1),
    image: greyRgba(levels, 96),
  });
  // 16-bit grey: sharp keeps each value's high byte.
  const deep = Array.from({ length: 100 * 100 }, (_, i) => (i * 6553 + 977) % 65536);
  list.push({
    name: 'a 16-bit grey PNG',
    file: encodePng(Uint16Array.from(deep), 100, 100, 1),
    image: greyRgba(
      deep.map((v) => v >> 8),
      100,
    ),
  });
  // 16-bit grey with a transparency key (tRNS): its top rows are the key, shown white; a level with the
  // key's high byte but not its low one is not transparent. Pillow's 8-bit view cannot tell them apart.
  const key = 1234;
  const keyed = deep.map((v, i) => (i < 100 * 30 ? key : i < 100 * 40 ? key + 1 : v));
  list.push({
    name: 'a 16-bit grey PNG with a transparency key',
    file: encodePng(Uint16Array.from(keyed), 100, 100, 1, { transparent: [key] }),
    image: {
      width: 100,
      height: 100,
      data: Uint8Array.from(keyed.flatMap((v) => [v >> 8, v >> 8, v >> 8, v === key ? 0 : 255])),
    },
  });
  // Transparency over white: a margin at alpha 0 (its red never read), the face's left half at 150.
  const cutOut = photo(150, 110, 7, (x, y) =>
    x < 30 || x >= 130 || y < 4 || y >= 104 ? 0 : x < 80 ? 150 : 255,
  );
  for (let p = 0; p < cutOut.data.length; p += 4)
    if (cutOut.data[p + 3] === 0) cutOut.data.set([220, 30, 30], p);
  list.push({
    name: 'an RGBA cut-out, transparent and half-transparent',
    file: encodePng(cutOut.data, 150, 110, 4),
    image: cutOut,
  });
  list.push({
    name: 'the cut-out with a square',
    file: encodePng(cutOut.data, 150, 110, 4),
    image: cutOut,
    crop: { x: 30, y: 4, size: 100 },
  });
  // EXIF orientation 6: stored turned 90° anticlockwise, shown (and read by sharp) turned back clockwise.
  const upright = photo(90, 60, 8);
  const stored = new Uint8Array(upright.data.length);
  for (let y = 0; y < 90; y++)
    for (let x = 0; x < 60; x++)
      stored.set(upright.data.subarray((x * 90 + 89 - y) * 4, (x * 90 + 89 - y) * 4 + 4), (y * 60 + x) * 4);
  list.push({
    name: 'a PNG with EXIF orientation 6, a square of the upright photo',
    file: encodePng(stored, 60, 90, 4, { orientation: 6 }),
    image: upright,
    crop: { x: 20, y: 5, size: 50 },
  });
  // Turned squares (core's turnedSquarePixels): n × n bilinear samples per output pixel, n = 1 under
  // 48 px, 3 at 100 px, 8 (the most) over 8 × 48; corners reaching past the photo's edges (repeated).
  const wide = photo(240, 180, 10);
  const turned: [number, FaceCrop][] = [
    [5.5, { x: 60, y: 30, size: 100 }],
    [-5.5, { x: 60, y: 30, size: 100 }],
    [30, { x: 0, y: 0, size: 180 }], // the whole height, against the left edge: corners far outside
    [-30, { x: 140, y: 80, size: 100 }], // the bottom-right corner
    [90, { x: 100, y: 20, size: 47 }], // n = 1
    [-90, { x: 10, y: 120, size: 60 }], // n = 2, against the bottom edge
    [-180, { x: 33, y: 41, size: 49 }],
    [180, { x: 33, y: 41, size: 49 }],
    [17.253617468917365, { x: 61, y: 0, size: 131 }], // an eye line's angle, against the top edge
    [0.01, { x: 20, y: 20, size: 48 }], // n = 1, one sample a pixel, nearly on the pixel centres
    [-144.8, { x: 200, y: 150, size: 30 }], // small, in the corner
  ];
  for (const [angle, crop] of turned)
    rgb(`a 240×180 photo, a ${crop.size} px square at (${crop.x}, ${crop.y}) turned ${angle}°`, wide, {
      ...crop,
      angle,
    });
  const big = photo(520, 430, 11);
  rgb('a 520×430 photo, a 400 px square turned 30° (n = 8: over 8 × 48 px)', big, {
    x: 60,
    y: 15,
    size: 400,
    angle: 30,
  });
  rgb('a 520×430 photo, its whole height turned −5.5° (n = 8, corners outside)', big, {
    x: 90,
    y: 0,
    size: 430,
    angle: -5.5,
  });
  list.push({
    name: 'the cut-out with a square turned 30° (transparent and half-transparent samples, over white)',
    file: encodePng(cutOut.data, 150, 110, 4),
    image: cutOut,
    crop: { x: 25, y: 0, size: 110, angle: 30 },
  });
  list.push({
    name: 'the cut-out, a square turned −90° across its transparent margin',
    file: encodePng(cutOut.data, 150, 110, 4),
    image: cutOut,
    crop: { x: 100, y: 40, size: 50, angle: -90 },
  });
  return list;
}

describe('examples/python: photo_to_pixels gives imageToPixels’s grey levels', () => {
  const all = cases();
  let dir = '';
  let greys: number[][] = [];

  beforeAll(async () => {
    if (!python) return;
    dir = await tempFolder('facekit-python-');
    const inputs = await Promise.all(
      all.map(async ({ file, crop }, i) => {
        const path = join(dir, `photo-${i}.png`);
        await writeFile(path, file);
        const square = crop && [crop.x, crop.y, crop.size, ...(crop.angle ? [crop.angle] : [])];
        return { file: path, square: square ?? null };
      }),
    );
    greys = await runDriver<number[][]>(DRIVER, inputs);
  });

  it.for(all.map((c, i) => [c.name, i] as const))('%s', ([, i], ctx) => {
    if (missing) ctx.skip(missing);
    const { image, crop } = all[i]!;
    const expected = Array.from(imageToPixels(image, 'image', crop));
    const got = greys[i]!;
    expect(got).toHaveLength(2304);
    const diffs = got.map((v, j) => Math.abs(v - expected[j]!));
    const worst = diffs.indexOf(Math.max(...diffs));
    expect(
      diffs.filter((d) => d > 0).length,
      `pixels differing; the largest at row ${Math.floor(worst / 48)}, column ${worst % 48}: python ${got[worst]}, core ${expected[worst]}`,
    ).toBe(0);
  });
});

describe('examples/python: classify.py on a file it cannot read', () => {
  it('says what and where in one line, exit status 1, before needing onnxruntime', async (ctx) => {
    if (missing) ctx.skip(missing);
    const dir = await tempFolder('facekit-python-');
    const run = (args: string[]) =>
      promisify(execFile)(python!, [join(PYTHON_EXAMPLE, 'classify.py'), ...args]).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
    const notes = join(dir, 'notes.png');
    await writeFile(notes, 'not a photo');
    const empty = join(dir, 'empty.jpg');
    await writeFile(empty, '');
    const small = join(dir, 'small.png');
    await writeFile(small, encodePng(Uint8Array.from(photo(64, 48, 1).data), 64, 48, 4));
    const deepRgb = join(dir, 'deep-rgb.png');
    await writeFile(deepRgb, encodePng(new Uint16Array(8 * 8 * 3), 8, 8, 3, { transparent: [0, 0, 0] }));
    expect(
      await Promise.all([
        run([notes]),
        run([empty]),
        run([small, '0', '0', '100']),
        run([deepRgb, '--no-detect']),
      ]),
    ).toEqual([
      { code: 1, stderr: `${notes}: cannot identify image file '${notes}'\n` },
      { code: 1, stderr: `${empty}: cannot identify image file '${empty}'\n` },
      { code: 1, stderr: `${small}: square (0, 0, 100) is not inside the 64x48 photo\n` },
      {
        code: 1,
        stderr: `${deepRgb}: is a 16-bit RGB PNG with a transparency key, which Pillow cannot read exactly; save it at 8 bits or with an alpha channel\n`,
      },
    ]);
  });
});
