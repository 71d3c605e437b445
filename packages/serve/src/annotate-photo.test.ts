/**
 * `pnpm classify --annotate`'s drawing: the square is drawn where the answer puts it (turned when it was
 * read turned), the rest of the photo is left as it was, the labels' bands go where core's placeBands
 * puts them (its rules are tested beside it) with the number alone in a crowd, the photo keeps its
 * format, and a photo with an EXIF orientation is drawn on as the classifier saw it (turned upright).
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { FACE_COLOURS } from '@facekit/core';
import { annotatePhoto, annotationSvg, squareCorners } from './annotate-photo.js';
import type { FaceSquare } from './face-answer.js';
import type { PhotoAnswer } from './photo-classifier.js';

const GREY = 128;
const [WIDTH, HEIGHT] = [200, 160];

function answer(crop: FaceSquare, width = WIDTH, height = HEIGHT, more: FaceSquare[] = []): PhotoAnswer {
  const task = (label: string) => ({ label }) as never;
  const classification = {
    provider: 'cpu',
    source: 'image',
    age: task('21-40'),
    gender: task('female'),
    inputPixels: new Uint8Array(2304),
  };
  return { width, height, faces: [crop, ...more].map((c) => ({ crop: c, classification })) };
}

const greyPhoto = (format: 'png' | 'jpeg') =>
  sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: { r: GREY, g: GREY, b: GREY } } })
    .toFormat(format)
    .toBuffer();

async function pixels(bytes: Buffer) {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    info,
    at: (x: number, y: number) =>
      Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)),
  };
}

const [r, g, b] = [1, 3, 5].map((i) => parseInt(FACE_COLOURS[0].slice(i, i + 2), 16));

describe('annotatePhoto', () => {
  it('draws the square where the answer puts it and leaves the rest of the photo alone', async () => {
    const crop = { x: 50, y: 60, size: 80, angle: null };
    const drawn = await pixels(await annotatePhoto(await greyPhoto('png'), answer(crop)));
    expect(drawn.info.format).toBe('raw');
    // On the square's four sides, halfway along: the first face's colour.
    for (const [x, y] of [
      [50, 100],
      [130, 110],
      [90, 140],
    ] as const)
      expect(drawn.at(x, y), `${x},${y}`).toEqual([r, g, b]);
    // Inside the square, and away from it and its label: the photo as it was.
    for (const [x, y] of [
      [90, 100],
      [190, 150],
      [10, 150],
    ] as const)
      expect(drawn.at(x, y), `${x},${y}`).toEqual([GREY, GREY, GREY]);
  });

  it('turns the square as it was read', async () => {
    const crop = { x: 50, y: 60, size: 80, angle: 30 };
    const corners = squareCorners(crop);
    // The first corner (top left, turned 30° clockwise about the centre (90, 100)).
    const [cx, cy] = [
      90 + -40 * Math.cos(Math.PI / 6) + 40 * Math.sin(Math.PI / 6),
      100 - 40 * Math.sin(Math.PI / 6) - 40 * Math.cos(Math.PI / 6),
    ];
    expect(corners[0]![0]).toBeCloseTo(cx, 9);
    expect(corners[0]![1]).toBeCloseTo(cy, 9);
    const drawn = await pixels(await annotatePhoto(await greyPhoto('png'), answer(crop)));
    // Halfway along the turned right side, and the upright square's corner, now outside it.
    const [mx, my] = [(corners[1]![0] + corners[2]![0]) / 2, (corners[1]![1] + corners[2]![1]) / 2];
    // A turned line is smoothed at its edges: the pixel under it is mostly the colour (yellow: red up, blue down).
    const [red, , blue] = drawn.at(Math.round(mx), Math.round(my));
    expect(red! - GREY, 'red').toBeGreaterThan(40);
    expect(GREY - blue!, 'blue').toBeGreaterThan(40);
    expect(drawn.at(129, 139)).toEqual([GREY, GREY, GREY]);
  });

  it('puts labels above the square, else below or inside it off the other faces, and in a crowd only the number', () => {
    const texts = (a: PhotoAnswer): [number, string][] =>
      [...annotationSvg(a).matchAll(/<text[^>]*y="([\d.]+)"[^>]*>([^<]*)</g)].map((m) => [
        Number(m[1]),
        m[2]!,
      ]);
    /** The bands' boxes, face after face. */
    const bands = (a: PhotoAnswer) =>
      [
        ...annotationSvg(a).matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g),
      ].map((m) => ({ left: Number(m[1]), top: Number(m[2]), width: Number(m[3]), height: Number(m[4]) }));
    // Room above: the labels there.
    expect(texts(answer({ x: 50, y: 60, size: 80, angle: null }))).toEqual([
      [expect.any(Number), '1  21-40 · female'],
    ]);
    expect(texts(answer({ x: 50, y: 60, size: 80, angle: null }))[0]![0]).toBeLessThan(60);
    // At the top edge, three faces side by side: the first labelled below, the others' labels would lie
    // on its band or a neighbour: only numbered, inside their squares' top edges.
    const row = [0, 1, 2].map((k) => ({ x: 10 + 60 * k, y: 2, size: 50, angle: null }));
    const crowd = answer(row[0]!, WIDTH, HEIGHT, row.slice(1));
    expect(texts(crowd).map(([, t]) => t)).toEqual(['1  21-40 · female', '2', '3']);
    expect(bands(crowd).map(({ left, top }) => [left, top])).toEqual([
      [10, 52],
      [70, 2],
      [130, 2],
    ]);
  });

  it("keeps the photo's format, and draws on a photo turned by its EXIF orientation as it is seen", async () => {
    const crop = { x: 10, y: 10, size: 60, angle: null };
    const jpeg = await annotatePhoto(await greyPhoto('jpeg'), answer(crop));
    expect((await sharp(jpeg).metadata()).format).toBe('jpeg');
    // Stored 200×160, shown turned a quarter (orientation 6): 160×200, as the classifier answers it.
    const turned = await sharp(await greyPhoto('jpeg'))
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const out = await sharp(await annotatePhoto(turned, answer(crop, HEIGHT, WIDTH))).metadata();
    expect([out.width, out.height, out.orientation ?? 1]).toEqual([HEIGHT, WIDTH, 1]);
  });
});
