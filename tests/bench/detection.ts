/**
 * `pnpm bench:detection`: how well the face detector hands the classifiers their faces. Faces of the
 * shipped models' test part (the split is rebuilt from the data file, seed and fraction the manifest
 * records) are pasted into photos of 240–640 px at a known square of 15–60 % of the shorter side
 * (tests/support/face-scene.ts), the detector (models/face-detector.onnx) and the classifiers
 * (onnxruntime-node) run on each, and it prints: how many faces were found, how well the detector's
 * square matches the true one, and each task's accuracy from the true square, the detector's square
 * (core's detectFaces, as the server and the web demo find faces), the square of its usual look alone
 * (before the wide look of WIDE_LOOK), and the photo's centre square (what a photo sent without a crop
 * got before there was a detector). `--sizes 60-100` puts the faces in photos they fill, up to tight
 * crops (the whole photo the face's square).
 *
 * `--turn` tilts the pasted faces, to see what a tilted head costs (the square stays upright). `--fit`
 * instead measures, on faces of the training part, where the eyes and the box lie in the true
 * square: the constants of core's FACE_FRAMING. `--write <folder>` also keeps the photos, named as
 * UTKFace names its faces, and their faces as CSV rows, for `pnpm evaluate --photos … --detect` and
 * `--data`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  DETECTOR_BOXES_NAME,
  DETECTOR_INPUT_NAME,
  DETECTOR_INPUT_SHAPE,
  DETECTOR_SCORES_NAME,
  TASKS,
  centreSquare,
  closeLookTiles,
  detectFaces,
  detectorInput,
  imageToPixels,
  inputShape,
  parseManifest,
  pixelsToModelInput,
  readDetections,
  taskOutputName,
  WIDE_LOOK,
  type DetectedFace,
  type DetectorOutputs,
  type RgbaImage,
  type Task,
} from '@facekit/core';
import sharp from 'sharp';
import {
  checkFlags,
  existingFileFlag,
  folderToWrite,
  parseCommandArgs,
  percentiles,
  refuseFlags,
  wholeNumberFlag,
} from '@facekit/core/node';
import { facePixels, findDuplicates, loadCsv, splitDataset, taskTargets } from '@facekit/train';
import { faceScene, sceneLayout, squareOverlap } from '../support/face-scene.js';
import { dataFile, SHIPPED_MODELS } from '../support/paths.js';

const HELP = `Usage: pnpm bench:detection [options]
  --faces <n>   faces to paste into photos (default 500)
  --fit         measure FACE_FRAMING's constants on the training part instead
  --turn <deg>  turn each pasted face by this many degrees, alternately each way (default 0):
                how much a tilted head costs, the square being upright
  --sizes <a-b> the face's side, in percent of the photo's shorter side (default 15-60); 100-100:
                tight crops, square photos the face fills
  --pixels <a-b> the face's side in photo pixels instead (4 ≤ a ≤ b ≤ 240): how small a face can
                be and still be found and answered
  --no-close    without detectFaces' close look (CLOSE_LOOK's tiles), as live webcam frames are searched
  --data <csv>  the data file the shipped models were trained on (default: as pnpm train finds it)
  --write <dir> also write the photos to <dir>/photos (PNG, named age_gender_race_… as UTKFace
                names its faces) and their faces to <dir>/rows.csv, for pnpm evaluate
  -h, --help    this help
`;

const { values } = parseCommandArgs(HELP, {
  options: {
    faces: { type: 'string', default: '500' },
    fit: { type: 'boolean', default: false },
    turn: { type: 'string', default: '0' },
    sizes: { type: 'string', default: '15-60' },
    pixels: { type: 'string' },
    'no-close': { type: 'boolean', default: false },
    data: { type: 'string' },
    write: { type: 'string' },
  },
});
const writeTo =
  values.write === undefined ? undefined : checkFlags(HELP, () => folderToWrite('write', values.write!, ''));
const rowsCsv = ['age,ethnicity,gender,img_name,pixels'];
const count = wholeNumberFlag(HELP, 'faces', values.faces, 1);
const turn = (wholeNumberFlag(HELP, 'turn', values.turn, 0, 90) * Math.PI) / 180;
const sizes = /^(\d+)-(\d+)$/.exec(values.sizes);
if (!sizes || !(Number(sizes[1]) >= 5 && Number(sizes[1]) <= Number(sizes[2]) && Number(sizes[2]) <= 100))
  refuseFlags(HELP, `--sizes must be two percentages a-b with 5 ≤ a ≤ b ≤ 100, got ${values.sizes}`);
const sides = { from: Number(sizes[1]) / 100, span: (Number(sizes[2]) - Number(sizes[1])) / 100 };
const pixelRange = values.pixels === undefined ? undefined : /^(\d+)-(\d+)$/.exec(values.pixels);
if (values.pixels !== undefined && values.sizes !== '15-60')
  refuseFlags(HELP, "--sizes and --pixels both set the face's side: give one");
const pixels = pixelRange ? { from: Number(pixelRange[1]), to: Number(pixelRange[2]) } : undefined;
if (
  values.pixels !== undefined &&
  !(pixels && pixels.from >= 4 && pixels.from <= pixels.to && pixels.to <= 240)
)
  refuseFlags(HELP, `--pixels must be two sides a-b in pixels with 4 ≤ a ≤ b ≤ 240, got ${values.pixels}`);
const dataPath = existingFileFlag(HELP, 'data', values.data) ?? checkFlags(HELP, dataFile);
if (!dataPath) refuseFlags(HELP, 'no data file found: name it with --data');

const manifest = parseManifest(JSON.parse(await readFile(join(SHIPPED_MODELS, 'manifest.json'), 'utf8')));
const training = manifest.models.age!.training;
const csv = await loadCsv(dataPath);
if (csv.sha256 !== training.dataSha256)
  refuseFlags(HELP, `${dataPath} is not the file the shipped models were trained on (sha256 differs)`);
const dataset = csv.dataset;
const split = splitDataset(dataset, findDuplicates(dataset), {
  testFraction: training.testFraction,
  validationFraction: 0.1,
  seed: training.seed,
  ageGrouping: 'six',
});
// Spread evenly over the part: the data file is sorted by age, so its first rows are all children.
const part = values.fit ? split.train : split.test;
const rows = Array.from(
  { length: Math.min(count, part.length) },
  (_, i) => part[Math.floor((i * part.length) / Math.min(count, part.length))]!,
);

// Made once every flag and the data file are known good: a refused run leaves no folder behind.
if (writeTo) await mkdir(join(writeTo, 'photos'), { recursive: true });

const options = { intraOpNumThreads: 2, interOpNumThreads: 1 };
const detector = await ort.InferenceSession.create(join(SHIPPED_MODELS, 'face-detector.onnx'), options);
const classifier = await ort.InferenceSession.create(join(SHIPPED_MODELS, 'shared', 'model.onnx'), options);

/** Milliseconds in detectFaces, its detector runs and the close look's tiles (searched, laid out). */
let detecting = 0;
let runs = 0;
const tiles = { searched: 0, laidOut: 0 };

/**
 * The faces as the server and the web demo find them (core's detectFaces), whether it took the wide
 * look, and the faces of its usual look alone as before the wide look: readDetections on the outputs of
 * detectFaces' first run, not a run of its own.
 */
async function detect(
  photo: RgbaImage,
): Promise<{ faces: DetectedFace[]; wide: boolean; near: DetectedFace[] }> {
  const looks: DetectorOutputs[] = [];
  const started = performance.now();
  const faces = await detectFaces(
    photo,
    async (input) => {
      const out = await detector.run({
        [DETECTOR_INPUT_NAME]: new ort.Tensor('float32', input, DETECTOR_INPUT_SHAPE),
      });
      const scores = out[DETECTOR_SCORES_NAME]!.data as Float32Array;
      const boxes = out[DETECTOR_BOXES_NAME]!.data as Float32Array;
      looks.push({ scores, boxes });
      return { scores, boxes };
    },
    { closeLook: !values['no-close'] },
  );
  detecting += performance.now() - started;
  const near = readDetections(looks[0]!.scores, looks[0]!.boxes, detectorInput(photo).frame);
  runs += looks.length;
  // The wide look's second run is taken when the usual look finds no face or a large one (WIDE_LOOK).
  const longer = Math.max(photo.width, photo.height);
  const wide =
    near.length === 0 || near.some((f) => (f.box.width + f.box.height) / 2 >= WIDE_LOOK.nearSide * longer);
  if (!values['no-close']) {
    tiles.searched += looks.length - 1 - (wide ? 1 : 0);
    tiles.laidOut += closeLookTiles(photo.width, photo.height).length;
  }
  return { faces, wide, near };
}

async function classify(faces: Uint8Array[]): Promise<Record<Task, number[]>> {
  const input = new ort.Tensor('float32', pixelsToModelInput(faces), inputShape(faces.length));
  const out = await classifier.run({ image: input });
  const argmax = (task: Task) => {
    const probs = out[taskOutputName(task)]!.data as Float32Array;
    const k = probs.length / faces.length;
    return faces.map((_, i) => {
      const row = Array.from(probs.subarray(i * k, i * k + k));
      return row.indexOf(Math.max(...row));
    });
  };
  return Object.fromEntries(TASKS.map((t) => [t, argmax(t)])) as Record<Task, number[]>;
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const spread = (v: number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));
/** The middle measurement, by the benchmarks' one percentile rule. */
const median = (values: number[]) => percentiles(values)(0.5);

const fit = {
  span: [] as number[],
  box: [] as number[],
  down: [] as number[],
  across: [] as number[],
  boxDown: [] as number[],
  boxAcross: [] as number[],
};
const chosen = {
  truth: [] as Uint8Array[],
  found: [] as Uint8Array[],
  near: [] as Uint8Array[],
  centre: [] as Uint8Array[],
};
const overlaps: number[] = [];
const found: number[] = [];
const foundNear: number[] = [];
let missed = 0;
/**
 * Faces, misses and right answers by the face's side: as a share of the photo's shorter side (quarters
 * of --sizes), or in pixels (quarters of --pixels).
 */
const edges = pixels
  ? [1, 2, 3].map((q) => pixels.from + ((pixels.to - pixels.from) * q) / 4)
  : values.sizes === '15-60'
    ? [0.2, 0.3, 0.45]
    : sides.span === 0
      ? []
      : [1, 2, 3].map((q) => sides.from + (sides.span * q) / 4);
const bySize = [...edges, Infinity].map((below) => ({ below, faces: 0, missed: 0 }));
/** The band of each pasted face (in `rows`' order) and of each face found (in `found`'s order). */
const bandOfRow: number[] = [];
const bandOfFound: number[] = [];
let extra = 0;
/** Photos the detector ran twice on (the wide look). */
let twice = 0;
for (const [n, row] of rows.entries()) {
  const { width, height, square } = sceneLayout(row, sides, pixels);
  const photo = faceScene(
    [{ face: facePixels(dataset, row), square, turn: n % 2 ? -turn : turn }],
    width,
    height,
    row,
  );
  if (writeTo) {
    const [age, ethnicity, gender] = [dataset.age[row]!, dataset.ethnicity[row]!, dataset.gender[row]!];
    const name = `${age}_${gender}_${ethnicity}_${String(n).padStart(6, '0')}.r${row}.jpg.chip.png`;
    const raw = { raw: { width, height, channels: 4 as const } };
    await writeFile(join(writeTo, 'photos', name), await sharp(photo.data, raw).png().toBuffer());
    rowsCsv.push(`${age},${ethnicity},${gender},${name},${Array.from(facePixels(dataset, row)).join(' ')}`);
  }
  const { faces, wide, near } = await detect(photo);
  if (wide) twice++;
  extra += Math.max(0, faces.length - 1);
  const best = faces[0];
  if (values.fit) {
    if (!best) missed++;
    else {
      const { rightEye: r, leftEye: l } = best.keypoints;
      fit.span.push(Math.hypot(l.x - r.x, l.y - r.y) / square.size);
      fit.box.push((best.box.width + best.box.height) / 2 / square.size);
      fit.across.push((square.x + square.size / 2 - (l.x + r.x) / 2) / square.size);
      fit.down.push((square.y + square.size / 2 - (l.y + r.y) / 2) / square.size);
      fit.boxAcross.push((square.x + square.size / 2 - (best.box.x + best.box.width / 2)) / square.size);
      fit.boxDown.push((square.y + square.size / 2 - (best.box.y + best.box.height / 2)) / square.size);
    }
    continue;
  }
  chosen.truth.push(imageToPixels(photo, 'photo', square));
  chosen.centre.push(imageToPixels(photo, 'photo', centreSquare(width, height)));
  const side = pixels ? square.size : square.size / Math.min(width, height);
  const bandIndex = bySize.findIndex((b) => side < b.below);
  const band = bySize[bandIndex]!;
  band.faces++;
  bandOfRow.push(bandIndex);
  if (!best) {
    missed++;
    band.missed++;
  } else {
    overlaps.push(squareOverlap(best.crop, square));
    found.push(row);
    bandOfFound.push(bandIndex);
    chosen.found.push(imageToPixels(photo, 'photo', best.crop));
  }
  const [nearBest] = near;
  if (nearBest) {
    foundNear.push(row);
    chosen.near.push(imageToPixels(photo, 'photo', nearBest.crop));
  }
  if ((n + 1) % 100 === 0) process.stderr.write(`${n + 1} / ${rows.length}\n`);
}
if (writeTo) {
  await writeFile(join(writeTo, 'rows.csv'), `${rowsCsv.join('\n')}\n`);
  console.log(
    `wrote ${rows.length} photos to ${join(writeTo, 'photos')} and their faces to ${join(writeTo, 'rows.csv')}`,
  );
}
console.log(
  `${rows.length} faces of the ${values.fit ? 'training' : 'test'} part${turn ? `, turned ±${values.turn}°` : ''}: found ${rows.length - missed}, missed ${missed}, ` +
    `${extra} other detections; the wide look on ${twice}; ${values.fit ? '' : `the usual look alone found ${foundNear.length}; `}${(detecting / rows.length).toFixed(0)} ms and ${(runs / rows.length).toFixed(1)} detector runs a photo in detectFaces (letterboxed, detected, the wide and close looks where taken)${values['no-close'] ? '' : `; the close look searched ${tiles.searched} of its ${tiles.laidOut} tiles`}`,
);
if (values.fit) {
  const say = (name: string, v: number[], invert = false) =>
    `${name} ${(invert ? 1 / mean(v) : mean(v)).toFixed(3)} (spread ${((spread(v) / mean(v)) * 100).toFixed(1)} % of the mean)`;
  console.log(say('eyeSpanToSide', fit.span, true));
  console.log(say('boxToSide', fit.box, true));
  console.log(
    `eyesToCentre ${mean(fit.down).toFixed(3)} (spread ${spread(fit.down).toFixed(3)} of the side)`,
  );
  console.log(
    `eyesAcrossCentre ${mean(fit.across).toFixed(3)} (spread ${spread(fit.across).toFixed(3)} of the side)`,
  );
  console.log(
    `boxToCentre ${mean(fit.boxAcross).toFixed(3)}, ${mean(fit.boxDown).toFixed(3)} (spread ${spread(fit.boxAcross).toFixed(3)}, ${spread(fit.boxDown).toFixed(3)} of the side)`,
  );
  // The side from the eyes and the box together, as faceSquare takes it: its spread.
  const both = fit.span.map((s, i) => (s / mean(fit.span) + fit.box[i]! / mean(fit.box)) / 2);
  console.log(`side from both: spread ${(spread(both) * 100).toFixed(1)} %`);
} else {
  console.log(
    `square found vs true: overlap (IoU) median ${median(overlaps).toFixed(3)}, mean ${mean(overlaps).toFixed(3)}, ` +
      `≥ 0.7 for ${((overlaps.filter((o) => o >= 0.7).length / overlaps.length) * 100).toFixed(1)} %`,
  );
  const answers = {
    truth: await classify(chosen.truth),
    found: await classify(chosen.found),
    near: await classify(chosen.near),
    centre: await classify(chosen.centre),
  };
  console.log(
    '\n| task | true square | detected square | usual look alone | centre square (no detection) |\n| --- | --- | --- | --- | --- |',
  );
  for (const task of TASKS) {
    const targets = taskTargets(dataset, task, 'six');
    const accuracy = (got: number[], faces: readonly number[]) =>
      `${((got.filter((k, i) => k === targets[faces[i]!]).length / rows.length) * 100).toFixed(1)} %`;
    console.log(
      `| ${task} | ${accuracy(answers.truth[task], rows)} | ${accuracy(answers.found[task], found)} | ${accuracy(answers.near[task], foundNear)} | ${accuracy(answers.centre[task], rows)} |`,
    );
  }
  console.log('(each over every pasted face: one the detector missed counts as wrong in its column)');
  const label = (i: number) => {
    const at = (v: number) => (pixels ? `${Math.round(v)} px` : `${Math.round(v * 1000) / 10} %`);
    const from = i === 0 ? (pixels ? pixels.from : sides.from) : bySize[i - 1]!.below;
    const to =
      bySize[i]!.below === Infinity ? (pixels ? pixels.to : sides.from + sides.span) : bySize[i]!.below;
    return `${at(from)} – ${at(to)}`;
  };
  const correct = (task: Task, got: number[], faces: readonly number[], bands: number[], band: number) => {
    const targets = taskTargets(dataset, task, 'six');
    return got.filter((k, i) => bands[i] === band && k === targets[faces[i]!]).length;
  };
  console.log(
    `\n| face's side (${pixels ? 'photo pixels' : "share of the photo's shorter side"}) | faces | missed | true square: age / eth / gender | detected square: age / eth / gender |\n| --- | --- | --- | --- | --- |`,
  );
  for (const [i, band] of bySize.entries()) {
    if (band.faces === 0) continue;
    const percents = (got: Record<Task, number[]>, faces: readonly number[], bands: number[]) =>
      TASKS.map((t) => ((correct(t, got[t], faces, bands, i) / band.faces) * 100).toFixed(1)).join(' / ');
    console.log(
      `| ${label(i)} | ${band.faces} | ${band.missed} | ${percents(answers.truth, rows, bandOfRow)} | ${percents(answers.found, found, bandOfFound)} |`,
    );
  }
}
