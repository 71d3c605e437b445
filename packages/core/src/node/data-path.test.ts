import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FaceKitError } from '../errors.js';
import { defaultDataCandidates, defaultDataFile, resolveDataPath } from './data-path.js';
import { tempFolder } from '../../../../tests/support/temp-folder.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('resolveDataPath', () => {
  it('says a folder given as --data is not a file', async () => {
    const dir = await tempFolder('facekit-data-');
    expect(() => resolveDataPath(dir)).toThrow(FaceKitError);
    expect(() => resolveDataPath(dir)).toThrow(`--data ${dir}: ${dir} is a folder, not a file`);
  });

  it('says a folder in $FACEKIT_DATA is not a file', async () => {
    const dir = await tempFolder('facekit-data-');
    vi.stubEnv('FACEKIT_DATA', dir);
    expect(() => resolveDataPath()).toThrow(`FACEKIT_DATA=${dir}: ${dir} is a folder, not a file`);
  });

  it('still says when the file does not exist', async () => {
    const path = join(await tempFolder('facekit-data-'), 'missing.csv');
    expect(() => resolveDataPath(path)).toThrow(`--data ${path}: no such file (${path})`);
  });
});

describe('defaultDataFile', () => {
  it('is $FACEKIT_DATA when that file exists, and an error naming it when it names no file', async () => {
    const dir = await tempFolder('facekit-data-');
    const csv = join(dir, 'faces.csv');
    await writeFile(csv, 'age,ethnicity,gender,img_name,pixels\n');
    vi.stubEnv('FACEKIT_DATA', csv);
    expect(defaultDataFile()).toBe(csv);
    // Not generated faces without a word (pnpm export:detector checked on noise alone), nor EISDIR.
    const missing = join(dir, 'missing.csv');
    vi.stubEnv('FACEKIT_DATA', missing);
    expect(() => defaultDataFile()).toThrow(`FACEKIT_DATA=${missing}: no such file (${missing})`);
    vi.stubEnv('FACEKIT_DATA', dir);
    expect(() => defaultDataFile()).toThrow(`FACEKIT_DATA=${dir}: ${dir} is a folder, not a file`);
  });

  it('is otherwise the first default that exists, as training would use', () => {
    vi.stubEnv('FACEKIT_DATA', '');
    expect(defaultDataFile()).toBe(defaultDataCandidates().find((p) => existsSync(p)));
  });
});
