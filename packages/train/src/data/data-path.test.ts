import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FaceKitError } from '@facekit/core';
import { resolveDataPath } from './data-path.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('resolveDataPath', () => {
  it('says a directory given as --data is not a CSV file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'facekit-data-'));
    expect(() => resolveDataPath(dir)).toThrow(FaceKitError);
    expect(() => resolveDataPath(dir)).toThrow(`--data ${dir}: ${dir} is a directory, not a CSV file`);
  });

  it('says a directory in $FACEKIT_DATA is not a CSV file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'facekit-data-'));
    vi.stubEnv('FACEKIT_DATA', dir);
    expect(() => resolveDataPath()).toThrow(`FACEKIT_DATA=${dir}: ${dir} is a directory, not a CSV file`);
  });

  it('still says when the file does not exist', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'facekit-data-')), 'missing.csv');
    expect(() => resolveDataPath(path)).toThrow(`--data ${path}: no such file (${path})`);
  });
});
