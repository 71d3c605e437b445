/**
 * `pnpm parity -- --faces 1000 [--data file] [--models dir] [--singles n] [--latency n]`: the parity
 * suite at a size worth reporting — by default 1,000 faces of the shared dataset — by running the
 * same vitest suite CI runs with its size settings in the environment. The report is written to
 * tests/artifacts/parity-report.md and printed at the end.
 */
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACTS, REPO_ROOT } from '../support/paths.js';
import { existingFileFlag, parseCommandArgs, userPath, wholeNumberFlag } from '@facekit/core/node';

const HELP = `Usage: pnpm parity [options]

Runs the cross-runtime parity suite (tfjs, onnxruntime-node CPU and WebGPU, onnxruntime-web in Node and
in Chromium) on real faces, measures per-face latency, and writes tests/artifacts/parity-report.md.

Options:
  --faces <n>     faces of the dataset compared in every runtime (default: 1000)
  --singles <n>   of those, faces also sent one at a time (default: 64)
  --latency <n>   single-face runs timed per runtime (default: 200)
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
  },
});
wholeNumberFlag(HELP, 'faces', values.faces, 1);
wholeNumberFlag(HELP, 'singles', values.singles, 0);
wholeNumberFlag(HELP, 'latency', values.latency, 1);
const dataPath = existingFileFlag(HELP, 'data', values.data);
const env: NodeJS.ProcessEnv = {
  ...process.env,
  FACEKIT_PARITY_FACES: values.faces,
  FACEKIT_PARITY_SINGLES: values.singles,
  FACEKIT_PARITY_LATENCY: values.latency,
  ...(dataPath ? { FACEKIT_DATA: dataPath } : {}),
  ...(values.models ? { FACEKIT_MODELS: userPath(values.models) } : {}),
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
