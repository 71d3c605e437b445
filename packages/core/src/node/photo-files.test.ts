import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderPhotos, ignoredEntries, PHOTO_EXTENSION } from './photo-files.js';
import { tempFolder } from '../../../../tests/support/temp-folder.js';

describe('PHOTO_EXTENSION', () => {
  it('takes PNG, JPEG and WebP by extension in any case, nothing else', () => {
    for (const name of ['a.png', 'a.jpg', 'a.jpeg', 'a.webp', 'a.JPG', 'a.jpg.chip.jpg', 'a.WebP'])
      expect(PHOTO_EXTENSION.test(name), name).toBe(true);
    for (const name of ['a.gif', 'README.md', 'a.jpg.txt', 'jpg', 'a.tiff', '.DS_Store'])
      expect(PHOTO_EXTENSION.test(name), name).toBe(false);
  });
});

describe('folderPhotos', () => {
  it('lists the photos directly in a folder in byte order, counting what it passes over', async () => {
    const dir = await tempFolder('facekit-photo-files-');
    for (const name of ['b.jpg', 'B.PNG', 'a.webp', '._a.jpg', 'notes.txt', '10.jpeg', '9.jpeg'])
      await writeFile(join(dir, name), 'x');
    await mkdir(join(dir, 'more.jpg'));
    const found = await folderPhotos(dir);
    expect(found).toEqual({
      names: ['10.jpeg', '9.jpeg', 'B.PNG', 'a.webp', 'b.jpg'],
      ignored: { files: 2, folders: 1 },
    });
    expect(ignoredEntries(found.ignored)).toBe(
      '2 other files (not PNG, JPEG or WebP by name, or hidden) and 1 subfolder (not read)',
    );
    expect(ignoredEntries({ files: 0, folders: 0 })).toBe('');
  });
});
