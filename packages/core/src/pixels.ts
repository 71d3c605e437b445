/**
 * The model input contract: float32 NHWC [N, 48, 48, 1], grey level / 255. Faces arrive as 2304 grey
 * levels (the CSV's form, or the output of image preprocessing); this file validates them and turns
 * them into input tensors' data, so every runtime is fed by the same few lines.
 */
import { InvalidPixelsError, snippet } from './errors.js';

export const IMAGE_SIZE = 48;
export const PIXEL_COUNT = IMAGE_SIZE * IMAGE_SIZE;
export const INPUT_NAME = 'image';
export const OUTPUT_NAME = 'probabilities';

/**
 * The output a task has in a file that holds several tasks (a shared trunk with one head per task,
 * run once for all of them): `<task>_probabilities`. A one-task file's output is OUTPUT_NAME.
 */
export const taskOutputName = (task: string): string => `${task}_${OUTPUT_NAME}`;

/** Shape of a batch of `n` faces, NHWC. */
export function inputShape(n: number): [number, number, number, number] {
  return [n, IMAGE_SIZE, IMAGE_SIZE, 1];
}

/** How many characters of a bad value an error shows. */
const SHOWN_CHARS = 40;

/**
 * A value as the client wrote it, JSON-style (so "5" and [7] do not read as 5 and 7), written only as
 * far as the error shows it: a client's value can be megabytes long or nested deeper than
 * JSON.stringify's stack reaches (an array nested 200,000 times overflowed it).
 */
function shown(value: unknown): string {
  let out = '';
  const room = () => out.length <= SHOWN_CHARS;
  const write = (v: unknown): boolean => {
    if (Array.isArray(v)) {
      out += '[';
      for (let i = 0; i < v.length && room(); i++) {
        if (i > 0) out += ',';
        if (!write(v[i])) return false;
      }
      out += ']';
    } else if (typeof v === 'object' && v !== null) {
      out += '{';
      let first = true;
      for (const key in v) {
        if (!room()) return false;
        out += `${first ? '' : ','}${JSON.stringify(key.slice(0, SHOWN_CHARS))}:`;
        first = false;
        if (!write((v as Record<string, unknown>)[key])) return false;
      }
      out += '}';
    } else if (typeof v === 'string') {
      out += JSON.stringify(v.slice(0, SHOWN_CHARS + 1));
    } else if (typeof v === 'number' && !Number.isFinite(v)) {
      // JSON writes these as null; a client who sent 1e400 should read what it became.
      out += String(v);
    } else {
      out += JSON.stringify(v) ?? String(v);
    }
    return room();
  };
  write(value);
  return snippet(out, SHOWN_CHARS);
}

/**
 * Checks that `pixels` holds exactly 2304 integers in 0–255 and returns them as bytes.
 * `field` names the source in the error (e.g. `inputs[3].pixels`).
 */
export function validatePixels(pixels: ArrayLike<number>, field = 'pixels'): Uint8Array {
  if (pixels.length !== PIXEL_COUNT) {
    throw new InvalidPixelsError(field, `expected ${PIXEL_COUNT} grey levels (48×48), got ${pixels.length}`);
  }
  if (pixels instanceof Uint8Array) return pixels;
  const out = new Uint8Array(PIXEL_COUNT);
  for (let i = 0; i < PIXEL_COUNT; i++) {
    const v = pixels[i]!;
    if (!Number.isInteger(v) || v < 0 || v > 255) {
      throw new InvalidPixelsError(
        field,
        `value at index ${i} is ${shown(v)}; grey levels are integers 0–255`,
      );
    }
    out[i] = v;
  }
  return out;
}

/**
 * A 48×48 grey face's level at (u, v) in its pixels (their centres at whole numbers), bilinear between
 * the four nearest, the face's edge repeated beyond it: how a face is enlarged into a larger image (the
 * detector's verification images, the test photos of faces at known squares).
 */
export function greyAt(face: ArrayLike<number>, u: number, v: number): number {
  const clamp = (t: number) => Math.min(IMAGE_SIZE - 1, Math.max(0, t));
  const [fu, fv] = [clamp(u), clamp(v)];
  const [x0, y0] = [Math.floor(fu), Math.floor(fv)];
  const [x1, y1] = [Math.min(IMAGE_SIZE - 1, x0 + 1), Math.min(IMAGE_SIZE - 1, y0 + 1)];
  const [ax, ay] = [fu - x0, fv - y0];
  const row = (y: number) => face[y * IMAGE_SIZE + x0]! * (1 - ax) + face[y * IMAGE_SIZE + x1]! * ax;
  return row(y0) * (1 - ay) + row(y1) * ay;
}

/** Writes one face's model input (grey / 255) into `target` at face index `slot`. */
export function writeModelInput(pixels: Uint8Array, target: Float32Array, slot = 0): void {
  const offset = slot * PIXEL_COUNT;
  for (let i = 0; i < PIXEL_COUNT; i++) target[offset + i] = pixels[i]! / 255;
}

/** Model input for a batch of faces, each 2304 validated grey levels. */
export function pixelsToModelInput(faces: readonly Uint8Array[]): Float32Array {
  const data = new Float32Array(faces.length * PIXEL_COUNT);
  faces.forEach((face, slot) => writeModelInput(face, data, slot));
  return data;
}
