import { execFile } from 'node:child_process';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidImageError, InvalidPhotoNameError } from '@facekit/core';
import { projectRoot } from '@facekit/core/node';
import { evaluateModels } from './evaluate-models.js';
import { evaluationReport } from './evaluation-report.js';
import { loadPhotos, PHOTO_LIMITS } from './load-photos.js';
import { enlarged, sampleFaces, utkfaceName, writePhotos, type LabelledFace } from './test-photos.js';
import { tempFolder } from '../../../../tests/support/temp-folder.js';

const models = join(projectRoot(), 'models');
let dir: string;
let faces: LabelledFace[];

beforeAll(async () => {
  dir = await tempFolder('facekit-load-photos-');
  faces = await sampleFaces(6);
});

/** A fresh folder holding the faces' PNGs and `extra` files (name → bytes). */
async function folder(name: string, extra: Record<string, Uint8Array | string> = {}): Promise<string> {
  const path = join(dir, name);
  await writePhotos(path, faces);
  for (const [file, bytes] of Object.entries(extra)) await writeFile(join(path, file), bytes);
  return path;
}

describe('loadPhotos', () => {
  it('accepts JPEG and WebP photos, within a few grey levels of the face', async () => {
    const path = join(dir, 'formats');
    await mkdir(path);
    const [a, b] = [faces[0]!, faces[1]!];
    await writeFile(
      join(path, utkfaceName(a, 0, 'jpg.chip.jpg')),
      await enlarged(a).jpeg({ quality: 95 }).toBuffer(),
    );
    await writeFile(
      join(path, utkfaceName(b, 1, 'WEBP')),
      await enlarged(b).webp({ quality: 95 }).toBuffer(),
    );
    const { dataset, skipped } = await loadPhotos(path);
    expect([dataset.size, skipped.count]).toEqual([2, 0]);
    // In name order: b's "16_…" before a's "4_…".
    expect([a.age, b.age]).toEqual([4, 16]);
    [b, a].forEach((face, i) => {
      expect([dataset.age[i], dataset.ethnicity[i], dataset.gender[i]]).toEqual([
        face.age,
        face.ethnicity,
        face.gender,
      ]);
      const got = dataset.pixels.subarray(i * 2304, (i + 1) * 2304);
      const off = Math.max(...got.map((v, p) => Math.abs(v - face.pixels[p]!)));
      expect(off, `face ${i}`).toBeGreaterThan(0); // lossy: not the PNG path by accident
      expect(off, `face ${i}`).toBeLessThanOrEqual(8);
    });
  });

  it('stops at a file that is not an image, naming it', async () => {
    const file = '30_0_1_20170116000000000.jpg.chip.jpg';
    const path = await folder('not-an-image', { [file]: 'not a photo\n' });
    const failure = loadPhotos(path);
    await expect(failure).rejects.toBeInstanceOf(InvalidImageError);
    await expect(failure).rejects.toThrow(`${join(path, file)}: is not a PNG, JPEG or WebP image`);
  });

  it('names a file it cannot read', async () => {
    const path = await folder('unreadable');
    // A folder named as a photo, as a link to one would be: read, it fails with no path of its own.
    const odd = join(path, '30_0_1_20170116000000000.jpg');
    await mkdir(odd);
    await symlink(odd, join(path, '30_0_1_20170116000000001.jpg'));
    await expect(loadPhotos(path, { skipInvalid: true })).rejects.toThrow(
      `${join(path, '30_0_1_20170116000000001.jpg')}: cannot be read (EISDIR: illegal operation on a directory, read)`,
    );
  });

  // A named pipe's open waited for a writer and a device was read without end (/dev/zero: gigabytes):
  // neither is opened now. /dev/null stands for the devices here, since reading it ends at once.
  it.skipIf(process.platform === 'win32')(
    'refuses a named pipe or a device named as a photo, at once, naming it',
    async () => {
      const path = await folder('not-files');
      const pipe = join(path, '30_0_1_20170116000000000.jpg');
      await promisify(execFile)('mkfifo', [pipe]);
      await expect(loadPhotos(path, { skipInvalid: true })).rejects.toThrow(
        `${pipe}: cannot be read (it is a named pipe (FIFO), not a file)`,
      );
      await rm(pipe);
      const device = join(path, '30_0_1_20170116000000001.png');
      await symlink('/dev/null', device);
      await expect(loadPhotos(path, { skipInvalid: true })).rejects.toThrow(
        `${device}: cannot be read (it is a character device, not a file)`,
      );
    },
    10_000,
  );

  it('refuses names without their labels, before decoding a photo', async () => {
    const path = await folder('bad-names', { '61_1_20170109150557335.jpg.chip.jpg': 'never decoded' });
    await expect(loadPhotos(path)).rejects.toThrow(
      new InvalidPhotoNameError(
        join(path, '61_1_20170109150557335.jpg.chip.jpg'),
        'race (the name\'s third field) must be an integer 0–4, got "20170109150557335.jpg.ch…" (a date and time: the name has no race); a labelled photo is named age_gender_race_…, as UTKFace names its faces',
      ).message,
    );
  });

  it('with skipInvalid, skips and counts bad names, non-images and photos over the limits', async () => {
    const huge = await sharp({ create: { width: 4200, height: 4100, channels: 3, background: '#888' } })
      .png()
      .toBuffer();
    const path = await folder('skip', {
      '39_1_20170116174525125.jpg.chip.jpg': 'a name without race',
      '30_0_1_20170116000000001.jpg.chip.jpg': 'not a photo',
      '30_0_1_20170116000000002.png': huge,
      '30_0_1_20170116000000003.jpg': new Uint8Array(PHOTO_LIMITS.maxImageBytes + 1),
    });
    const { dataset, skipped } = await loadPhotos(path, { skipInvalid: true });
    expect(dataset.size).toBe(faces.length);
    expect(skipped.count).toBe(4);
    expect(skipped.byReason).toEqual({ name: 1, image: 1, 'too large': 2 });
    expect(skipped.examples).toEqual([
      expect.stringMatching(
        /^.*\/30_0_1_20170116000000001\.jpg\.chip\.jpg: is not a PNG, JPEG or WebP image$/,
      ),
      expect.stringContaining(
        `30_0_1_20170116000000002.png: is 4200×4100 pixels; the limit is ${PHOTO_LIMITS.maxImagePixels} pixels`,
      ),
      expect.stringContaining(
        `30_0_1_20170116000000003.jpg: is a ${PHOTO_LIMITS.maxImageBytes + 1}-byte file; the limit is ${PHOTO_LIMITS.maxImageBytes} bytes`,
      ),
      expect.stringContaining("39_1_20170116174525125.jpg.chip.jpg: race (the name's third field)"),
    ]);
    // Judged on the others, the skipped ones said in the log and the report, as a CSV's bad rows are.
    const lines: string[] = [];
    const evaluation = await evaluateModels({
      modelsDir: models,
      photosDir: path,
      skipInvalid: true,
      log: (l) => lines.push(l),
    });
    expect([evaluation.faces, evaluation.skipped]).toEqual([faces.length, skipped]);
    expect(lines).toContain('4 photos not judged (image: 1, too large: 2, name: 1)');
    expect(lines).toContain(`  skipped ${skipped.examples[0]!}`);
    expect(evaluationReport(evaluation)).toContain(
      `${faces.length} photos (4 photos not judged: image: 1, too large: 2, name: 1), each on its centre square`,
    );
  });

  it('ignores other files, hidden files and subfolders, and says so', async () => {
    const path = await folder('others', {
      'README.md': '# faces\n',
      '.DS_Store': 'x',
      '._1_0_0_2017.jpg': 'AppleDouble',
    });
    await writePhotos(join(path, 'more'), faces);
    const loaded = await loadPhotos(path);
    expect(loaded.dataset.size).toBe(faces.length);
    expect(loaded.ignored).toEqual({ files: 3, folders: 1 });
    const lines: string[] = [];
    await evaluateModels({ modelsDir: models, photosDir: path, log: (l) => lines.push(l) });
    expect(lines).toContain(
      '  ignored: 3 other files (not PNG, JPEG or WebP by name, or hidden) and 1 subfolder (not read)',
    );
  });

  it('refuses an empty folder and one without photos', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await expect(loadPhotos(empty)).rejects.toThrow(
      `${empty}: no PNG, JPEG or WebP files in it (it is empty)`,
    );
    await writeFile(join(empty, 'notes.txt'), 'x');
    await mkdir(join(empty, 'UTKFace'));
    await expect(loadPhotos(empty)).rejects.toThrow(
      `${empty}: no PNG, JPEG or WebP files in it, only 1 other file (not PNG, JPEG or WebP by name, or hidden) and 1 subfolder (not read)`,
    );
  });
});
