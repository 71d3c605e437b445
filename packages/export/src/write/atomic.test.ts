import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { copyDirAtomic, swapIn } from './atomic.js';
import { tempFolder } from '../../../../tests/support/temp-folder.js';

let dir: string;
beforeEach(async () => {
  dir = await tempFolder('facekit-atomic-');
});

describe('swapIn', () => {
  it('puts the previous folder back when the new one cannot be renamed in', async () => {
    const path = join(dir, 'models');
    await mkdir(path);
    await writeFile(join(path, 'manifest.json'), 'previous');
    const old = join(dir, 'models.old');
    await rename(path, old);
    await expect(swapIn(join(dir, 'missing-stage'), path, old)).rejects.toThrow(/ENOENT/);
    expect(await readFile(join(path, 'manifest.json'), 'utf8')).toBe('previous');
    expect(existsSync(old)).toBe(false);
  });

  it('removes the previous folder once the new one is in', async () => {
    const [path, staged, old] = ['models', 'stage', 'models.old'].map((n) => join(dir, n)) as [
      string,
      string,
      string,
    ];
    await mkdir(staged);
    await writeFile(join(staged, 'manifest.json'), 'new');
    await mkdir(old);
    await swapIn(staged, path, old);
    expect(await readFile(join(path, 'manifest.json'), 'utf8')).toBe('new');
    expect(existsSync(old)).toBe(false);
  });
});

describe('copyDirAtomic', () => {
  it('replaces a folder with a copy, and leaves it as it was when the copy fails', async () => {
    const [from, to] = [join(dir, 'from'), join(dir, 'to')];
    await mkdir(from);
    await writeFile(join(from, 'model.json'), 'new');
    await mkdir(to);
    await writeFile(join(to, 'model.json'), 'old');
    await expect(copyDirAtomic(join(dir, 'nothing'), to)).rejects.toThrow(/ENOENT/);
    expect(await readFile(join(to, 'model.json'), 'utf8')).toBe('old');
    await copyDirAtomic(from, to);
    expect(await readFile(join(to, 'model.json'), 'utf8')).toBe('new');
  });
});
