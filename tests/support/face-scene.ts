/**
 * Photos with faces at known squares, for judging face detection without a labelled photo set: a
 * 48×48 grey face (a dataset row, or a demo sample) enlarged by bilinear interpolation into the square
 * of a larger RGB photo whose background is a smooth colour field with grain. The square is exactly the
 * framing the classifiers were trained on, so a detector's square can be scored against it, and the
 * face's labels are the row's.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { greyAt, IMAGE_SIZE, type FaceCrop, type RgbaImage } from '@facekit/core';
import { seededRandom } from '@facekit/train';
import { WEB_DEMO } from './paths.js';

/** A 48×48 grey face and the square of the photo it is put in, turned by `turn` radians (clockwise). */
export interface PlacedFace {
  readonly face: Uint8Array;
  readonly square: FaceCrop;
  readonly turn?: number;
}

/** Where photo point (x, y) falls in a placed face, in face pixels, or undefined outside it. */
function inFace({ square, turn = 0 }: PlacedFace, x: number, y: number): [number, number] | undefined {
  const half = square.size / 2;
  // The point, relative to the square's centre, turned back by the face's turn.
  const [dx, dy] = [x - square.x - half, y - square.y - half];
  const [cos, sin] = [Math.cos(turn), Math.sin(turn)];
  const [u, v] = [cos * dx + sin * dy + half, -sin * dx + cos * dy + half];
  if (u < 0 || u >= square.size || v < 0 || v >= square.size) return undefined;
  const scale = IMAGE_SIZE / square.size;
  return [u * scale - 0.5, v * scale - 0.5];
}

/**
 * The grey level of photo pixel (x, y) inside a placed face, or undefined outside it. A face pasted at
 * 48 px or more is read at the pixel's centre (bilinear); a smaller one is the mean of n × n points
 * over the pixel (n = ⌈48 / side⌉), as a camera averages the light of a distant face: read at the centre
 * alone, a 12 px face would keep one face pixel in four, aliased, and do worse than a real one.
 */
function faceGreyAt(placed: PlacedFace, x: number, y: number): number | undefined {
  const n = Math.ceil(IMAGE_SIZE / placed.square.size);
  if (n === 1) {
    const at = inFace(placed, x + 0.5, y + 0.5);
    return at && greyAt(placed.face, at[0], at[1]);
  }
  let sum = 0;
  let points = 0;
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      const at = inFace(placed, x + (i + 0.5) / n, y + (j + 0.5) / n);
      if (at) {
        sum += greyAt(placed.face, at[0], at[1]);
        points++;
      }
    }
  return points > 0 && inFace(placed, x + 0.5, y + 0.5) ? sum / points : undefined;
}

/**
 * A `width` × `height` photo holding each face in its square; the background differs with `seed`.
 * Waves of four random directions and colours, so it has structure at the scale of a face without
 * being one.
 */
export function faceScene(
  faces: readonly PlacedFace[],
  width: number,
  height: number,
  seed: number,
): RgbaImage & { readonly data: Uint8Array } {
  const random = seededRandom(seed);
  const waves = Array.from({ length: 4 }, () => ({
    fx: (random() - 0.5) * 0.05,
    fy: (random() - 0.5) * 0.05,
    phase: random() * 6.28,
    rgb: [random() * 60, random() * 60, random() * 60],
  }));
  const base = [40 + random() * 140, 40 + random() * 140, 40 + random() * 140];
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      let grey: number | undefined;
      if (faces.some((f) => (grey = faceGreyAt(f, x, y)) !== undefined)) {
        data.fill(Math.round(grey!), p, p + 3);
      } else {
        for (let c = 0; c < 3; c++) {
          let v = base[c]! + (random() - 0.5) * 16;
          for (const w of waves) v += w.rgb[c]! * Math.sin(w.fx * x + w.fy * y + w.phase);
          data[p + c] = Math.min(255, Math.max(0, Math.round(v)));
        }
      }
      data[p + 3] = 255;
    }
  }
  return { width, height, data };
}

/** The 48×48 grey levels of one of the web demo's sample faces (dataset rows, shipped as PNGs). */
export async function sampleFace(file: string): Promise<Uint8Array> {
  const path = join(WEB_DEMO, 'public', 'samples', file);
  const { data, info } = await sharp(path).greyscale().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== IMAGE_SIZE || info.height !== IMAGE_SIZE || info.channels !== 1)
    throw new Error(`${path} is ${info.width}×${info.height}×${info.channels}, not a 48×48 grey face`);
  return new Uint8Array(data);
}

/** Intersection over union of two squares. */
export function squareOverlap(a: FaceCrop, b: FaceCrop): number {
  const w = Math.min(a.x + a.size, b.x + b.size) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.size, b.y + b.size) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / (a.size ** 2 + b.size ** 2 - w * h);
}

/**
 * A random photo size and square for scene `seed`: the face's side from `sides.from` to `sides.from +
 * sides.span` of the photo's shorter side (by default 15–60 %), or, given `pixels`, from `pixels.from`
 * to `pixels.to` photo pixels. A side of exactly 100 % is a tight crop, a square photo the face fills
 * (as UTKFace's own 200×200 files).
 */
export function sceneLayout(
  seed: number,
  sides = { from: 0.15, span: 0.45 },
  pixels?: { from: number; to: number },
): { width: number; height: number; square: FaceCrop } {
  const random = seededRandom(seed * 7919 + 1);
  const width = 240 + Math.floor(random() * 400);
  const height = sides.from === 1 && sides.span === 0 ? width : 240 + Math.floor(random() * 400);
  const draw = random();
  const size = pixels
    ? Math.round(pixels.from + (pixels.to - pixels.from) * draw)
    : Math.round(Math.min(width, height) * (sides.from + sides.span * draw));
  const x = Math.floor(random() * (width - size + 1));
  const y = Math.floor(random() * (height - size + 1));
  return { width, height, square: { x, y, size } };
}

/** The demo's sample faces a camera scene takes, in this order (labels as the file names say). */
export const CAMERA_SCENE_FACES = [
  'white-male-29.png',
  'black-female-47.png',
  'asian-female-4.png',
  'indian-male-72.png',
  'white-female-55.png',
  'black-male-16.png',
  'indian-female-24.png',
  'others-female-35.png',
];

/**
 * What the live-labels benchmarks film: `n` of the sample faces side by side across a `width` ×
 * `height` scene, as large as their share of its width allows (at most 220 pixels). One scene for
 * `pnpm bench:webcam` and `pnpm bench:demo-memory --webcam`, so their figures are of the same frames.
 */
export async function cameraScene(n: number, width: number, height: number): Promise<RgbaImage> {
  if (n < 1 || n > CAMERA_SCENE_FACES.length)
    throw new Error(`cameraScene: 1 to ${CAMERA_SCENE_FACES.length} faces, got ${n}`);
  const slot = Math.floor(width / n);
  const size = Math.min(220, slot - 20);
  const faces = await Promise.all(
    CAMERA_SCENE_FACES.slice(0, n).map(async (file, i) => ({
      face: await sampleFace(file),
      square: { x: i * slot + Math.floor((slot - size) / 2), y: Math.floor((height - size) / 2), size },
    })),
  );
  return faceScene(faces, width, height, 3);
}
