/**
 * A folder of labelled photos → the in-memory dataset a CSV loads into (train's FaceDataset), so an
 * evaluation takes one path from there on. Each PNG, JPEG or WebP file directly in the folder (by its
 * extension; hidden files and subfolders are passed over) is a face: its labels from its name
 * (photo-name.ts), its grey levels from the server's own decoder — serve's `imageToFace` with the
 * server's default limits, what a `classify` of the photo without a crop gets — or, given a face finder
 * (`--detect`), those of the square the server's face detector puts on the photo's best face, what
 * `classifyFaces` classifies; a photo where it finds none is not judged, and counted. Files are read a few at
 * a time (the decoder decodes at most one per core), so a folder of 20,000 photos is never in memory
 * at once. A bad photo stops the load naming the file, or, with `skipInvalid`, is skipped, counted by
 * reason and reported, as a CSV's bad rows are. The folder's sha256 is that of its photos' sha256sum
 * lines in name order, so a report says exactly which photos it judged.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { FaceKitError, InvalidImageError, InvalidPhotoNameError } from '@facekit/core';
import { folderPhotos, ignoredEntries, notAFile, type FolderPhotos } from '@facekit/core/node';
import { DEFAULT_OPTIONS, fileTooLarge, imageToFace, ServeError, type PhotoFaceFinder } from '@facekit/serve';
import { DatasetBuilder, skippedReasons, type FaceDataset, type SkippedRows } from '@facekit/train';
import { inSlots } from './in-slots.js';
import { parsePhotoName, type PhotoLabels } from './photo-name.js';

export interface LoadedPhotos {
  /** The folder. */
  readonly path: string;
  /** sha256 of `<photo's sha256>  <name>\n` for every photo, in name order (sha256sum's lines). */
  readonly sha256: string;
  /** The photos judged, in name order; `line` is each one's 1-based place among the folder's photos. */
  readonly dataset: FaceDataset;
  /** The folder's photos' names, in name order (`dataset.line` counts in this list). */
  readonly names: readonly string[];
  readonly skipped: SkippedRows;
  /** Entries not read: files that are not photos by name (other extensions, hidden files), subfolders. */
  readonly ignored: FolderPhotos['ignored'];
}

export interface LoadPhotosOptions {
  readonly skipInvalid?: boolean;
  /** Judge the square the face detector puts on each photo's best face, not the centre square. */
  readonly faceFinder?: PhotoFaceFinder;
  /** With `faceFinder`: also search each photo in tiles for small faces (classifyFaces' close look); on when absent. */
  readonly closeLook?: boolean;
  /** Progress lines, every few seconds while photos are read. */
  readonly log?: (line: string) => void;
}

/** The server's limits on one photo: 8 MB files, 16 megapixels. */
export const PHOTO_LIMITS = {
  maxImageBytes: DEFAULT_OPTIONS.maxImageBytes,
  maxImagePixels: DEFAULT_OPTIONS.maxImagePixels,
};

/** Files read ahead of the decoder's slots (one per core), so it never waits on the disk. */
const READ_SLOTS = Math.min(32, 2 * availableParallelism());
const PROGRESS_MS = 5000;

/**
 * Why a photo is not judged: a short category (for counting) and the error naming the file. A photo
 * where the detector finds no face is no fault of the file's: it is counted, never a reason to stop.
 */
interface Problem {
  readonly category: 'name' | 'image' | 'too large' | 'no face found';
  readonly error: FaceKitError;
}

async function streamSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A decoder error as a skippable problem naming `file`; anything else is no fault of the photo's. */
function decodeProblem(error: unknown, file: string): Problem {
  if (error instanceof InvalidImageError) return { category: 'image', error };
  if (error instanceof ServeError && error.code === 'IMAGE_TOO_LARGE') {
    // The server's message, `<file>: <reason>`, under the toolkit's code for an image it refuses.
    const reason = error.message.slice(file.length + 2);
    return { category: 'too large', error: new InvalidImageError(file, reason, { cause: error }) };
  }
  throw error;
}

/** `read()`, its file-system errors naming `file` (some, such as EISDIR, name no path of their own). */
async function unlessUnreadable<T>(file: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new Error(`${file}: cannot be read (${(error as Error).message})`, { cause: error });
  }
}

/** The photo's sha256 and its grey levels, or why it has none; decoded only when `named` (its name parsed). */
async function readPhoto(
  file: string,
  named: boolean,
  faceFinder: PhotoFaceFinder | undefined,
  closeLook: boolean | undefined,
): Promise<{ sha256: string; pixels?: Uint8Array; problem?: Problem }> {
  const stats = await unlessUnreadable(file, () => stat(file));
  // Never opened: a named pipe would wait for a writer, a device such as /dev/zero never end.
  const kind = notAFile(stats);
  if (kind) throw new Error(`${file}: cannot be read (it is ${kind}, not a file)`);
  const { size } = stats;
  if (size > PHOTO_LIMITS.maxImageBytes) {
    return {
      sha256: await unlessUnreadable(file, () => streamSha256(file)),
      // Refused before it is read, in the words the decoder refuses it with.
      problem: decodeProblem(fileTooLarge(file, size, PHOTO_LIMITS.maxImageBytes), file),
    };
  }
  const bytes = await unlessUnreadable(file, () => readFile(file));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (!named) return { sha256 };
  try {
    if (!faceFinder) return { sha256, pixels: await imageToFace(bytes, file, PHOTO_LIMITS) };
    const [pixels] = (await faceFinder.find(bytes, file, { maxFaces: 1, closeLook })).pixels;
    if (pixels) return { sha256, pixels };
    const error = new FaceKitError('INVALID_IMAGE', `${file}: the face detector found no face in it`);
    return { sha256, problem: { category: 'no face found', error } };
  } catch (error) {
    return { sha256, problem: decodeProblem(error, file) };
  }
}

export async function loadPhotos(dir: string, options: LoadPhotosOptions = {}): Promise<LoadedPhotos> {
  const { names, ignored } = await folderPhotos(dir);
  if (names.length === 0) {
    const holds = ignoredEntries(ignored);
    throw new FaceKitError(
      'DATA_NOT_FOUND',
      `${dir}: no PNG, JPEG or WebP files in it${holds ? `, only ${holds}` : ' (it is empty)'}`,
    );
  }
  const skipInvalid = options.skipInvalid ?? false;
  // Names first: a folder with a bad name fails before a single photo is decoded.
  const labels: (PhotoLabels | Problem)[] = names.map((name) => {
    try {
      return parsePhotoName(name, join(dir, name));
    } catch (error) {
      if (!(error instanceof InvalidPhotoNameError)) throw error;
      if (!skipInvalid) throw error;
      return { category: 'name', error };
    }
  });

  const sha256s: string[] = [];
  const pixels: (Uint8Array | undefined)[] = [];
  const problems: (Problem | undefined)[] = [];
  const started = Date.now();
  let done = 0;
  let lastLog = started;
  await inSlots(names.length, READ_SLOTS, async (i) => {
    const label = labels[i]!;
    const read = await readPhoto(
      join(dir, names[i]!),
      !('error' in label),
      options.faceFinder,
      options.closeLook,
    );
    sha256s[i] = read.sha256;
    pixels[i] = read.pixels;
    problems[i] = 'error' in label ? label : read.problem;
    done++;
    if (options.log && Date.now() - lastLog >= PROGRESS_MS) {
      lastLog = Date.now();
      const rate = done / ((lastLog - started) / 1000);
      options.log(`  ${done}/${names.length} photos read (${Math.round(rate)}/s)`);
    }
    return skipInvalid || problems[i] === undefined || problems[i].category === 'no face found';
  });
  const failed = problems.find((p) => p !== undefined && p.category !== 'no face found');
  if (!skipInvalid && failed) throw failed.error;

  const builder = new DatasetBuilder();
  const digest = createHash('sha256');
  const byReason: Record<string, number> = {};
  const examples: string[] = [];
  names.forEach((name, i) => {
    digest.update(`${sha256s[i]!}  ${name}\n`);
    const problem = problems[i];
    if (problem) {
      byReason[problem.category] = (byReason[problem.category] ?? 0) + 1;
      if (examples.length < 10) examples.push(problem.error.message);
      return;
    }
    const { age, ethnicity, gender } = labels[i] as PhotoLabels;
    builder.nextPixels().set(pixels[i]!);
    builder.commit(age, ethnicity, gender, i + 1);
  });
  const skipped = { count: names.length - builder.size, byReason, examples };
  if (builder.size === 0) {
    throw new FaceKitError(
      'DATA_NOT_FOUND',
      `${dir}: no valid photos: all ${names.length} were skipped (${skippedReasons(skipped)})`,
    );
  }
  return { path: dir, sha256: digest.digest('hex'), dataset: builder.build(), names, skipped, ignored };
}
