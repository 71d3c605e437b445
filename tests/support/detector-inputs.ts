/**
 * The inputs every runtime in the parity suite feeds the face detector: photos letterboxed into
 * 256×256 by core's `detectorInput`, exactly as the server and the web demo do it — faces of the
 * dataset (its first rows, when the file is present) or the web demo's sample faces, pasted at seeded
 * squares into photos of seeded sizes with `faceScene`; the first photo holds two faces. Then the edge
 * inputs, letterboxed the same way: an all-black photo, an all-white one and seeded RGB noise. Each
 * input keeps its frame, so `readDetections` can turn every runtime's outputs into the squares a user
 * would see.
 */
import {
  DETECTOR_INPUT_VALUES,
  detectorInput,
  PIXEL_COUNT,
  type DetectorFrame,
  type RgbaImage,
} from '@facekit/core';
import { loadCsv, seededRandom } from '@facekit/train';
import { faceScene, sampleFace, sceneLayout } from './face-scene.js';
import { dataFile } from './paths.js';

export interface DetectorInputs {
  /** [count, 256, 256, 3], RGB 0–255, each input letterboxed by `detectorInput`. */
  readonly data: Float32Array;
  readonly frames: readonly DetectorFrame[];
  readonly count: number;
  /** What each input is: "photo 3 (412×287, 1 face)", "black", "noise 1". */
  readonly names: readonly string[];
  readonly source: string;
}

const SAMPLES = [
  'white-male-29.png',
  'black-female-47.png',
  'asian-female-4.png',
  'indian-male-72.png',
  'others-female-35.png',
  'white-female-55.png',
  'indian-female-24.png',
  'black-male-16.png',
];

function solid(width: number, height: number, value: number): RgbaImage {
  const data = new Uint8Array(width * height * 4).fill(value);
  for (let p = 3; p < data.length; p += 4) data[p] = 255;
  return { width, height, data };
}

function noise(width: number, height: number, seed: number): RgbaImage {
  const random = seededRandom(seed);
  const data = Uint8Array.from({ length: width * height * 4 }, (_, i) =>
    i % 4 === 3 ? 255 : Math.floor(random() * 256),
  );
  return { width, height, data };
}

/** 48×48 grey faces: the dataset's first `count` valid rows, else the demo's samples in turn. */
async function faces(count: number): Promise<{ faces: Uint8Array[]; source: string }> {
  const csv = dataFile();
  if (csv) {
    const { dataset } = await loadCsv(csv, { limit: count, skipInvalid: true });
    return {
      faces: Array.from({ length: dataset.size }, (_, n) =>
        dataset.pixels.slice(n * PIXEL_COUNT, (n + 1) * PIXEL_COUNT),
      ),
      source: `faces of the first ${dataset.size} rows of ${csv}`,
    };
  }
  const samples = await Promise.all(SAMPLES.map(sampleFace));
  return {
    faces: Array.from({ length: count }, (_, i) => samples[i % samples.length]!),
    source: `the web demo's ${Math.min(count, samples.length)} sample faces (no dataset file found)`,
  };
}

/** `photos` photos (the first with two faces, the rest with one), then black, white and noise. */
export async function detectorInputs(photos: number): Promise<DetectorInputs> {
  const { faces: found, source } = await faces(photos + (photos > 0 ? 1 : 0));
  const images: { image: RgbaImage; name: string }[] = [];
  for (let i = 0; i < photos && i < found.length; i++) {
    const { width, height, square } = sceneLayout(100 + i);
    const placed = [{ face: found[i]!, square }];
    // One photo with two faces side by side, so a difference in how many faces are found can show.
    if (i === 0) {
      placed.splice(0, 1, { face: found[0]!, square: { x: 230, y: 40, size: 140 } });
      placed.push({ face: found[photos]!, square: { x: 40, y: 150, size: 90 } });
    }
    const [w, h] = i === 0 ? [420, 300] : [width, height];
    images.push({
      image: faceScene(placed, w, h, 100 + i),
      name: `photo ${i} (${w}×${h}, ${placed.length} face${placed.length > 1 ? 's' : ''})`,
    });
  }
  images.push(
    { image: solid(320, 240, 0), name: 'black' },
    { image: solid(240, 320, 255), name: 'white' },
    { image: noise(300, 300, 7), name: 'noise' },
  );
  const data = new Float32Array(images.length * DETECTOR_INPUT_VALUES);
  const frames: DetectorFrame[] = [];
  images.forEach(({ image }, i) => {
    const letterboxed = detectorInput(image);
    data.set(letterboxed.data, i * DETECTOR_INPUT_VALUES);
    frames.push(letterboxed.frame);
  });
  return {
    data,
    frames,
    count: images.length,
    names: images.map((x) => x.name),
    source: `${images.length - 3} photos with ${source} pasted in (faceScene), plus a black, a white and a noise photo; all letterboxed by detectorInput`,
  };
}
