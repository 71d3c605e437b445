/**
 * Photos with a face at a known square, for judging face detection without a labelled photo set: a
 * 48×48 grey face (a dataset row, or a demo sample) enlarged by bilinear interpolation into the square
 * of a larger RGB photo whose background is a smooth colour field with grain. The square is exactly the
 * framing the classifiers were trained on, so a detector's square can be scored against it, and the
 * face's labels are the row's.
 */
import { IMAGE_SIZE, type FaceCrop, type RgbaImage } from '@facekit/core';
import { seededRandom } from '@facekit/train';

/** Bilinear sample of a 48×48 grey face at (u, v) in face pixels (centres at integers). */
function sample(face: Uint8Array, u: number, v: number): number {
  const clamp = (t: number) => Math.min(IMAGE_SIZE - 1, Math.max(0, t));
  const [fu, fv] = [clamp(u), clamp(v)];
  const [x0, y0] = [Math.floor(fu), Math.floor(fv)];
  const [x1, y1] = [Math.min(IMAGE_SIZE - 1, x0 + 1), Math.min(IMAGE_SIZE - 1, y0 + 1)];
  const [ax, ay] = [fu - x0, fv - y0];
  const row = (y: number) => face[y * IMAGE_SIZE + x0]! * (1 - ax) + face[y * IMAGE_SIZE + x1]! * ax;
  return row(y0) * (1 - ay) + row(y1) * ay;
}

/**
 * A `width` × `height` photo holding `face` in `square`; the background differs with `seed`. Waves of
 * four random directions and colours, so it has structure at the scale of a face without being one.
 */
export function faceScene(
  face: Uint8Array,
  width: number,
  height: number,
  square: FaceCrop,
  seed: number,
): RgbaImage {
  const random = seededRandom(seed);
  const waves = Array.from({ length: 4 }, () => ({
    fx: (random() - 0.5) * 0.05,
    fy: (random() - 0.5) * 0.05,
    phase: random() * 6.28,
    rgb: [random() * 60, random() * 60, random() * 60],
  }));
  const base = [40 + random() * 140, 40 + random() * 140, 40 + random() * 140];
  const data = new Uint8Array(width * height * 4);
  const scale = IMAGE_SIZE / square.size;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      const inside =
        x >= square.x && x < square.x + square.size && y >= square.y && y < square.y + square.size;
      if (inside) {
        const grey = sample(face, (x - square.x + 0.5) * scale - 0.5, (y - square.y + 0.5) * scale - 0.5);
        data.fill(Math.round(grey), p, p + 3);
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

/** A random photo size and square for scene `seed`: the face's side 15–60 % of the photo's shorter side. */
export function sceneLayout(seed: number): { width: number; height: number; square: FaceCrop } {
  const random = seededRandom(seed * 7919 + 1);
  const width = 240 + Math.floor(random() * 400);
  const height = 240 + Math.floor(random() * 400);
  const size = Math.round(Math.min(width, height) * (0.15 + 0.45 * random()));
  const x = Math.floor(random() * (width - size + 1));
  const y = Math.floor(random() * (height - size + 1));
  return { width, height, square: { x, y, size } };
}
