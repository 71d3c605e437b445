/**
 * Finding faces in a photo, for every runtime alike: the detector's input (the photo letterboxed into
 * 256×256 RGB) and the reading of its outputs (scores and boxes for 896 anchors → the faces, each with
 * the square to classify). The detector is BlazeFace (full range), exported to `face-detector.onnx` by
 * `pnpm export:detector`; the server (onnxruntime-node) and the web demo (onnxruntime-web) run these
 * same lines around it, so both find the same squares.
 *
 * The square handed to the classifiers is not the detector's box: the models were trained on UTKFace's
 * aligned crops, which frame a face a little more loosely and lower. `faceSquare` maps the box and the
 * eyes onto that framing with constants measured by `pnpm bench:detection --fit` (faces of the training
 * part pasted into photos at known squares).
 */
import { InvalidImageError } from './errors.js';
import { areaTaps, checkImage, type FaceCrop, type RgbaImage } from './preprocess.js';

export const DETECTOR_INPUT_SIZE = 256;
/** The detector's input tensor: one photo, NHWC RGB. */
export const DETECTOR_INPUT_SHAPE = [1, DETECTOR_INPUT_SIZE, DETECTOR_INPUT_SIZE, 3] as const;
/** float32 values in one detector input. */
export const DETECTOR_INPUT_VALUES = DETECTOR_INPUT_SIZE * DETECTOR_INPUT_SIZE * 3;
export const DETECTOR_ANCHORS = 896;
/** Per anchor in `boxes`: centre x, y, width, height, then six keypoints (x, y), in input pixels. */
export const DETECTOR_BOX_VALUES = 16;
export const DETECTOR_INPUT_NAME = 'image';
export const DETECTOR_SCORES_NAME = 'scores';
export const DETECTOR_BOXES_NAME = 'boxes';

/** Where the photo lies in the detector's input: input pixel = offset + photo pixel / scale. */
export interface DetectorFrame {
  readonly width: number;
  readonly height: number;
  /** Photo pixels per input pixel, across and down (the letterboxed photo is rounded to whole pixels). */
  readonly scaleX: number;
  readonly scaleY: number;
  readonly offsetX: number;
  readonly offsetY: number;
}

/**
 * The colours faces found are drawn in, face after face (the first on the best face): `pnpm classify
 * --annotate`'s squares and the web demo's live labels, so a photo reads the same in both.
 */
export const FACE_COLOURS = ['#ffd400', '#00e5ff', '#ff4fd8', '#7cff4f', '#ff8a00'] as const;

/** Whether every pixel of RGBA `data` has alpha 255. */
function isOpaque(data: ArrayLike<number>): boolean {
  for (let p = 3; p < data.length; p += 4) if (data[p] !== 255) return false;
  return true;
}

/** Row-pass values detectorInput keeps between calls: 8 MiB of float64, a 1920×1080 frame's. */
const ROWS_KEPT = 1 << 20;
let keptRows = new Float64Array(0);

/**
 * detectorInput's row-pass buffer. Up to ROWS_KEPT values it is one buffer kept between calls: in
 * Chromium a fresh 2.9 MB Float64Array for a 640×480 webcam frame cost ≈ 11 ms a call (most of the
 * preprocessing: 13.4 ms against 2.1 ms reused; 1.6 ms either way in Node), every frame of live labels.
 * A larger photo gets its own, so that a server keeps no more than this. Every value the column pass
 * reads is written first, so reuse changes no result; the function never yields, so no caller shares it.
 */
function rowBuffer(length: number): Float64Array {
  if (length > ROWS_KEPT) return new Float64Array(length);
  if (keptRows.length < length) keptRows = new Float64Array(length);
  return keptRows;
}

/** A rectangle of a photo, in whole photo pixels. */
export interface PhotoRegion {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** How detectorInput shows the photo to the detector: zoomed out (the wide look) or one tile of it. */
export interface DetectorView {
  /** Makes the photo that many times smaller than the square, more black around it (default 1). */
  readonly zoomOut?: number;
  /** Only this part of the photo (default the whole photo): a tile of the close look. */
  readonly region?: PhotoRegion;
}

/**
 * The detector's input for a photo: float32 NHWC [1, 256, 256, 3], RGB 0–255, the photo area-averaged
 * into the middle of the square with its aspect kept, black around it. Transparent pixels are
 * composited over white, as for the classifiers. `view.zoomOut` > 1 makes the photo that many times
 * smaller than the square: the wide look of `detectFaces`; `view.region` letterboxes that part of the
 * photo alone: a tile of its close look. The frame maps the input back to the whole photo's pixels.
 */
export function detectorInput(
  image: RgbaImage,
  field = 'image',
  { zoomOut = 1, region }: DetectorView = {},
): { data: Float32Array; frame: DetectorFrame } {
  checkImage(image, field);
  // Sizes read by name, not spread: a browser ImageData keeps width and height as getters on its
  // prototype, which a spread does not copy.
  const {
    x: left,
    y: top,
    width,
    height,
  } = region ?? { x: 0, y: 0, width: image.width, height: image.height };
  if (
    ![left, top, width, height].every(Number.isInteger) ||
    left < 0 ||
    top < 0 ||
    width < 1 ||
    height < 1 ||
    left + width > image.width ||
    top + height > image.height
  )
    throw new RangeError(
      `detectorInput: region ${width}×${height} at (${left}, ${top}) is not whole pixels inside the ${image.width}×${image.height} photo`,
    );
  // A plain Uint8Array view of the bytes (no copy): the loops below then see one array type, whether
  // the pixels came as a Buffer (sharp) or a Uint8ClampedArray (a canvas), and run faster for it.
  const data = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.length);
  const size = DETECTOR_INPUT_SIZE;
  const fit = size / (Math.max(width, height) * zoomOut);
  const w = Math.max(1, Math.round(width * fit));
  const h = Math.max(1, Math.round(height * fit));
  const offsetX = Math.floor((size - w) / 2);
  const offsetY = Math.floor((size - h) / 2);
  const across = areaTaps(width, w);
  const down = areaTaps(height, h);
  // Rows first (height × w × 3), then columns, as imageToPixels does for grey.
  const rows = rowBuffer(height * w * 3);
  // A pixel is put on white by its alpha; an opaque one (every pixel of a JPEG) is its own value, which
  // the same sum gives exactly (255 + (v − 255) × 1 = v), without the division and blend per tap.
  const opaque = isOpaque(data);
  for (let y = 0; y < height; y++) {
    for (let ox = 0; ox < w; ox++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let t = across.offsets[ox]!; t < across.offsets[ox + 1]!; t++) {
        const p = ((top + y) * image.width + left + across.index[t]!) * 4;
        const k = across.weight[t]!;
        if (opaque) {
          r += data[p]! * k;
          g += data[p + 1]! * k;
          b += data[p + 2]! * k;
        } else {
          const alpha = data[p + 3]! / 255;
          r += (255 + (data[p]! - 255) * alpha) * k;
          g += (255 + (data[p + 1]! - 255) * alpha) * k;
          b += (255 + (data[p + 2]! - 255) * alpha) * k;
        }
      }
      const q = (y * w + ox) * 3;
      rows[q] = r;
      rows[q + 1] = g;
      rows[q + 2] = b;
    }
  }
  const out = new Float32Array(DETECTOR_INPUT_VALUES);
  for (let oy = 0; oy < h; oy++) {
    for (let ox = 0; ox < w; ox++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let t = down.offsets[oy]!; t < down.offsets[oy + 1]!; t++) {
        const p = (down.index[t]! * w + ox) * 3;
        const k = down.weight[t]!;
        r += rows[p]! * k;
        g += rows[p + 1]! * k;
        b += rows[p + 2]! * k;
      }
      const q = ((offsetY + oy) * size + offsetX + ox) * 3;
      out[q] = r;
      out[q + 1] = g;
      out[q + 2] = b;
    }
  }
  // Input pixel = offset + (photo pixel − region's corner) / scale: the corner folds into the offset.
  const [scaleX, scaleY] = [width / w, height / h];
  return {
    data: out,
    frame: {
      width: image.width,
      height: image.height,
      scaleX,
      scaleY,
      offsetX: offsetX - left / scaleX,
      offsetY: offsetY - top / scaleY,
    },
  };
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** The keypoints BlazeFace finds, "right" being the subject's right (the left of the photo). */
export const FACE_KEYPOINTS = ['rightEye', 'leftEye', 'nose', 'mouth', 'rightEar', 'leftEar'] as const;
export type FaceKeypoint = (typeof FACE_KEYPOINTS)[number];

export interface DetectedFace {
  /** The detector's confidence, 0–1. */
  readonly score: number;
  /** The detector's box, in photo pixels (may reach past the photo's edges). */
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly keypoints: Readonly<Record<FaceKeypoint, Point>>;
  /** The square to classify, framed as the training faces were, inside the photo. */
  readonly crop: FaceCrop;
}

/** Each option's default is in DETECTION_DEFAULTS. */
export interface DetectionOptions {
  /** Lowest score a face is kept at. */
  readonly minScore?: number;
  /** Overlap (intersection over union) above which two boxes are one face. */
  readonly overlap?: number;
  /** Most faces returned, best first. */
  readonly maxFaces?: number;
  /**
   * detectFaces only: whether it also searches a photo larger than the detector's input in tiles, for
   * faces too small for the whole-photo look (CLOSE_LOOK). Live webcam frames turn it off.
   */
  readonly closeLook?: boolean;
}

/**
 * detectFaces' defaults: the lowest score a face is kept at, the overlap above which two boxes are one
 * face, the most faces returned (readDetections' too), and whether it takes the close look; also the
 * server's classifyFaces' defaults.
 */
export const DETECTION_DEFAULTS = { minScore: 0.5, overlap: 0.3, maxFaces: 10, closeLook: true } as const;

interface Candidate {
  readonly score: number;
  /** The 16 values of `boxes` for the anchor: box centre, size, keypoints. */
  readonly values: Float64Array;
}

function corners(v: Float64Array): [number, number, number, number] {
  return [v[0]! - v[2]! / 2, v[1]! - v[3]! / 2, v[0]! + v[2]! / 2, v[1]! + v[3]! / 2];
}

function overlapOf(a: Float64Array, b: Float64Array): number {
  const [ax0, ay0, ax1, ay1] = corners(a);
  const [bx0, by0, bx1, by1] = corners(b);
  const w = Math.min(ax1, bx1) - Math.max(ax0, bx0);
  const h = Math.min(ay1, by1) - Math.max(ay0, by0);
  if (w <= 0 || h <= 0) return 0;
  const shared = w * h;
  return shared / (a[2]! * a[3]! + b[2]! * b[3]! - shared);
}

/**
 * Weighted non-maximum suppression (MediaPipe's "weighted" mode): the best remaining anchor and every
 * anchor overlapping it become one face whose values are their score-weighted mean, which steadies the
 * box and keypoints between nearby anchors.
 */
function mergeOverlapping(candidates: Candidate[], overlap: number, maxFaces: number): Candidate[] {
  const left = [...candidates].sort((a, b) => b.score - a.score);
  const faces: Candidate[] = [];
  while (left.length > 0 && faces.length < maxFaces) {
    const best = left[0]!;
    const values = new Float64Array(DETECTOR_BOX_VALUES);
    let weights = 0;
    for (let i = left.length - 1; i >= 0; i--) {
      const c = left[i]!;
      if (c !== best && overlapOf(best.values, c.values) <= overlap) continue;
      for (let k = 0; k < DETECTOR_BOX_VALUES; k++) values[k]! += c.values[k]! * c.score;
      weights += c.score;
      left.splice(i, 1);
    }
    for (let k = 0; k < DETECTOR_BOX_VALUES; k++) values[k]! /= weights;
    faces.push({ score: best.score, values });
  }
  return faces;
}

/**
 * How UTKFace frames a face, in terms of what the detector finds: the square's side is `boxToSide` ×
 * the detector box's, and its centre lies `eyesToCentre` × the side below the point between the eyes
 * (and `eyesAcrossCentre` × the side to the right). Measured by `pnpm bench:detection --fit --faces
 * 1000` on 1,000 faces of the training part: the box gives the side within 6.8 % (the eyes' span within
 * 8.1 %), the eyes the centre within 2 % of the side (the box's centre within 4–6 %).
 */
export const FACE_FRAMING = { boxToSide: 1.096, eyesToCentre: 0.201, eyesAcrossCentre: 0.013 };

/**
 * Eye lines tilted less than this many degrees are taken as level and the square left upright: on an
 * upright face the detector's eyes wander a degree or two, and a turned square is read by sampling,
 * a little softer than the upright square's exact area average (`pnpm bench:detection`: turning every
 * face cost 0.7–2.0 points on upright faces, turning past 5° none).
 */
export const LEVEL_EYES_DEGREES = 5;

/**
 * The square to classify for a face whose eyes and box side are given (photo pixels), inside a
 * `width` × `height` photo: the framing above, turned with the eye line (the models were trained on
 * faces with level eyes) unless it is within LEVEL_EYES_DEGREES of level, then moved (and shrunk, for a
 * face larger than the photo) so that its upright square lies within the photo.
 */
export function faceSquare(
  eyes: { right: Point; left: Point },
  boxSide: number,
  width: number,
  height: number,
): FaceCrop {
  const side = boxSide * FACE_FRAMING.boxToSide;
  const tilt = (Math.atan2(eyes.left.y - eyes.right.y, eyes.left.x - eyes.right.x) * 180) / Math.PI;
  const angle = Math.abs(tilt) < LEVEL_EYES_DEGREES ? 0 : tilt;
  const turn = (angle * Math.PI) / 180;
  // The framing's offset from between the eyes, along and across the (turned) eye line.
  const [along, across] = [side * FACE_FRAMING.eyesAcrossCentre, side * FACE_FRAMING.eyesToCentre];
  const cx = (eyes.left.x + eyes.right.x) / 2 + Math.cos(turn) * along - Math.sin(turn) * across;
  const cy = (eyes.left.y + eyes.right.y) / 2 + Math.sin(turn) * along + Math.cos(turn) * across;
  const size = Math.max(1, Math.min(Math.round(side), width, height));
  const x = Math.min(Math.max(Math.round(cx - size / 2), 0), width - size);
  const y = Math.min(Math.max(Math.round(cy - size / 2), 0), height - size);
  return angle ? { x, y, size, angle } : { x, y, size };
}

/**
 * The faces in the detector's outputs for one photo (`scores` [896], `boxes` [896 × 16], as the ONNX
 * file gives them), best first, in the photo's pixels.
 */
export function readDetections(
  scores: ArrayLike<number>,
  boxes: ArrayLike<number>,
  frame: DetectorFrame,
  {
    minScore = DETECTION_DEFAULTS.minScore,
    overlap = DETECTION_DEFAULTS.overlap,
    maxFaces = DETECTION_DEFAULTS.maxFaces,
  }: DetectionOptions = {},
): DetectedFace[] {
  if (scores.length !== DETECTOR_ANCHORS || boxes.length !== DETECTOR_ANCHORS * DETECTOR_BOX_VALUES) {
    throw new InvalidImageError(
      'detector',
      `expected ${DETECTOR_ANCHORS} scores and ${DETECTOR_ANCHORS * DETECTOR_BOX_VALUES} box values, got ${scores.length} and ${boxes.length}`,
    );
  }
  const candidates: Candidate[] = [];
  for (let a = 0; a < DETECTOR_ANCHORS; a++) {
    const score = scores[a]!;
    if (!(score >= minScore)) continue;
    const values = new Float64Array(DETECTOR_BOX_VALUES);
    for (let k = 0; k < DETECTOR_BOX_VALUES; k++) values[k] = boxes[a * DETECTOR_BOX_VALUES + k]!;
    candidates.push({ score, values });
  }
  const toPhoto = (x: number, y: number): Point => ({
    x: (x - frame.offsetX) * frame.scaleX,
    y: (y - frame.offsetY) * frame.scaleY,
  });
  return mergeOverlapping(candidates, overlap, maxFaces).map(({ score, values: v }) => {
    const topLeft = toPhoto(v[0]! - v[2]! / 2, v[1]! - v[3]! / 2);
    const box = { x: topLeft.x, y: topLeft.y, width: v[2]! * frame.scaleX, height: v[3]! * frame.scaleY };
    const keypoints = Object.fromEntries(
      FACE_KEYPOINTS.map((name, i) => [name, toPhoto(v[4 + 2 * i]!, v[5 + 2 * i]!)]),
    ) as Record<FaceKeypoint, Point>;
    const crop = faceSquare(
      { right: keypoints.rightEye, left: keypoints.leftEye },
      (box.width + box.height) / 2,
      frame.width,
      frame.height,
    );
    return { score, box, keypoints, crop };
  });
}

/**
 * When `detectFaces` takes its second, wide look, and what it keeps from it. BlazeFace (full range)
 * frames a face that fills most of its input badly: on a tight crop (the face's square the whole photo,
 * as UTKFace's own 200×200 faces) it finds a part of the face, a box about two thirds of the face's,
 * at scores up to 0.93, or nothing. With the photo at half size (`zoomOut`) such a face is in its range
 * again. So when the usual look finds no face, or a face whose box side is at least `nearSide` × the
 * photo's longer side, the photo is searched again zoomed out, and the faces found there whose box side
 * is at least `keepSide` × the longer side take the place of the near look's faces lying mostly inside
 * them. Measured by `pnpm bench:detection --sizes 60-100` (and `--sizes 15-60` for the photos the wide
 * look must leave alone).
 */
export const WIDE_LOOK = { zoomOut: 2, nearSide: 0.4, keepSide: 0.3 };

/**
 * When `detectFaces` takes its close look, and what it keeps from it. The detector sees the whole photo
 * at 256 px on its longer side, and finds faces reliably from about 32 input pixels (an eighth of the
 * photo's longer side), half of them at 22, few under 16 (`pnpm bench:detection --pixels`): in a
 * 640×480 photo a face under about 80 px is often missed (half of them at 55 px), in a 4000×3000 phone
 * photo one under 500 px. So a photo larger than the detector's input is also searched in tiles, two
 * across its longer side (two, or one, across its shorter), each letterboxed on its own: a tile's faces
 * are seen about 1.7 times larger. Tiles overlap by `keepSide` + 2 × `margin` of the longer side, so
 * that every face the close look keeps lies whole in some tile. It keeps the small faces, box side
 * under `keepSide` × the longer side (larger ones the whole-photo look finds well), of the tiles and of
 * the whole photo together, best score first, each unless it is a face already kept (boxes overlapping
 * past `overlap`, or one mostly inside the other); a tile's face that reaches within `margin` × the
 * longer side of a tile edge inside the photo may be cut there, and is left out.
 *
 * A tile is searched only where the whole photo's look saw a hint of a small face: a candidate scoring
 * at least `hintScore` (far below the 0.5 a face needs), its box small, its centre in the tile. A face
 * too small for the whole-photo look mostly still stirs it there, so a photo whose faces are all large,
 * or that has none, is searched in few tiles or none. Chosen by `pnpm bench:detection` as the highest
 * score that keeps all but 1 % of the faces the close look finds at `--pixels 8-56` in every tile
 * (0.07: 730 of 735; 0.1: 723), searching 28 % of the tiles at `--faces 1000` (15–60 %).
 */
export const CLOSE_LOOK = {
  keepSide: 0.16,
  margin: 0.02,
  hintScore: 0.07,
};

/**
 * The close look's tiles for a `width` × `height` photo: squares (cut to the photo) of side
 * (longer + overlap) / 2, as few along each side as cover it with the overlap, spread evenly from edge
 * to edge. None for a photo no larger than the detector's input.
 */
export function closeLookTiles(width: number, height: number): PhotoRegion[] {
  const longer = Math.max(width, height);
  if (longer <= DETECTOR_INPUT_SIZE) return [];
  const overlap = (CLOSE_LOOK.keepSide + 2 * CLOSE_LOOK.margin) * longer;
  const side = Math.ceil((longer + overlap) / 2);
  const starts = (length: number) => {
    if (length <= side) return [0];
    const count = Math.ceil((length - overlap) / (side - overlap));
    return Array.from({ length: count }, (_, i) => Math.round((i * (length - side)) / (count - 1)));
  };
  return starts(height).flatMap((y) =>
    starts(width).map((x) => ({ x, y, width: Math.min(side, width), height: Math.min(side, height) })),
  );
}

/** The detector's outputs for one input (`scores` [896], `boxes` [896 × 16]). */
export interface DetectorOutputs {
  readonly scores: ArrayLike<number>;
  readonly boxes: ArrayLike<number>;
}

function boxSide(face: DetectedFace): number {
  return (face.box.width + face.box.height) / 2;
}

/** The share of `inner`'s box that lies inside `outer`'s. */
function shareInside(inner: DetectedFace, outer: DetectedFace): number {
  const [a, b] = [inner.box, outer.box];
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? (w * h) / (a.width * a.height) : 0;
}

/** Whether two faces are one: their boxes overlap by more than `overlap` (IoU), or one lies mostly in the other. */
function sameFace(a: DetectedFace, b: DetectedFace, overlap: number): boolean {
  const inside = shareInside(a, b);
  if (inside > 0.5 || shareInside(b, a) > 0.5) return true;
  const shared = inside * a.box.width * a.box.height;
  return shared / (a.box.width * a.box.height + b.box.width * b.box.height - shared) > overlap;
}

/** Whether the centre of `face`'s box lies in `tile`. */
function centreIn(face: DetectedFace, tile: PhotoRegion): boolean {
  const x = face.box.x + face.box.width / 2;
  const y = face.box.y + face.box.height / 2;
  return x >= tile.x && x < tile.x + tile.width && y >= tile.y && y < tile.y + tile.height;
}

/** Whether a face found in `tile` reaches within `margin` photo pixels of one of its edges inside the photo. */
function nearInnerEdge(face: DetectedFace, tile: PhotoRegion, width: number, height: number, margin: number) {
  const { x, y, width: w, height: h } = face.box;
  return (
    (tile.x > 0 && x < tile.x + margin) ||
    (tile.y > 0 && y < tile.y + margin) ||
    (tile.x + tile.width < width && x + w > tile.x + tile.width - margin) ||
    (tile.y + tile.height < height && y + h > tile.y + tile.height - margin)
  );
}

/**
 * The faces in a photo, best first, with `run` running the detector on one input (the server's
 * onnxruntime-node session, the web demo's onnxruntime-web one): the usual look (`detectorInput`,
 * `readDetections`); the wide look of WIDE_LOOK when that finds no face or a large one; and, for a photo
 * larger than the detector's input, the close look of CLOSE_LOOK (unless `options.closeLook` is false).
 * One detector run for a photo of 256 px or less whose faces are small, two with the wide look, and
 * for a larger photo one more a tile with a hint of a small face (none to four).
 */
export async function detectFaces(
  image: RgbaImage,
  run: (input: Float32Array) => Promise<DetectorOutputs>,
  options: DetectionOptions = {},
  field = 'image',
): Promise<DetectedFace[]> {
  // Each look keeps every face it finds, and the answer is cut at maxFaces at the end: a large face
  // that scores below maxFaces small ones must still call the wide look, and its face may outscore them.
  // A look's faces, and with `hintScore` its candidates down to that score (the close look's hints).
  const look = async (view: DetectorView, hintScore?: number) => {
    const { data, frame } = detectorInput(image, field, view);
    const { scores, boxes } = await run(data);
    const all = { ...options, maxFaces: DETECTOR_ANCHORS };
    return {
      faces: readDetections(scores, boxes, frame, all),
      hints:
        hintScore === undefined ? [] : readDetections(scores, boxes, frame, { ...all, minScore: hintScore }),
    };
  };
  const maxFaces = options.maxFaces ?? DETECTION_DEFAULTS.maxFaces;
  const overlap = options.overlap ?? DETECTION_DEFAULTS.overlap;
  const tiles =
    (options.closeLook ?? DETECTION_DEFAULTS.closeLook) ? closeLookTiles(image.width, image.height) : [];
  const { faces: near, hints } = await look(
    {},
    tiles.length > 0
      ? Math.min(CLOSE_LOOK.hintScore, options.minScore ?? DETECTION_DEFAULTS.minScore)
      : undefined,
  );
  const longer = Math.max(image.width, image.height);
  let found = near;
  if (near.some((face) => boxSide(face) >= WIDE_LOOK.nearSide * longer) || near.length === 0) {
    const wide = (await look({ zoomOut: WIDE_LOOK.zoomOut })).faces.filter(
      (face) => boxSide(face) >= WIDE_LOOK.keepSide * longer,
    );
    if (wide.length > 0)
      found = [...wide, ...near.filter((face) => !wide.some((big) => shareInside(face, big) > 0.5))];
  }
  if (tiles.length > 0) {
    const isSmall = (face: DetectedFace) => boxSide(face) < CLOSE_LOOK.keepSide * longer;
    // The whole photo's small faces compete with the tiles': a tile sees a small face larger, and
    // usually frames it better and scores it higher.
    const small = found.filter(isSmall);
    const hinted = tiles.filter((tile) => hints.some((hint) => isSmall(hint) && centreIn(hint, tile)));
    for (const tile of hinted) {
      for (const face of (await look({ region: tile })).faces)
        if (
          isSmall(face) &&
          !nearInnerEdge(face, tile, image.width, image.height, CLOSE_LOOK.margin * longer)
        )
          small.push(face);
    }
    // The large faces, then the small ones best first, each kept unless it is a face already kept.
    const kept = found.filter((face) => !isSmall(face));
    for (const face of small.sort((a, b) => b.score - a.score))
      if (!kept.some((other) => sameFace(face, other, overlap))) kept.push(face);
    found = kept;
  }
  return [...found].sort((a, b) => b.score - a.score).slice(0, maxFaces);
}
