/**
 * Where the CSV comes from when the user does not say: `--data`, else $FACEKIT_DATA, else
 * `data/age_gender.csv` in the project (the Kaggle file's own name), else the shared copy beside the
 * checkout. If none exists, the error says how to get the data.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaceKitError } from '../errors.js';
import { checkFlags, existingFileFlag, userPath } from './script-args.js';

/** The workspace root: the nearest folder above this file holding pnpm-workspace.yaml. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the project root (pnpm-workspace.yaml)');
    dir = parent;
  }
  return dir;
}

export function defaultDataCandidates(): string[] {
  const root = projectRoot();
  return [join(root, 'data', 'age_gender.csv'), resolve(root, '..', 'shared', 'data', 'utkface48.csv')];
}

/**
 * The CSV used when none is named, if one exists: $FACEKIT_DATA, else the first default found. For the
 * suites and checks that fall back to generated faces instead of stopping as training does. A
 * $FACEKIT_DATA that names no file is an error, as for training: it fell back to generated faces
 * without a word, and a folder failed later as a bare EISDIR.
 */
export function defaultDataFile(): string | undefined {
  const fromEnv = process.env.FACEKIT_DATA;
  if (fromEnv) return checkedDataFile(`FACEKIT_DATA=${fromEnv}`, fromEnv);
  const found = defaultDataCandidates().find((p) => existsSync(p));
  return found && checkedDataFile('the default data file', found);
}

/**
 * `given` resolved against the user's folder, checked to be a file: a folder would otherwise fail
 * later as a bare EISDIR that names no path. `source` says where the path came from.
 */
function checkedDataFile(source: string, given: string): string {
  const path = userPath(given);
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) throw new FaceKitError('DATA_NOT_FOUND', `${source}: no such file (${path})`);
  if (stats.isDirectory())
    throw new FaceKitError('DATA_NOT_FOUND', `${source}: ${path} is a folder, not a file`);
  return path;
}

/**
 * For the commands that fall back to generated faces without a dataset (benches, parity, gpu:check):
 * `--data`'s file, else defaultDataFile()'s; a `--data` or $FACEKIT_DATA naming nothing, or a folder,
 * refuses the command in one line (exit status 2). Undefined when there is no data file at all.
 */
export function dataFileFlag(help: string, value: string | undefined): string | undefined {
  return existingFileFlag(help, 'data', value) ?? checkFlags(help, defaultDataFile);
}

export function resolveDataPath(explicit?: string): string {
  if (explicit) return checkedDataFile(`--data ${explicit}`, explicit);
  const found = defaultDataFile();
  if (found) return found;
  throw new FaceKitError(
    'DATA_NOT_FOUND',
    [
      'No training data found. Looked for:',
      ...defaultDataCandidates().map((p) => `  ${p}`),
      'Download "Age, gender and ethnicity (face data) CSV" from Kaggle',
      '(https://www.kaggle.com/datasets/nipunarora8/age-gender-and-ethnicity-face-data-csv),',
      'save age_gender.csv as data/age_gender.csv, or pass --data <file> or set FACEKIT_DATA.',
    ].join('\n'),
  );
}
