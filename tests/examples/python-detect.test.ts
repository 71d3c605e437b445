/**
 * The Python example (examples/python/classify.py) finds faces as the server does: its
 * `detector_input`, `read_detections` and `face_square` repeat @facekit/core's detectorInput,
 * readDetections and faceSquare line by line, with core's constants copied (FACE_FRAMING among them).
 * This runs them with python3 (Pillow and numpy only, no onnxruntime: the detector's outputs are built
 * here) and holds them to core: the letterboxed input within 1e-3 per value with the same frame, the
 * same faces from the same outputs (scores, boxes and keypoints within 1e-6 relative, squares
 * identical), the same constants, and the detector file refused when its sha256 is not the JSON's.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DETECTOR_ANCHORS,
  DETECTOR_BOX_VALUES,
  DETECTOR_INPUT_SIZE,
  FACE_FRAMING,
  FACE_KEYPOINTS,
  LEVEL_EYES_DEGREES,
  CLOSE_LOOK,
  WIDE_LOOK,
  closeLookTiles,
  detectFaces,
  detectorInput,
  faceSquare,
  readDetections,
  type DetectionOptions,
  type DetectorView,
  type PhotoRegion,
  type RgbaImage,
} from '@facekit/core';
import { seededRandom } from '@facekit/train';
import { encodePng } from '../../packages/web-demo/png.js';
import { SHIPPED_MODELS } from '../support/paths.js';
import { missing, photo, python, runDriver } from '../support/python.js';
import { tempFolder } from '../support/temp-folder.js';

/** Letterboxes the photos named on stdin with the example's functions: each input to its file, frames printed. */
const LETTERBOX_DRIVER = `
import json, sys
sys.path.insert(0, sys.argv[1])
from classify import load_rgba, detector_input
frames = []
for c in json.load(sys.stdin):
    image, frame = detector_input(load_rgba(c["file"]), 1, c.get("region"))
    image.astype("<f4").tofile(c["out"])
    frames.append(frame)
print(json.dumps(frames))
`;

/** Decodes the outputs given on stdin (with the photo's size; the frame is the example's own). */
const DECODE_DRIVER = `
import json, sys
sys.path.insert(0, sys.argv[1])
from classify import letterbox, read_detections
out = []
for c in json.load(sys.stdin):
    frame, _, _ = letterbox(c["width"], c["height"])
    faces = read_detections(c["scores"], c["boxes"], frame, **c["options"])
    out.append([dict(f, score=float(f["score"]), box=[float(v) for v in f["box"]],
                     keypoints={k: [float(v) for v in p] for k, p in f["keypoints"].items()},
                     square=[int(v) for v in f["square"][:3]] + [float(v) for v in f["square"][3:]])
                for f in faces])
print(json.dumps(out))
`;

/** The example's copies of core's constants, its squares for the eyes and sides given, and what its
 * detector check says of each models folder. */
const CONSTANTS_DRIVER = `
import json, sys
sys.path.insert(0, sys.argv[1])
import classify
given = json.load(sys.stdin)
squares = [classify.face_square(c["eyes"], c["side"], c["width"], c["height"]) for c in given["squares"]]
tilted = [classify.face_square(c["eyes"], c["side"], c["width"], c["height"]) for c in given["tilted"]]
checks = []
for models in given["models"]:
    try:
        checks.append(str(classify.check_detector(models)[1]))
    except ValueError as e:
        checks.append("refused: " + str(e))
print(json.dumps({"size": classify.DETECTOR_SIZE, "anchors": classify.ANCHORS,
                  "boxValues": classify.BOX_VALUES, "keypoints": classify.KEYPOINTS,
                  "framing": classify.FACE_FRAMING, "levelEyes": classify.LEVEL_EYES_DEGREES,
                  "wideLook": classify.WIDE_LOOK, "closeLook": classify.CLOSE_LOOK,
                  "tiles": [classify.close_look_tiles(w, h) for w, h in given["tileSizes"]],
                  "squares": squares, "tilted": tilted, "checks": checks}))
`;

/**
 * Runs the example's detect_faces on blank photos with a stand-in session that answers each run with
 * the next outputs given (the usual look's, the wide look's where taken, then each close-look tile's):
 * its faces, and how many runs it made.
 */
const LOOKS_DRIVER = `
import json, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from classify import detect_faces

class Session:
    def __init__(self, outputs):
        self.outputs, self.runs = outputs, 0
    def run(self, names, feeds):
        assert list(feeds.values())[0].shape == (1, 256, 256, 3)
        scores, boxes = self.outputs[self.runs]
        self.runs += 1
        return [np.array(scores, np.float32), np.array(boxes, np.float32)]

info = {"input": {"name": "image"}, "outputs": [{"name": "scores"}, {"name": "boxes"}]}
out = []
for c in json.load(sys.stdin):
    session = Session(c["outputs"])
    rgba = np.zeros((c["height"], c["width"], 4), np.uint8)
    faces = detect_faces(rgba, (info, session), **c["options"])
    out.append({"runs": session.runs, "faces": [[float(f["score"])] + [int(v) for v in f["square"][:3]] for f in faces]})
print(json.dumps(out))
`;

interface LooksCase {
  name: string;
  width: number;
  height: number;
  /** The detector's outputs for the usual look, the wide look (where taken), then each tile's. */
  looks: { scores: Float32Array; boxes: Float32Array }[];
  options?: DetectionOptions;
}

/**
 * Photos for detectFaces' looks: each face as the detector would report it in that look. The wide-look
 * cases larger than the detector's input turn the close look off; the close-look cases give each
 * tile's faces, in photo pixels, or null for a tile not searched (no hint of a small face in it), and
 * score the anchors without a face under CLOSE_LOOK.hintScore, as the detector does.
 */
function looksCases(): LooksCase[] {
  type Faces = Parameters<typeof outputs>[2];
  const looks = (
    name: string,
    width: number,
    height: number,
    near: Faces,
    wide: Faces,
    options?: DetectionOptions,
  ) => ({
    name,
    width,
    height,
    looks: [
      outputs(width, height, near, 11),
      outputs(width, height, wide, 12, { zoomOut: WIDE_LOOK.zoomOut }),
    ],
    options: Math.max(width, height) > DETECTOR_INPUT_SIZE ? { ...options, closeLook: false } : options,
  });
  const close = (
    name: string,
    width: number,
    height: number,
    near: Faces,
    wide: Faces | undefined,
    tiles: (Faces | null)[],
    options?: DetectionOptions,
  ) => {
    const regions = closeLookTiles(width, height);
    expect(regions, name).toHaveLength(tiles.length);
    const quiet = CLOSE_LOOK.hintScore / 2;
    return {
      name,
      width,
      height,
      looks: [
        outputs(width, height, near, 21, {}, quiet),
        ...(wide ? [outputs(width, height, wide, 22, { zoomOut: WIDE_LOOK.zoomOut }, quiet)] : []),
        ...tiles.flatMap((faces, t) =>
          faces ? [outputs(width, height, faces, 30 + t, { region: regions[t]! }, quiet)] : [],
        ),
      ],
      options,
    };
  };
  // 640×480: tiles of 384 at (0, 0), (256, 0), (0, 96), (256, 96); a face is small under 102.4 px
  // (CLOSE_LOOK.keepSide × 640) and cut within 12.8 px of an inner tile edge.
  const nearFace = { x: 320, y: 240, side: 150, score: 0.9 };
  // Hints of small faces (scores between CLOSE_LOOK.hintScore and 0.5), one in each tile alone.
  const hint = (x: number, y: number) => ({ x, y, side: 30, score: 0.3, perFace: 1 });
  const hints = [hint(60, 40), hint(600, 40), hint(60, 440), hint(600, 440)];
  const tileFaces: Faces[] = [
    [
      { x: 100, y: 100, side: 40, score: 0.8 }, // a small face the whole photo missed: kept
      { x: 200, y: 250, side: 110, score: 0.99 }, // not small: the whole-photo look's to find
    ],
    [
      { x: 600, y: 60, side: 30, score: 0.6 }, // kept
      { x: 500, y: 250, side: 50, score: 0.75 }, // the same face as the next tile's, which scores higher
    ],
    [
      { x: 100, y: 100, side: 40, score: 0.85 }, // across the tile's top edge: cut, dropped
      { x: 270, y: 400, side: 40, score: 0.7 }, // whole here: kept
    ],
    [
      { x: 270, y: 400, side: 40, score: 0.95 }, // across the tile's left edge: dropped
      { x: 502, y: 252, side: 48, score: 0.85 }, // kept
      { x: 322, y: 242, side: 100, score: 0.97 }, // small, but the whole-photo look's face: dropped
    ],
  ];
  return [
    looks(
      'a tight crop: the usual look finds a part of the face, the wide look the face',
      200,
      200,
      [{ x: 100, y: 90, side: 130, score: 0.93 }],
      [{ x: 100, y: 100, side: 185, score: 0.89 }],
    ),
    looks(
      'a large face and a small one: the large from the wide look, the small kept; a small wide face dropped',
      640,
      480,
      [
        { x: 300, y: 240, side: 300, score: 0.8 },
        { x: 580, y: 60, side: 60, score: 0.9 },
      ],
      [
        { x: 310, y: 250, side: 330, score: 0.85 },
        { x: 100, y: 400, side: 120, score: 0.7 },
      ],
    ),
    looks(
      'only small faces: one look',
      640,
      480,
      [{ x: 300, y: 240, side: 200, score: 0.8 }],
      [{ x: 300, y: 240, side: 300, score: 0.99 }],
    ),
    looks(
      'no face in the usual look: the wide look’s',
      300,
      300,
      [],
      [{ x: 150, y: 160, side: 250, score: 0.7 }],
    ),
    looks(
      'a large face in the usual look, none large in the wide one: the usual look’s faces',
      400,
      400,
      [{ x: 200, y: 200, side: 170, score: 0.75 }],
      [{ x: 200, y: 200, side: 100, score: 0.75 }],
    ),
    looks(
      'joined faces cut at maxFaces 2',
      640,
      480,
      [
        { x: 610, y: 60, side: 50, score: 0.95 },
        { x: 200, y: 240, side: 280, score: 0.8 },
        { x: 610, y: 420, side: 50, score: 0.7 },
      ],
      [
        { x: 205, y: 240, side: 270, score: 0.85 },
        { x: 470, y: 300, side: 200, score: 0.75 },
      ],
      { maxFaces: 2 },
    ),
    looks(
      'a large face scoring below maxFaces small ones still calls the wide look, whose face outscores them',
      640,
      480,
      [
        { x: 60, y: 60, side: 50, score: 0.95 },
        { x: 580, y: 60, side: 50, score: 0.9 },
        { x: 320, y: 260, side: 270, score: 0.6 },
      ],
      [{ x: 320, y: 250, side: 330, score: 0.92 }],
      { maxFaces: 2 },
    ),
    close(
      'the close look: small faces from the tiles, none cut at a tile edge, none twice, none large',
      640,
      480,
      [
        nearFace,
        { x: 100, y: 100, side: 42, score: 0.83 }, // small, found whole at a better score than its tile's
        { x: 600, y: 62, side: 24, score: 0.55 }, // small, its tile's copy (0.6) better
        ...hints,
      ],
      undefined,
      tileFaces,
    ),
    close(
      'the wide look and the close look together, cut at maxFaces 3',
      640,
      480,
      [{ x: 320, y: 240, side: 300, score: 0.8 }, ...hints],
      [{ x: 322, y: 244, side: 320, score: 0.88 }],
      tileFaces,
      { maxFaces: 3 },
    ),
    close(
      'the close look searches only the tiles with a hint of a small face: here the top right one',
      640,
      480,
      // A hint in the top right tile alone; a weak candidate in the bottom left one, but not small.
      [nearFace, hint(600, 40), { x: 150, y: 380, side: 120, score: 0.3, perFace: 1 }],
      undefined,
      [null, [{ x: 600, y: 40, side: 30, score: 0.6 }], null, null],
    ),
    close(
      'a photo whose faces are all large, without a hint: no tile searched',
      640,
      480,
      [nearFace],
      undefined,
      [null, null, null, null],
    ),
    close(
      'a 900×300 panorama, no face found whole: two tiles across, 540×300, one down',
      900,
      300,
      [hint(100, 150), hint(850, 200)],
      [],
      [[{ x: 100, y: 150, side: 60, score: 0.7 }], [{ x: 850, y: 200, side: 40, score: 0.9 }]],
    ),
    close(
      'a photo of 256 px: no close look',
      256,
      200,
      [{ x: 128, y: 100, side: 60, score: 0.9 }],
      undefined,
      [],
    ),
  ];
}

interface LetterboxCase {
  name: string;
  file: Buffer;
  image: RgbaImage;
  /** Letterbox this part of the photo alone (a close-look tile). */
  region?: PhotoRegion;
}

/** Photo sizes whose close-look tiles the example must lay out as core does. */
const TILE_SIZES: [number, number][] = [
  [256, 256],
  [257, 100],
  [640, 480],
  [480, 640],
  [900, 300],
  [1000, 37],
  [1920, 1080],
  [3000, 3000],
  [4032, 3024],
];

function letterboxCases(): LetterboxCase[] {
  const rgb = (name: string, image: RgbaImage): LetterboxCase => {
    const data = new Uint8Array(image.width * image.height * 3);
    for (let i = 0; i < image.width * image.height; i++)
      data.set(image.data.subarray(i * 4, i * 4 + 3), i * 3);
    return { name, file: encodePng(data, image.width, image.height, 3), image };
  };
  const greyLevels = Array.from({ length: 90 * 130 }, (_, i) => (i * 37 + (i % 90) * 11) % 256);
  const cutOut = photo(200, 150, 7, (x, y) =>
    x < 20 || x >= 180 || y < 10 || y >= 140 ? 0 : x < 100 ? 128 : 255,
  );
  for (let p = 0; p < cutOut.data.length; p += 4)
    if (cutOut.data[p + 3] === 0) cutOut.data.set([220, 30, 30], p);
  const tile = (name: string, c: LetterboxCase, region: PhotoRegion): LetterboxCase => ({
    ...c,
    name,
    region,
  });
  return [
    tile('a close-look tile of a 640×480 photo, (256, 96) 384×384', rgb('', photo(640, 480, 8)), {
      x: 256,
      y: 96,
      width: 384,
      height: 384,
    }),
    tile('a 291×317 part of a 301×517 photo, at (10, 200)', rgb('', photo(301, 517, 9)), {
      x: 10,
      y: 200,
      width: 291,
      height: 317,
    }),
    tile(
      'a part of an RGBA cut-out, transparent pixels in it',
      {
        name: '',
        file: encodePng(cutOut.data, 200, 150, 4),
        image: cutOut,
      },
      { x: 0, y: 5, width: 120, height: 100 },
    ),
    rgb('a 640×480 photo (wide; 192 rows high, margins 32)', photo(640, 480, 1)),
    rgb('a 301×517 photo (tall and odd; 149 columns, margin 53.5 → 53)', photo(301, 517, 2)),
    rgb('a 97×61 photo, smaller than the input (enlarged; margin 47.5 → 47)', photo(97, 61, 3)),
    rgb('a 1000×37 sliver (9 rows high, margin 123.5 → 123)', photo(1000, 37, 4)),
    rgb('a 256×256 photo (no reduction)', photo(256, 256, 5)),
    rgb('a 3×2 photo (each pixel spread over many)', photo(3, 2, 6)),
    {
      name: 'a 90×130 grey PNG',
      file: encodePng(Uint8Array.from(greyLevels), 90, 130, 1),
      image: {
        width: 90,
        height: 130,
        data: Uint8Array.from(greyLevels.flatMap((v) => [v, v, v, 255])),
      },
    },
    {
      name: 'a 200×150 RGBA cut-out, transparent and half-transparent (over white)',
      file: encodePng(cutOut.data, 200, 150, 4),
      image: cutOut,
    },
  ];
}

interface SquareCase {
  eyes: [[number, number], [number, number]];
  side: number;
  width: number;
  height: number;
}

/**
 * Eyes and box sides that put faceSquare's roundings on ties (x.5 exactly: the side, the left and top
 * edges), where Math.round (half up) and Python's round (half to even) part.
 */
function squareTies(): SquareCase[] {
  const cases: SquareCase[] = [];
  for (let k = 20; k < 140; k++) {
    const side = ((k + 0.5) / FACE_FRAMING.boxToSide) * FACE_FRAMING.boxToSide;
    const size = Math.round(side);
    const x = 50 + (k % 7) + 0.5 + size / 2 - side * FACE_FRAMING.eyesAcrossCentre;
    const y = 30 + (k % 5) + 0.5 + size / 2 - side * FACE_FRAMING.eyesToCentre;
    cases.push({
      eyes: [
        [x, y],
        [x, y],
      ],
      side: (k + 0.5) / FACE_FRAMING.boxToSide,
      width: 400,
      height: 300,
    });
  }
  return cases;
}

/**
 * Eyes tilted about LEVEL_EYES_DEGREES and well past it, for faceSquare directly: eye lines whose tilt
 * comes out exactly ±5 (turned: the threshold is "less than 5° is level"), a hair under 5 (level), and
 * 6°, 20°, −45°, 90°, ±179° (upside down), some with the square against the photo's edges.
 */
function tiltedSquares(): SquareCase[] {
  const at = (tilt: number, rx: number, ry: number, d: number, side: number): SquareCase => {
    const t = (tilt * Math.PI) / 180;
    return {
      eyes: [
        [rx, ry],
        [rx + d * Math.cos(t), ry + d * Math.sin(t)],
      ],
      side,
      width: 400,
      height: 300,
    };
  };
  return [
    // Right eye (200.25, 150.5), left eye 30.1 px away: the tilt comes out exactly ±5 in both.
    {
      eyes: [
        [200.25, 150.5],
        [230.3151559884089, 153.13036031612432],
      ],
      side: 80,
      width: 400,
      height: 300,
    },
    {
      eyes: [
        [200.25, 150.5],
        [230.3151559884089, 147.86963968387568],
      ],
      side: 80,
      width: 400,
      height: 300,
    },
    at(4.9999999, 120, 100, 40, 90),
    at(-4.9999999, 120, 100, 40, 90),
    at(4, 120, 100, 40, 90),
    at(6, 150.5, 140.25, 35, 85.3),
    at(20, 60, 150, 44, 120), // the square's centre left of its upright one's, against the left edge
    at(-45, 330, 40, 50, 130), // against the top and right edges
    at(90, 200, 150, 38, 100),
    at(179, 250, 270, 41, 110), // upside down, against the bottom edge
    at(-179, 250, 30, 41, 110),
    at(-120.5, 123.4, 210.7, 36.6, 95.5),
  ];
}

interface DecodeCase {
  name: string;
  width: number;
  height: number;
  scores: Float32Array;
  boxes: Float32Array;
  options?: DetectionOptions;
}

/**
 * The detector's outputs for a photo of `width` × `height` holding `faces` (centre and box side in
 * photo pixels), each given by `perFace` anchors of jittered boxes and keypoints and scores from
 * `score` down, put through the photo's letterbox (`exact`: one square box, as given); the other
 * anchors hold junk at low scores.
 */
function outputs(
  width: number,
  height: number,
  faces: readonly {
    x: number;
    y: number;
    side: number;
    score: number;
    perFace?: number;
    exact?: boolean;
    /** Degrees the face (its keypoints) is turned clockwise, in the detector's input. */
    tilt?: number;
  }[],
  seed: number,
  view: DetectorView = {},
  noise = 0.4,
): { scores: Float32Array; boxes: Float32Array } {
  const next = seededRandom(seed);
  const { frame } = detectorInput({ width, height, data: new Uint8Array(width * height * 4) }, 'image', view);
  // Anchors without a face score under `noise`, at boxes anywhere.
  const scores = Float32Array.from({ length: DETECTOR_ANCHORS }, () => next() * noise);
  const boxes = Float32Array.from({ length: DETECTOR_ANCHORS * DETECTOR_BOX_VALUES }, () => next() * 256);
  // Keypoints relative to the face's centre, in box sides: eyes, nose, mouth, ears.
  const points = [-0.18, -0.12, 0.18, -0.12, 0, 0.05, 0, 0.22, -0.45, 0, 0.45, 0];
  let anchor = 7;
  for (const { x, y, side, score, perFace = 4, exact = false, tilt = 0 } of faces) {
    const [cos, sin] = [Math.cos((tilt * Math.PI) / 180), Math.sin((tilt * Math.PI) / 180)];
    for (let k = 0; k < perFace; k++) {
      anchor = (anchor + 131) % DETECTOR_ANCHORS; // spread over both grids, in no particular order
      const jitter = () => (exact ? 0 : (next() - 0.5) * side * 0.08);
      const cx = frame.offsetX + (x + jitter()) / frame.scaleX;
      const cy = frame.offsetY + (y + jitter()) / frame.scaleY;
      const s = (side + jitter()) / frame.scaleX;
      const values = [cx, cy, s, exact ? s : s * (1 + (next() - 0.5) * 0.1)];
      for (let i = 0; i < points.length; i += 2) {
        const [px, py] = [points[i]! * s, points[i + 1]! * s];
        values.push(cx + cos * px - sin * py + jitter() / 4, cy + sin * px + cos * py + jitter() / 4);
      }
      boxes.set(values, anchor * DETECTOR_BOX_VALUES);
      scores[anchor] = k === 0 ? score : score - 0.02 - next() * 0.2;
    }
  }
  return { scores, boxes };
}

function decodeCases(): DecodeCase[] {
  const scene = (
    name: string,
    width: number,
    height: number,
    faces: Parameters<typeof outputs>[2],
    seed: number,
    options?: DetectionOptions,
  ): DecodeCase => ({ name, width, height, ...outputs(width, height, faces, seed), options });
  const three = [
    { x: 320, y: 220, side: 140, score: 0.97 },
    { x: 20, y: 200, side: 90, score: 0.88 }, // past the left edge: square moved inside
    { x: 610, y: 455, side: 80, score: 0.74 }, // in the bottom-right corner
    { x: 450, y: 100, side: 60, score: 0.5, perFace: 1 }, // exactly the threshold: kept
    { x: 150, y: 80, side: 60, score: 0.4999, perFace: 1 }, // just under: dropped
  ];
  const grid = Array.from({ length: 12 }, (_, i) => ({
    x: 80 + (i % 4) * 250,
    y: 100 + Math.floor(i / 4) * 200,
    side: 70 + i * 3,
    score: 0.6 + ((i * 7) % 12) / 40,
  }));
  return [
    scene('640×480: faces at the edges, overlapping candidates, scores at the threshold', 640, 480, three, 1),
    scene('the same through other options (minScore 0.3, overlap 0.5, maxFaces 2)', 640, 480, three, 1, {
      minScore: 0.3,
      overlap: 0.5,
      maxFaces: 2,
    }),
    scene(
      '301×517 (tall, odd letterbox): two faces close enough for their candidates to touch, tied scores',
      301,
      517,
      [
        { x: 100, y: 250, side: 110, score: 0.9, perFace: 6 },
        { x: 190, y: 260, side: 100, score: 0.9, perFace: 6 },
        { x: 150, y: 480, side: 120, score: 0.81 }, // past the bottom edge
      ],
      2,
    ),
    scene(
      '97×61 (enlarged): a face larger than the photo (square shrunk to it)',
      97,
      61,
      [{ x: 50, y: 28, side: 90, score: 0.93, perFace: 5 }],
      3,
    ),
    scene('1000×600: twelve faces, more than maxFaces (the ten best)', 1000, 600, grid, 4),
    scene(
      '256×256 (no letterbox): boxes overlapping at exactly 0.3 (apart) and at 0.356 (one face)',
      256,
      256,
      [
        { x: 60, y: 60, side: 26, score: 0.9, perFace: 1, exact: true },
        { x: 74, y: 60, side: 26, score: 0.8, perFace: 1, exact: true }, // 12 / 40 shared
        { x: 60, y: 180, side: 40, score: 0.85, perFace: 1, exact: true },
        { x: 79, y: 180, side: 40, score: 0.7, perFace: 1, exact: true }, // 21 / 59 shared
      ],
      6,
    ),
    scene('640×480, no face scoring 0.5', 640, 480, [], 5),
    scene(
      '640×480: eye lines tilted 4° (level: upright), 5°, 6°, 20° and −45° (turned), one against the edge',
      640,
      480,
      [
        { x: 100, y: 120, side: 100, score: 0.95, perFace: 1, exact: true, tilt: 4 },
        { x: 260, y: 120, side: 100, score: 0.94, perFace: 1, exact: true, tilt: 5 },
        { x: 420, y: 120, side: 100, score: 0.93, perFace: 1, exact: true, tilt: 6 },
        { x: 120, y: 330, side: 130, score: 0.92, tilt: 20 },
        { x: 330, y: 330, side: 120, score: 0.91, tilt: -45 },
        { x: 600, y: 330, side: 110, score: 0.9, tilt: 20 }, // past the right edge: moved inside
        { x: 540, y: 60, side: 70, score: 0.89, perFace: 1, exact: true, tilt: -6 },
      ],
      7,
    ),
  ];
}

type PyFrame = Record<'width' | 'height' | 'scale_x' | 'scale_y' | 'offset_x' | 'offset_y', number>;
interface PyFace {
  score: number;
  box: [number, number, number, number];
  keypoints: Record<string, [number, number]>;
  /** x, y, size, and the angle when turned. */
  square: number[];
}

/** |got − want| ≤ tolerance × max(1, |want|), with a message naming the value. */
function close(got: number, want: number, what: string, tolerance = 1e-6) {
  expect(Math.abs(got - want), `${what}: python ${got}, core ${want}`).toBeLessThanOrEqual(
    tolerance * Math.max(1, Math.abs(want)),
  );
}

describe('examples/python: the face detector’s input and outputs read as core reads them', () => {
  const boxes = letterboxCases();
  const decodes = decodeCases();
  const ties = squareTies();
  const tilted = tiltedSquares();
  const twoLooks = looksCases();
  let dir = '';
  let looked: { runs: number; faces: number[][] }[] = [];
  let frames: PyFrame[] = [];
  let inputs: Float32Array[] = [];
  let faces: PyFace[][] = [];
  let constants: {
    size: number;
    anchors: number;
    boxValues: number;
    keypoints: string[];
    framing: Record<string, number>;
    levelEyes: number;
    wideLook: Record<string, number>;
    closeLook: Record<string, number>;
    tiles: [number, number, number, number][][];
    squares: number[][];
    tilted: number[][];
    checks: string[];
  };

  beforeAll(async () => {
    if (!python) return;
    dir = await tempFolder('facekit-python-detect-');
    const files = await Promise.all(
      boxes.map(async ({ file, region }, i) => {
        const path = join(dir, `photo-${i}.png`);
        await writeFile(path, file);
        return {
          file: path,
          out: join(dir, `input-${i}.f32`),
          ...(region && { region: [region.x, region.y, region.width, region.height] }),
        };
      }),
    );
    const tampered = join(dir, 'tampered');
    await mkdir(tampered);
    await copyFile(join(SHIPPED_MODELS, 'face-detector.json'), join(tampered, 'face-detector.json'));
    const onnx = await readFile(join(SHIPPED_MODELS, 'face-detector.onnx'));
    onnx[onnx.length - 1]! ^= 1; // one bit of the last weight
    await writeFile(join(tampered, 'face-detector.onnx'), onnx);
    [frames, faces, constants, looked] = await Promise.all([
      runDriver<PyFrame[]>(LETTERBOX_DRIVER, files),
      runDriver<PyFace[][]>(
        DECODE_DRIVER,
        decodes.map((c) => ({
          width: c.width,
          height: c.height,
          scores: Array.from(c.scores),
          boxes: Array.from(c.boxes),
          options: {
            ...(c.options?.minScore !== undefined && { min_score: c.options.minScore }),
            ...(c.options?.overlap !== undefined && { overlap: c.options.overlap }),
            ...(c.options?.maxFaces !== undefined && { max_faces: c.options.maxFaces }),
          },
        })),
      ),
      runDriver<typeof constants>(CONSTANTS_DRIVER, {
        models: [SHIPPED_MODELS, tampered],
        squares: ties,
        tilted,
        tileSizes: TILE_SIZES,
      }),
      runDriver<typeof looked>(
        LOOKS_DRIVER,
        twoLooks.map((c) => ({
          width: c.width,
          height: c.height,
          outputs: c.looks.map(({ scores, boxes }) => [Array.from(scores), Array.from(boxes)]),
          options: {
            ...(c.options?.maxFaces !== undefined && { max_faces: c.options.maxFaces }),
            ...(c.options?.closeLook === false && { close_look: false }),
          },
        })),
      ),
    ]);
    inputs = await Promise.all(
      files.map(async ({ out }) => {
        const bytes = await readFile(out);
        return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      }),
    );
  });

  it.for(boxes.map((c, i) => [c.name, i] as const))('letterbox: %s', ([, i], ctx) => {
    if (missing) ctx.skip(missing);
    const { image, region } = boxes[i]!;
    const { data, frame } = detectorInput(image, 'image', region && { region });
    const py = frames[i]!;
    expect({
      width: py.width,
      height: py.height,
      scaleX: py.scale_x,
      scaleY: py.scale_y,
      offsetX: py.offset_x,
      offsetY: py.offset_y,
    }).toEqual(frame);
    const got = inputs[i]!;
    expect(got).toHaveLength(data.length);
    let worst = 0;
    for (let j = 1; j < data.length; j++)
      if (Math.abs(got[j]! - data[j]!) > Math.abs(got[worst]! - data[worst]!)) worst = j;
    const [y, x, c] = [Math.floor(worst / 768), Math.floor(worst / 3) % 256, worst % 3];
    expect(
      Math.abs(got[worst]! - data[worst]!),
      `largest difference at input row ${y}, column ${x}, channel ${c}: python ${got[worst]}, core ${data[worst]}`,
    ).toBeLessThanOrEqual(1e-3);
  });

  it.for(decodes.map((c, i) => [c.name, i] as const))('decoding: %s', ([, i], ctx) => {
    if (missing) ctx.skip(missing);
    const c = decodes[i]!;
    const { frame } = detectorInput({
      width: c.width,
      height: c.height,
      data: new Uint8Array(c.width * c.height * 4),
    });
    const want = readDetections(c.scores, c.boxes, frame, c.options);
    const got = faces[i]!;
    // x, y and size identical; the angle (when turned) within 4 ulps: V8's Math.atan2 (fdlibm) and
    // Python's math.atan2 (the C library's) part by an ulp on some inputs.
    expect(got.map((f) => f.square.slice(0, 3))).toEqual(want.map((f) => [f.crop.x, f.crop.y, f.crop.size]));
    want.forEach(({ crop: { angle } }, n) => {
      expect(got[n]!.square.length, `face ${n} turned in python as in core (angle ${angle})`).toBe(
        angle ? 4 : 3,
      );
      if (angle) close(got[n]!.square[3]!, angle, `face ${n} angle`, 1e-15);
    });
    want.forEach((face, n) => {
      const py = got[n]!;
      close(py.score, face.score, `face ${n} score`);
      const { x, y, width, height } = face.box;
      [x, y, width, height].forEach((v, k) => close(py.box[k]!, v, `face ${n} box[${k}]`));
      for (const name of FACE_KEYPOINTS) {
        close(py.keypoints[name]![0], face.keypoints[name].x, `face ${n} ${name}.x`);
        close(py.keypoints[name]![1], face.keypoints[name].y, `face ${n} ${name}.y`);
      }
    });
  });

  it.for(twoLooks.map((c, i) => [c.name, i] as const))('two looks: %s', async ([, i], ctx) => {
    if (missing) ctx.skip(missing);
    const c = twoLooks[i]!;
    let runs = 0;
    const want = await detectFaces(
      { width: c.width, height: c.height, data: new Uint8Array(c.width * c.height * 4) },
      async () => c.looks[runs++]!,
      c.options,
    );
    expect(looked[i]).toEqual({
      runs,
      faces: want.map((f) =>
        [f.score, f.crop.x, f.crop.y, f.crop.size].map((v, k) => (k ? v : Math.fround(v))),
      ),
    });
  });

  it('the two-look cases cover what they say: runs, and where each answer’s faces come from', async () => {
    const answers = await Promise.all(
      twoLooks.map(async (c) => {
        let runs = 0;
        const faces = await detectFaces(
          { width: c.width, height: c.height, data: new Uint8Array(c.width * c.height * 4) },
          async () => c.looks[runs++]!,
          c.options,
        );
        return {
          runs,
          sides: faces.map((f) => f.crop.size),
          scores: faces.map((f) => Math.round(f.score * 100) / 100),
        };
      }),
    );
    // Runs, and each face's square: from the wide look (large), or the usual look's (small ones, and
    // the 184-pixel face of the fifth, kept as no wide face is large); the seventh's large face, though
    // its usual-look face scored below the cut at maxFaces.
    expect(answers.slice(0, 7).map(({ runs, sides }) => ({ runs, sides }))).toEqual([
      { runs: 2, sides: [198] },
      { runs: 2, sides: [66, 354] },
      { runs: 1, sides: [216] },
      { runs: 2, sides: [268] },
      { runs: 2, sides: [184] },
      { runs: 2, sides: [54, 290] },
      { runs: 2, sides: [54, 354] },
    ]);
    // The close look, by the scores given: the whole photo's large face (0.9) or the wide look's (0.88),
    // then the small faces of the whole photo and the tiles, each once at its better score (0.85, not
    // 0.75; 0.83 found whole, not 0.8; 0.6, not 0.55 found whole), the copy cut at a tile edge left out
    // (0.95 and 0.85 for faces kept whole at 0.7 and 0.8), as are the tile face that is not small (0.99)
    // and the one that is the whole photo's large face (0.97).
    expect(answers.slice(7)).toEqual([
      { runs: 5, sides: [165, 53, 46, 45, 33], scores: [0.9, 0.85, 0.83, 0.7, 0.6] },
      { runs: 6, sides: [347, 53, 43], scores: [0.88, 0.85, 0.8] },
      { runs: 2, sides: [165, 33], scores: [0.9, 0.6] },
      { runs: 1, sides: [165], scores: [0.9] },
      { runs: 4, sides: [44, 65], scores: [0.9, 0.7] },
      { runs: 1, sides: [66], scores: [0.9] },
    ]);
  });

  it('the decoding cases cover what they say: faces dropped, merged, clamped and cut at maxFaces', () => {
    const counts = decodes.map((c) => {
      const { frame } = detectorInput({
        width: c.width,
        height: c.height,
        data: new Uint8Array(c.width * c.height * 4),
      });
      return readDetections(c.scores, c.boxes, frame, c.options).length;
    });
    expect(counts).toEqual([4, 2, 3, 1, 10, 3, 0, 7]);
    const tilted = decodes.at(-1)!;
    const { frame } = detectorInput({
      width: tilted.width,
      height: tilted.height,
      data: new Uint8Array(tilted.width * tilted.height * 4),
    });
    // In score order: 4° upright, 5° and 6° turned (the 5° face's tilt lands a hair over 5 here), 20°,
    // −45°, 20° at the edge, −6°.
    const angles = readDetections(tilted.scores, tilted.boxes, frame).map((f) => f.crop.angle ?? 0);
    expect(angles.slice(0, 3).map((a) => Math.round(a))).toEqual([0, 5, 6]); // exact keypoints
    // jittered keypoints, merged: within a few degrees of the tilt given
    [20, -45, 20, -6].forEach((tilt, n) => expect(Math.abs(angles[3 + n]! - tilt)).toBeLessThan(3));
  });

  it('faceSquare on rounding ties (half up, as Math.round)', (ctx) => {
    if (missing) ctx.skip(missing);
    const want = ties.map(({ eyes: [[rx, ry], [lx, ly]], side, width, height }) => {
      const { x, y, size } = faceSquare(
        { right: { x: rx, y: ry }, left: { x: lx, y: ly } },
        side,
        width,
        height,
      );
      return [x, y, size];
    });
    expect(constants.squares).toEqual(want);
    // The cases hold what they say: many sides and edges fall on x.5 exactly.
    const halves = ties.flatMap(({ eyes: [[x, y]], side }) => {
      const s = side * FACE_FRAMING.boxToSide;
      const size = Math.round(s);
      return [
        s,
        x + s * FACE_FRAMING.eyesAcrossCentre - size / 2,
        y + s * FACE_FRAMING.eyesToCentre - size / 2,
      ];
    });
    expect(halves.filter((v) => v - Math.floor(v) === 0.5).length).toBeGreaterThan(150);
  });

  it('faceSquare on tilted eyes: turned from LEVEL_EYES_DEGREES on, its centre offset turned too', (ctx) => {
    if (missing) ctx.skip(missing);
    const want = tilted.map(({ eyes: [[rx, ry], [lx, ly]], side, width, height }) =>
      faceSquare({ right: { x: rx, y: ry }, left: { x: lx, y: ly } }, side, width, height),
    );
    // x, y and size identical, the angle within 4 ulps (see the decoding cases).
    expect(constants.tilted.map((s) => s.slice(0, 3))).toEqual(want.map(({ x, y, size }) => [x, y, size]));
    want.forEach(({ angle }, n) => {
      expect(constants.tilted[n]!.length, `square ${n} turned in python as in core (angle ${angle})`).toBe(
        angle ? 4 : 3,
      );
      if (angle) close(constants.tilted[n]![3]!, angle, `square ${n} angle`, 1e-15);
    });
    // The cases hold what they say: two exactly at ±5° (turned), two a hair under (upright).
    expect(want.slice(0, 4).map((c) => c.angle ?? 0)).toEqual([5, -5, 0, 0]);
  });

  it('the constants are core’s: input size, anchors, box values, keypoints, FACE_FRAMING, LEVEL_EYES_DEGREES, WIDE_LOOK, CLOSE_LOOK and its tiles', (ctx) => {
    if (missing) ctx.skip(missing);
    const camel = (key: string) => key.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
    expect({
      size: constants.size,
      anchors: constants.anchors,
      boxValues: constants.boxValues,
      keypoints: constants.keypoints,
      framing: Object.fromEntries(Object.entries(constants.framing).map(([k, v]) => [camel(k), v])),
      levelEyes: constants.levelEyes,
      wideLook: Object.fromEntries(Object.entries(constants.wideLook).map(([k, v]) => [camel(k), v])),
      closeLook: Object.fromEntries(Object.entries(constants.closeLook).map(([k, v]) => [camel(k), v])),
      tiles: constants.tiles.map((tiles) => tiles.map(([x, y, width, height]) => ({ x, y, width, height }))),
    }).toEqual({
      size: DETECTOR_INPUT_SIZE,
      anchors: DETECTOR_ANCHORS,
      boxValues: DETECTOR_BOX_VALUES,
      keypoints: [...FACE_KEYPOINTS],
      framing: FACE_FRAMING,
      levelEyes: LEVEL_EYES_DEGREES,
      wideLook: WIDE_LOOK,
      closeLook: CLOSE_LOOK,
      tiles: TILE_SIZES.map(([w, h]) => closeLookTiles(w, h)),
    });
  });

  it('the shipped detector passes the sha256 check; one bit changed, it is refused, naming both sums', (ctx) => {
    if (missing) ctx.skip(missing);
    const [shipped, tampered] = constants.checks;
    expect(shipped).toBe(join(SHIPPED_MODELS, 'face-detector.onnx'));
    expect(tampered).toMatch(
      /^refused: .*face-detector\.onnx has sha256 [0-9a-f]{64}, but face-detector\.json expects b415af9b/,
    );
  });
});
