/**
 * `pnpm export:detector`: BlazeFace from @vladmandic/human → models/face-detector.onnx, verified
 * against tfjs on real faces and seeded noise, with models/face-detector.json beside it. Each file is
 * written atomically, and only after verification passed: a failed export leaves models/ as it was.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { pathArg } from '@facekit/train';
import {
  checkFlags,
  dataFileFlag,
  folderToWrite,
  parseCommandArgs,
  pathForUser,
  projectRoot,
  runCommand,
  wholeNumber,
  writeFileAtomic,
} from '@facekit/core/node';
import { OPSET } from '../onnx/proto.js';
import { exportDetector } from './export-detector.js';
import { csvFaceImages } from './face-images.js';
import { DETECTOR_FILE, detectorProvenance, PROVENANCE_FILE } from './provenance.js';
import { readDetectorSource, SOURCE_PACKAGE, SOURCE_VERSION } from './source.js';
import { noiseImages, verifyDetector } from './verify-detector.js';

const DEFAULT_FACES = 1;
const DEFAULT_NOISE = 2;

const HELP = `Usage: pnpm export:detector [options]

Converts the BlazeFace face detector (MediaPipe full-range, from ${SOURCE_PACKAGE} ${SOURCE_VERSION})
to ONNX (opset ${OPSET}), checks it against the original tfjs graph model on real faces and seeded
noise (tfjs's cpu backend: about a second an image), and writes ${DETECTOR_FILE} and
${PROVENANCE_FILE} (source, hashes, interface, anchors, licences, verification figures). The same
source always gives the same ONNX bytes.

Options:
  --out <dir>      output folder (default: models/)
  --data <file>    CSV whose first faces are checked (default: $FACEKIT_DATA, data/age_gender.csv,
                   ../shared/data/utkface48.csv; noise images only if none)
  --faces <n>      real faces checked (default: ${DEFAULT_FACES})
  --noise <n>      seeded noise images checked (default: ${DEFAULT_NOISE})
  -h, --help       this help
`;

async function main(): Promise<number> {
  tf.env().set('PROD', true); // no "install tfjs-node" banner
  const { values } = parseCommandArgs(HELP, {
    options: {
      out: { type: 'string' },
      data: { type: 'string' },
      faces: { type: 'string', default: String(DEFAULT_FACES) },
      noise: { type: 'string', default: String(DEFAULT_NOISE) },
    },
  });
  const root = projectRoot();
  const { outDir, faces, noise } = checkFlags(HELP, () => {
    const out = folderToWrite('out', values.out, join(root, 'models'));
    return {
      outDir: out,
      faces: wholeNumber('faces', values.faces, 0),
      noise: wholeNumber('noise', values.noise, 0),
    };
  });
  const dataPath = dataFileFlag(HELP, values.data);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const rel = (p: string) => pathArg(p, root);

  const source = await readDetectorSource();
  log(`source: ${SOURCE_PACKAGE} ${source.version} (${pathForUser(source.packageDir)})`);
  const exported = exportDetector(source);
  log(`converted: ${exported.nodes} ONNX nodes, ${exported.bytes.length} bytes`);
  if (!dataPath && faces > 0) log('note: no data file found; checking on noise images only');
  const real = dataPath ? await csvFaceImages(dataPath, faces) : { images: new Float32Array(0), count: 0 };
  const random = noiseImages(noise);
  const images = new Float32Array(real.images.length + random.length);
  images.set(real.images);
  images.set(random, real.images.length);
  log(`verifying on ${real.count} real face(s) and ${noise} noise image(s) …`);
  const verification = await verifyDetector(source, exported, images, real.count);
  const command = [
    'pnpm export:detector',
    ...(values.out ? [`--out ${rel(outDir)}`] : []),
    ...(values.data && dataPath ? [`--data ${rel(dataPath)}`] : []),
    ...(faces !== DEFAULT_FACES ? [`--faces ${faces}`] : []),
    ...(noise !== DEFAULT_NOISE ? [`--noise ${noise}`] : []),
  ].join(' ');
  const provenance = detectorProvenance(source, exported, verification, command);
  // The ONNX first: a reader trusts the file only when its sha256 matches the JSON written after it.
  await writeFileAtomic(join(outDir, DETECTOR_FILE), exported.bytes);
  await writeFileAtomic(join(outDir, PROVENANCE_FILE), `${JSON.stringify(provenance, null, 2)}\n`);
  const { scores, boxes } = verification.maxAbsDiff;
  const diffs = (d: { scores: number; boxes: number }) =>
    `scores ${d.scores.toExponential(2)}, boxes ${d.boxes.toExponential(2)} px`;
  log(`max abs diff vs tfjs: ${diffs({ scores, boxes })} (onnxruntime-node)`);
  if (verification.web) log(`max abs diff vs tfjs: ${diffs(verification.web)} (onnxruntime-web)`);
  log(`best face score per image: ${verification.bestScores.map((s) => s.toFixed(3)).join(', ')}`);
  log(
    `wrote ${pathForUser(join(outDir, DETECTOR_FILE))} (${(exported.bytes.length / 1024).toFixed(1)} KiB) and ${PROVENANCE_FILE}`,
  );
  return 0;
}

runCommand(HELP, main);
