/**
 * `pnpm parity -- --faces 1000 [--data file] [--models dir] [--singles n] [--latency n] [--photos n]`:
 * the parity suite at a size worth reporting — by default 1,000 faces of the shared dataset and 24
 * detector photos — by running the
 * same vitest suite CI runs with its size settings in the environment. The report is written to
 * tests/artifacts/parity-report.md and printed at the end.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACTS, REPO_ROOT } from '../support/paths.js';
import { dataFileFlag, parseCommandArgs, refuseFlags, userPath, wholeNumberFlag } from '@facekit/core/node';

const HELP = `Usage: pnpm parity [options]

Runs the cross-runtime parity suite (tfjs, onnxruntime-node CPU and WebGPU, onnxruntime-web in Node and
in Chromium) on real faces, and the face detector on photos; measures per-face and per-photo latency,
and writes tests/artifacts/parity-report.md.

Options:
  --faces <n>     faces of the dataset compared in every runtime (default: 1000)
  --singles <n>   of those, faces also sent one at a time (default: 64)
  --latency <n>   single-face runs timed per runtime (default: 200)
  --photos <n>    photos (letterboxed, faces pasted in) the face detector runs on in every runtime,
                  besides a black, a white and a noise photo (default: 24)
  --detector-latency <n>
                  detector runs timed per runtime (default: 20)
  --warm-up <s>   seconds each runtime runs untimed before it is timed, at most 1,000 runs (default:
                  10; V8 runs WebAssembly from baseline code for the first seconds)
  --data <file>   CSV (default: $FACEKIT_DATA, data/age_gender.csv, ../shared/data/utkface48.csv;
                  generated faces if none)
  --models <dir>  models to compare (default: models/)
  -h, --help      this help
`;

const { values } = parseCommandArgs(HELP, {
  options: {
    faces: { type: 'string', default: '1000' },
    data: { type: 'string' },
    models: { type: 'string' },
    singles: { type: 'string', default: '64' },
    latency: { type: 'string', default: '200' },
    photos: { type: 'string', default: '24' },
    'detector-latency': { type: 'string', default: '20' },
    'warm-up': { type: 'string', default: '10' },
  },
});
wholeNumberFlag(HELP, 'faces', values.faces, 1);
wholeNumberFlag(HELP, 'singles', values.singles, 0);
wholeNumberFlag(HELP, 'latency', values.latency, 1);
wholeNumberFlag(HELP, 'photos', values.photos, 0);
wholeNumberFlag(HELP, 'detector-latency', values['detector-latency'], 0);
wholeNumberFlag(HELP, 'warm-up', values['warm-up'], 0, 600);
// A wrong $FACEKIT_DATA or $FACEKIT_MODELS is refused here too, in one line: inside the suite it failed
// as a serialized error among vitest's report lines, once per test file.
const dataPath = dataFileFlag(HELP, values.data);
const [modelsSource, modelsDir] =
  values.models !== undefined
    ? [`--models ${values.models}`, userPath(values.models)]
    : process.env.FACEKIT_MODELS
      ? [`FACEKIT_MODELS=${process.env.FACEKIT_MODELS}`, userPath(process.env.FACEKIT_MODELS)]
      : [undefined, undefined];
if (modelsDir && !existsSync(join(modelsDir, 'manifest.json')))
  refuseFlags(HELP, `${modelsSource}: no manifest.json in ${modelsDir} (pnpm export writes one)`);
const env: NodeJS.ProcessEnv = {
  ...process.env,
  FACEKIT_PARITY_FACES: values.faces,
  FACEKIT_PARITY_SINGLES: values.singles,
  FACEKIT_PARITY_LATENCY: values.latency,
  FACEKIT_PARITY_PHOTOS: values.photos,
  FACEKIT_PARITY_DETECTOR_LATENCY: values['detector-latency'],
  FACEKIT_PARITY_WARM_UP: values['warm-up'],
  ...(dataPath ? { FACEKIT_DATA: dataPath } : {}),
  ...(modelsDir ? { FACEKIT_MODELS: modelsDir } : {}),
};
const REPORT = join(ARTIFACTS, 'parity-report.md');
// Only this run's report: an older one left in tests/artifacts would read as this run's verdict.
await rm(REPORT, { force: true });
const child = spawn('pnpm', ['exec', 'vitest', 'run', 'tests/parity'], {
  cwd: REPO_ROOT,
  env,
  stdio: 'inherit',
});
const code = await new Promise<number>((done) => child.on('close', (c) => done(c ?? 1)));
const report = await readFile(REPORT, 'utf8').catch(() => '(this run wrote no report; see the errors above)');
console.log(`\n${report}`);
process.exit(code);
