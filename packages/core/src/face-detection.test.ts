import { describe, expect, it } from 'vitest';
import {
  DETECTOR_ANCHORS,
  DETECTOR_BOX_VALUES,
  CLOSE_LOOK,
  DETECTOR_INPUT_SIZE,
  FACE_FRAMING,
  closeLookTiles,
  LEVEL_EYES_DEGREES,
  detectorInput,
  faceSquare,
  readDetections,
  type DetectorFrame,
} from './face-detection.js';
import { InvalidImageError } from './errors.js';
import type { RgbaImage } from './preprocess.js';

function photo(width: number, height: number, rgba: (x: number, y: number) => number[]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(rgba(x, y), (y * width + x) * 4);
  return { width, height, data };
}

const S = DETECTOR_INPUT_SIZE;
const at = (data: Float32Array, x: number, y: number) =>
  Array.from(data.subarray((y * S + x) * 3, (y * S + x) * 3 + 3));

describe('detectorInput', () => {
  it('letterboxes a wide photo into the middle of the square, black above and below', () => {
    // 512×256: halved to 256×128, rows 64–191 hold it.
    const { data, frame } = detectorInput(
      photo(512, 256, (x) => (x < 256 ? [200, 100, 50, 255] : [10, 20, 30, 255])),
    );
    expect(frame).toEqual({ width: 512, height: 256, scaleX: 2, scaleY: 2, offsetX: 0, offsetY: 64 });
    expect(at(data, 10, 63)).toEqual([0, 0, 0]);
    expect(at(data, 10, 64)).toEqual([200, 100, 50]);
    expect(at(data, 200, 191)).toEqual([10, 20, 30]);
    expect(at(data, 200, 192)).toEqual([0, 0, 0]);
  });

  it('zoomed out (the wide look) puts the photo that many times smaller in the middle', () => {
    // 512×256 at zoomOut 2: a quarter, 128×64, in columns 64–191 and rows 96–159.
    const { data, frame } = detectorInput(
      photo(512, 256, (x) => (x < 256 ? [200, 100, 50, 255] : [10, 20, 30, 255])),
      'image',
      { zoomOut: 2 },
    );
    expect(frame).toEqual({ width: 512, height: 256, scaleX: 4, scaleY: 4, offsetX: 64, offsetY: 96 });
    expect(at(data, 63, 100)).toEqual([0, 0, 0]);
    expect(at(data, 64, 96)).toEqual([200, 100, 50]);
    expect(at(data, 191, 159)).toEqual([10, 20, 30]);
    expect(at(data, 192, 159)).toEqual([0, 0, 0]);
    expect(at(data, 100, 160)).toEqual([0, 0, 0]);
  });

  it('area-averages (two columns into one) and composites transparency over white', () => {
    const { data } = detectorInput(photo(512, 512, (x) => (x % 2 ? [100, 0, 0, 255] : [0, 0, 0, 0])));
    // (100 + 255) / 2 in red; (0 + 255) / 2 in green and blue.
    expect(at(data, 5, 5)).toEqual([177.5, 127.5, 127.5]);
  });

  it('reads an opaque photo exactly as the blend over white would (its fast path changes no value)', () => {
    // 640×480 of irregular colours; the same photo with its last pixel a hair transparent takes the
    // blend for every pixel, and must give the same floats everywhere that pixel does not reach.
    const colour = (x: number, y: number) => [(x * 7 + y * 13) % 256, (x * y) % 251, (x + 3 * y) % 241];
    const opaque = detectorInput(photo(640, 480, (x, y) => [...colour(x, y), 255])).data;
    const blended = detectorInput(
      photo(640, 480, (x, y) => [...colour(x, y), x === 639 && y === 479 ? 254 : 255]),
    ).data;
    // The last pixel falls in output pixel (255, 223), the letterboxed photo's bottom-right one.
    const reached = (i: number) =>
      i === (223 * S + 255) * 3 || i === (223 * S + 255) * 3 + 1 || i === (223 * S + 255) * 3 + 2;
    const differing = Array.from(opaque).flatMap((v, i) =>
      Object.is(v, blended[i]) || reached(i) ? [] : [i],
    );
    expect(differing).toEqual([]);
    expect(opaque[(223 * S + 255) * 3]).not.toBe(blended[(223 * S + 255) * 3]);
  });

  it('enlarges a small photo to fill the square, tall ones centred across', () => {
    const { frame } = detectorInput(photo(30, 60, () => [1, 2, 3, 255]));
    expect(frame).toEqual({
      width: 30,
      height: 60,
      scaleX: 30 / 128,
      scaleY: 60 / 256,
      offsetX: 64,
      offsetY: 0,
    });
  });

  it('gives a photo the same input whatever photos came before (its row buffer is kept between calls)', () => {
    const irregular = (w: number, h: number, seed: number) =>
      photo(w, h, (x, y) => [(x * 7 + y * 13 + seed) % 256, (x * y + seed) % 251, (x + 3 * y) % 241, 255]);
    const webcam = irregular(640, 480, 1);
    const first = detectorInput(webcam).data;
    // A smaller photo (the kept buffer partly rewritten), a taller one (a larger buffer), and one whose
    // rows are more than the buffer keeps (its own buffer), each against itself called first.
    for (const other of [irregular(300, 200, 2), irregular(480, 900, 3), irregular(4000, 3000, 4)]) {
      const alone = detectorInput(other).data;
      expect(detectorInput(webcam).data).toEqual(first);
      expect(detectorInput(other).data).toEqual(alone);
    }
  });

  it('refuses a buffer that is not the size it says', () => {
    expect(() => detectorInput({ width: 4, height: 4, data: new Uint8Array(10) }, 'input.image')).toThrow(
      InvalidImageError,
    );
  });

  it('letterboxes a region alone (a close-look tile), its frame mapping back to the whole photo', () => {
    // 640×480, red left of column 448, blue from it; the tile (256, 96) 384×384 fills the input at 1.5
    // photo pixels an input pixel, so column 448 falls at input column 128.
    const image = photo(640, 480, (x) => (x < 448 ? [200, 0, 0, 255] : [0, 0, 200, 255]));
    const region = { x: 256, y: 96, width: 384, height: 384 };
    const { data, frame } = detectorInput(image, 'image', { region });
    expect(frame).toEqual({
      width: 640,
      height: 480,
      scaleX: 1.5,
      scaleY: 1.5,
      offsetX: -256 / 1.5,
      offsetY: -96 / 1.5,
    });
    expect(at(data, 127, 0)).toEqual([200, 0, 0]);
    expect(at(data, 128, 255)).toEqual([0, 0, 200]);
    // Photo pixel (448, 96) is input pixel offset + photo / scale: (128, 0).
    expect(frame.offsetX + 448 / frame.scaleX).toBeCloseTo(128, 12);
    expect(frame.offsetY + 96 / frame.scaleY).toBeCloseTo(0, 12);
  });

  it('reads an image whose width and height are getters (a browser ImageData)', () => {
    class Frame {
      readonly #width: number;
      readonly #height: number;
      constructor(
        width: number,
        height: number,
        readonly data: Uint8ClampedArray,
      ) {
        this.#width = width;
        this.#height = height;
      }
      get width() {
        return this.#width;
      }
      get height() {
        return this.#height;
      }
    }
    const plain = photo(64, 48, (x, y) => [x * 3, y * 5, 7, 255]);
    const frame = new Frame(64, 48, new Uint8ClampedArray(plain.data));
    expect(detectorInput(frame).data).toEqual(detectorInput(plain).data);
  });

  it('refuses a region that is not whole pixels inside the photo', () => {
    const image = photo(100, 80, () => [0, 0, 0, 255]);
    for (const region of [
      { x: 50, y: 0, width: 51, height: 80 },
      { x: -1, y: 0, width: 10, height: 10 },
      { x: 0, y: 0, width: 0, height: 10 },
      { x: 0.5, y: 0, width: 10, height: 10 },
    ])
      expect(() => detectorInput(image, 'image', { region })).toThrow(
        /not whole pixels inside the 100×80 photo/,
      );
  });
});

describe('closeLookTiles', () => {
  it('none for a photo the detector sees whole at full size', () => {
    expect(closeLookTiles(256, 256)).toEqual([]);
    expect(closeLookTiles(48, 48)).toEqual([]);
    expect(closeLookTiles(256, 100)).toEqual([]);
  });

  it('two across a 640×480 photo and two down: squares of (640 + 128) / 2, overlapping by 128', () => {
    const side = { width: 384, height: 384 };
    expect(closeLookTiles(640, 480)).toEqual([
      { x: 0, y: 0, ...side },
      { x: 256, y: 0, ...side },
      { x: 0, y: 96, ...side },
      { x: 256, y: 96, ...side },
    ]);
  });

  it('covers every photo with tiles that overlap by the share CLOSE_LOOK keeps', () => {
    for (const [width, height] of [
      [257, 100],
      [480, 640],
      [900, 300],
      [1000, 37],
      [1920, 1080],
      [4032, 3024],
      [3000, 3000],
    ] as const) {
      const tiles = closeLookTiles(width, height);
      const longer = Math.max(width, height);
      const overlap = (CLOSE_LOOK.keepSide + 2 * CLOSE_LOOK.margin) * longer;
      expect(tiles.length, `${width}×${height}`).toBeGreaterThanOrEqual(2);
      expect(tiles.length, `${width}×${height}`).toBeLessThanOrEqual(4);
      for (const t of tiles) {
        expect(t.x + t.width).toBeLessThanOrEqual(width);
        expect(t.y + t.height).toBeLessThanOrEqual(height);
      }
      // Along each side, neighbouring tiles overlap by at least the overlap (one tile: the whole side).
      for (const [starts, length, size] of [
        [[...new Set(tiles.map((t) => t.x))], width, tiles[0]!.width],
        [[...new Set(tiles.map((t) => t.y))], height, tiles[0]!.height],
      ] as const) {
        expect(starts[0]).toBe(0);
        expect(starts.at(-1)! + size).toBe(length);
        for (let i = 1; i < starts.length; i++)
          expect(starts[i - 1]! + size - starts[i]!).toBeGreaterThanOrEqual(Math.floor(overlap));
      }
    }
  });
});

/** Detector outputs with the given anchors set: score and the 16 values, all others 0. */
function outputs(set: { anchor: number; score: number; values: number[] }[]) {
  const scores = new Float32Array(DETECTOR_ANCHORS);
  const boxes = new Float32Array(DETECTOR_ANCHORS * DETECTOR_BOX_VALUES);
  for (const { anchor, score, values } of set) {
    scores[anchor] = score;
    boxes.set(values, anchor * DETECTOR_BOX_VALUES);
  }
  return { scores, boxes };
}

/** A face at centre (cx, cy) of side w, eyes 0.4 w apart at 0.2 w above the centre. */
function face(cx: number, cy: number, w: number): number[] {
  const eyeY = cy - 0.2 * w;
  return [
    cx,
    cy,
    w,
    w,
    cx - 0.2 * w,
    eyeY,
    cx + 0.2 * w,
    eyeY,
    cx,
    cy,
    cx,
    cy + 0.2 * w,
    cx - 0.45 * w,
    cy,
    cx + 0.45 * w,
    cy,
  ];
}

const identity: DetectorFrame = { width: S, height: S, scaleX: 1, scaleY: 1, offsetX: 0, offsetY: 0 };

describe('readDetections', () => {
  it('merges overlapping anchors into one face, weighted by score, and keeps a separate face apart', () => {
    const { scores, boxes } = outputs([
      { anchor: 3, score: 0.9, values: face(100, 100, 60) },
      { anchor: 4, score: 0.6, values: face(110, 100, 60) }, // same face, nearby anchor
      { anchor: 700, score: 0.8, values: face(200, 60, 40) },
      { anchor: 800, score: 0.4, values: face(30, 200, 40) }, // below minScore
    ]);
    const faces = readDetections(scores, boxes, identity);
    expect(faces.map((f) => f.score)).toEqual([expect.closeTo(0.9, 6), expect.closeTo(0.8, 6)]);
    // (100 · 0.9 + 110 · 0.6) / 1.5 = 104; the box's left edge 30 less.
    expect(faces[0]!.box.x).toBeCloseTo(74, 4);
    expect(faces[0]!.keypoints.rightEye.x).toBeCloseTo(92, 4);
    expect(faces[1]!.box).toEqual({ x: 180, y: 40, width: 40, height: 40 });
    expect(readDetections(scores, boxes, identity, { minScore: 0.3 })).toHaveLength(3);
    expect(readDetections(scores, boxes, identity, { maxFaces: 1 })).toHaveLength(1);
    // With no merging, the second anchor is a face of its own.
    expect(readDetections(scores, boxes, identity, { overlap: 0.99 })).toHaveLength(3);
  });

  it("maps the input's pixels back to the photo's through the letterbox", () => {
    const frame: DetectorFrame = {
      width: 1000,
      height: 500,
      scaleX: 1000 / 256,
      scaleY: 500 / 128,
      offsetX: 0,
      offsetY: 64,
    };
    const { scores, boxes } = outputs([{ anchor: 10, score: 0.95, values: face(128, 128, 64) }]);
    const [found] = readDetections(scores, boxes, frame);
    expect(found!.box.x).toBeCloseTo((128 - 32) * (1000 / 256), 6);
    expect(found!.box.y).toBeCloseTo((128 - 32 - 64) * (500 / 128), 6);
    expect(found!.keypoints.mouth.y).toBeCloseTo((128 + 0.2 * 64 - 64) * (500 / 128), 4);
  });

  it('refuses outputs of the wrong size, naming what it got', () => {
    expect(() => readDetections(new Float32Array(10), new Float32Array(160), identity)).toThrow(
      /expected 896 scores and 14336 box values, got 10 and 160/,
    );
  });
});

describe('faceSquare', () => {
  const eyes = { right: { x: 80, y: 100 }, left: { x: 120, y: 100 } };
  it('frames the face as the training faces were: the side from the box, the centre from the eyes', () => {
    const side = 100 * FACE_FRAMING.boxToSide;
    const crop = faceSquare(eyes, 100, 1000, 1000);
    expect(crop.size).toBe(Math.round(side));
    expect(crop.x).toBe(Math.round(100 + side * FACE_FRAMING.eyesAcrossCentre - crop.size / 2));
    expect(crop.y).toBe(Math.round(100 + side * FACE_FRAMING.eyesToCentre - crop.size / 2));
  });

  it('turns the square with the eye line, unless it is within LEVEL_EYES_DEGREES of level', () => {
    const tilted = (degrees: number) => {
      const t = (degrees * Math.PI) / 180;
      return {
        right: { x: 500 - 20 * Math.cos(t), y: 500 - 20 * Math.sin(t) },
        left: { x: 500 + 20 * Math.cos(t), y: 500 + 20 * Math.sin(t) },
      };
    };
    const crop = faceSquare(tilted(20), 100, 1000, 1000);
    expect(crop.angle).toBeCloseTo(20, 10);
    // The centre lies along the turned face: below the eyes and, turned clockwise, to the left.
    const side = 100 * FACE_FRAMING.boxToSide;
    const t = (20 * Math.PI) / 180;
    const cx =
      500 +
      Math.cos(t) * side * FACE_FRAMING.eyesAcrossCentre -
      Math.sin(t) * side * FACE_FRAMING.eyesToCentre;
    expect(crop.x).toBe(Math.round(cx - crop.size / 2));
    expect(crop.x).toBeLessThan(faceSquare(tilted(0), 100, 1000, 1000).x);
    expect(faceSquare(tilted(LEVEL_EYES_DEGREES - 0.1), 100, 1000, 1000)).not.toHaveProperty('angle');
    expect(faceSquare(tilted(-30), 100, 1000, 1000).angle).toBeCloseTo(-30, 10);
  });

  it('keeps the square inside the photo, moving it, and shrinking it for a face larger than the photo', () => {
    expect(faceSquare(eyes, 100, 120, 1000)).toMatchObject({ x: 120 - 110, size: 110 });
    expect(faceSquare(eyes, 100, 1000, 120)).toMatchObject({ y: 120 - 110, size: 110 });
    const corner = faceSquare({ right: { x: -5, y: -5 }, left: { x: 35, y: -5 } }, 100, 1000, 1000);
    expect(corner).toMatchObject({ x: 0, y: 0 });
    expect(faceSquare(eyes, 100, 50, 70)).toEqual({ x: 0, y: 20, size: 50 });
  });
});
