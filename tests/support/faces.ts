/**
 * The inputs every runtime in the parity suite is fed: a fixed set of faces — the first rows of the
 * dataset CSV when it is present, else faces drawn by a seeded generator (an oval with shading, eyes,
 * mouth and hair on a graded background, so activations look like a face's rather than noise) — then
 * the edge inputs: all black, all white and seeded noise. Model input layout (grey / 255, NHWC).
 */
import { PIXEL_COUNT, IMAGE_SIZE, pixelsToModelInput } from '@facekit/core';
import { faceInputs } from '@facekit/export';
import { seededRandom } from '@facekit/train';
import { dataFile } from './paths.js';

export interface ParityInputs {
  /** [count, 48, 48, 1] row-major. */
  readonly data: Float32Array;
  readonly count: number;
  /** What each sample is: "face 3", "black", "white", "noise 1". */
  readonly names: readonly string[];
  readonly source: string;
}

/** A 48×48 face-like grey image, different for every seed. */
export function generatedFace(seed: number): Uint8Array {
  const r = seededRandom(seed);
  const [cx, cy, rx, ry] = [24 + (r() - 0.5) * 6, 26 + (r() - 0.5) * 4, 13 + r() * 4, 17 + r() * 4];
  const [skin, back, hair] = [90 + r() * 110, 40 + r() * 160, 10 + r() * 60];
  const eye = { dx: 5 + r() * 2, y: cy - 3 - r() * 2 };
  const out = new Uint8Array(PIXEL_COUNT);
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const [u, v] = [(x - cx) / rx, (y - cy) / ry];
      let g = back + (y - 24) * 0.8;
      if (u * u + v * v <= 1) {
        g = skin * (1.1 - (0.25 * (u + v + 1)) / 2);
        if (v < -0.7) g = hair;
        if (Math.hypot(Math.abs(x - cx) - eye.dx, y - eye.y) < 1.8) g = 25;
        if (Math.abs(y - (cy + 9 - 0.04 * (x - cx) ** 2)) < 0.9 && Math.abs(x - cx) < 5) g = skin * 0.45;
      }
      out[y * IMAGE_SIZE + x] = Math.max(0, Math.min(255, Math.round(g + (r() - 0.5) * 12)));
    }
  }
  return out;
}

function edgeInputs(noiseCount: number): { faces: Uint8Array[]; names: string[] } {
  const r = seededRandom(7);
  const noise = Array.from({ length: noiseCount }, () =>
    Uint8Array.from({ length: PIXEL_COUNT }, () => Math.floor(r() * 256)),
  );
  return {
    faces: [new Uint8Array(PIXEL_COUNT), new Uint8Array(PIXEL_COUNT).fill(255), ...noise],
    names: ['black', 'white', ...noise.map((_, i) => `noise ${i + 1}`)],
  };
}

/** `faceCount` faces, then black, white and `noiseCount` noise images. */
export async function parityInputs(faceCount: number, noiseCount = 1): Promise<ParityInputs> {
  const csv = dataFile();
  const edges = edgeInputs(noiseCount);
  const edgeData = pixelsToModelInput(edges.faces);
  let faces: Float32Array;
  let source: string;
  if (csv) {
    faces = (await faceInputs(csv, faceCount)).inputs;
    source = `the first ${faces.length / PIXEL_COUNT} faces of ${csv}`;
  } else {
    faces = pixelsToModelInput(Array.from({ length: faceCount }, (_, i) => generatedFace(1000 + i)));
    source = `${faceCount} generated faces (no dataset file found)`;
  }
  const n = faces.length / PIXEL_COUNT;
  const data = new Float32Array(faces.length + edgeData.length);
  data.set(faces);
  data.set(edgeData, faces.length);
  const names = [...Array.from({ length: n }, (_, i) => `face ${i}`), ...edges.names];
  return { data, count: names.length, names, source: `${source}, plus ${edges.names.join(', ')}` };
}

/**
 * A colour "photo" for upload tests: a generated face scaled up (nearest) to `height` rows, tinted,
 * and padded left and right to `width` columns, so the centre crop, the area resize and the luma
 * weights all do real work. RGB, row-major.
 */
export function colourPhoto(seed: number, width: number, height: number): Uint8Array {
  const face = generatedFace(seed);
  const pad = Math.floor((width - height) / 2);
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const fx = Math.floor(((x - pad) * IMAGE_SIZE) / height);
      const g =
        fx >= 0 && fx < IMAGE_SIZE
          ? face[Math.floor((y * IMAGE_SIZE) / height) * IMAGE_SIZE + fx]!
          : 90 + (x % 7) * 20;
      out.set([Math.min(255, g * 1.15), g * 0.95, g * 0.8], (y * width + x) * 3);
    }
  }
  return out;
}
