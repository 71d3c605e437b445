/**
 * Photos for the face-detection tests: the web demo's sample faces (48×48 grey PNGs, shipped with the
 * repository, so no data file is needed) pasted at known squares into photo backgrounds by
 * tests/support/face-scene.ts, encoded as PNG by the web demo's own writer; and a models folder of
 * fixture classifiers beside the shipped face detector.
 */
import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { FaceCrop, RgbaImage } from '@facekit/core';
import { faceScene } from '../../../tests/support/face-scene.js';
import { encodePng } from '../../web-demo/png.js';
import { writeFixtureModels } from './fixture-models.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SAMPLES = path.join(root, 'packages/web-demo/public/samples');
export const SHIPPED_DETECTOR = path.join(root, 'models/face-detector.onnx');
export const SHIPPED_DETECTOR_JSON = path.join(root, 'models/face-detector.json');

/** A demo sample face's 2304 grey levels, e.g. `white-male-29`. */
export async function sampleFace(name: string): Promise<Uint8Array> {
  const { data, info } = await sharp(await readFile(path.join(SAMPLES, `${name}.png`)))
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== 48 || info.height !== 48 || info.channels !== 1)
    throw new Error(`${name}.png is ${info.width}×${info.height}×${info.channels}, expected 48×48 grey`);
  return new Uint8Array(data);
}

/** A `width` × `height` photo holding each face at its square (background from `seed`). */
export function scene(
  faces: readonly { face: Uint8Array; square: FaceCrop }[],
  width: number,
  height: number,
  seed: number,
): RgbaImage & { data: Uint8Array } {
  const photo = faceScene(faces[0]!.face, width, height, faces[0]!.square, seed);
  const data = new Uint8Array(photo.data);
  for (const { face, square } of faces.slice(1)) {
    // Another face: its square copied in from a scene of the same size holding it.
    const other = faceScene(face, width, height, square, seed);
    for (let y = square.y; y < square.y + square.size; y++) {
      const from = (y * width + square.x) * 4;
      data.set(other.data.subarray(from, from + square.size * 4), from);
    }
  }
  return { width, height, data };
}

/** A photo as base64 PNG. */
export const pngBase64 = (photo: RgbaImage): string =>
  encodePng(photo.data, photo.width, photo.height, 4).toString('base64');

/** Intersection over union of two squares. */
export function overlap(a: FaceCrop, b: FaceCrop): number {
  const w = Math.min(a.x + a.size, b.x + b.size) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.size, b.y + b.size) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / (a.size ** 2 + b.size ** 2 - w * h);
}

/** A fixture models folder holding the shipped face detector too (with its provenance unless `json` is false). */
export async function modelsWithDetector({ json = true } = {}): Promise<string> {
  const { dir } = await writeFixtureModels();
  await copyFile(SHIPPED_DETECTOR, path.join(dir, 'face-detector.onnx'));
  if (json) await copyFile(SHIPPED_DETECTOR_JSON, path.join(dir, 'face-detector.json'));
  return dir;
}
