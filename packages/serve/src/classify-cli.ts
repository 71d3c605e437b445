/**
 * `pnpm classify <photo|folder>…`: the server's photo answers for files on disk, without a server —
 * open the photo classifier (photo-classifier.ts) once, then each photo in turn, its answer printed as
 * it comes (or all of them as one JSON document at the end). A file that cannot be classified is
 * named with its reason and the others are still classified; the exit status says whether any failed.
 */
import { constants } from 'node:fs';
import { mkdir, open, stat, writeFile } from 'node:fs/promises';
import { dirname, join, parse, resolve } from 'node:path';
import { checkCrop, DETECTION_DEFAULTS, type FaceCrop, type Task } from '@facekit/core';
import {
  csvText,
  folderToWrite,
  runCommand,
  folderPhotos,
  ignoredEntries,
  notAFile,
  parseCommandArgs,
  refuseFlags,
  userPath,
  wholeNumber,
  type FolderPhotos,
} from '@facekit/core/node';
import { annotatePhoto } from './annotate-photo.js';
import {
  csvHeader,
  csvRows,
  describePhoto,
  modelsLine,
  noFaceHint,
  photoFailure,
  summaryLine,
  type PhotoReport,
} from './classify-report.js';
import { fileTooLarge } from './decode-image.js';
import { usableCores } from './cpu-quota.js';
import { providerList } from './options.js';
import {
  openPhotoClassifier,
  tasksProblem,
  type ClassifyPhotoOptions,
  type PhotoClassifier,
} from './photo-classifier.js';

const HELP = `Usage: pnpm classify [options] <photo|folder>...

Finds every face in each photo with the face detector and classifies it, as pnpm serve's
classifyFaces answers, without a server. A folder means the PNG, JPEG and WebP files directly in it
(.png, .jpg, .jpeg, .webp, in name order; not hidden files, not its subfolders).

Options:
  --models <path>      models/manifest.json or its folder (default: the shipped models)
  --ep <list>          execution providers to try, in order, e.g. "webgpu,cpu" (cuda, webgpu, cpu;
                       default: all three in that order, as pnpm serve)
  --tasks <list>       tasks to answer, e.g. "age,gender" (default: every task the models hold)
  --min-score <n>      lowest detector score a face is kept at, above 0 and at most 1 (default ${DETECTION_DEFAULTS.minScore})
  --max-faces <n>      most faces answered per photo, best first (default ${DETECTION_DEFAULTS.maxFaces})
  --no-close-look      search each photo whole only, not also in tiles for small faces (faster;
                       faces under about an eighth of the photo's longer side are then mostly missed)
  --no-detect          classify one square of each photo without the detector: the centre one,
                       or --crop's (as classify answers it)
  --crop <x,y,size[,angle]>
                       with --no-detect: the square holding the face, in every photo; angle in
                       degrees clockwise
  --annotate <folder>  also write each classified photo there, with its faces' squares, numbers and
                       labels drawn on it (same name and format; not a folder holding the photos)
  --json               print one JSON document: an array holding, per photo, {file, width, height,
                       faces} (each face as classifyFaces answers it; with --annotate, also where
                       its copy went: annotated) or {file, error, code}
  --csv                print CSV instead, for a spreadsheet or pandas: a row per face (file, width,
                       height, face, score, x, y, size, angle, each task's label and confidence,
                       error, then annotated: where --annotate wrote the photo's copy), a row with
                       no face columns for a photo without a face, and a row with only the file and
                       its error ("CODE: reason") for one that failed
  -h, --help           this help

Exit status: 0 when every photo was classified; 1 when any could not be (each is named with its
reason on stderr, or in the JSON, and the others are still classified), or when the models or the
face detector cannot be used; 2 for wrong options.
`;

/** A photo to classify: as the user named it (a folder's files joined to the folder), and its path. */
interface PhotoFile {
  readonly file: string;
  readonly path: string;
}

/** An error of the file system, for `name`: its reason in words, its code kept. */
function unreadable(name: string, error: NodeJS.ErrnoException): Error {
  const reason =
    error.code === 'ENOENT'
      ? 'no such file or folder'
      : error.code === 'EACCES'
        ? 'cannot be read (permission denied)'
        : `cannot be read (${error.message})`;
  return Object.assign(new Error(`${name}: ${reason}`, { cause: error }), { code: error.code });
}

/** The photos the arguments name: files as given, folders' photo files; those missing fail as reports. */
async function photoFiles(args: readonly string[]): Promise<(PhotoFile | PhotoReport)[]> {
  const files: (PhotoFile | PhotoReport)[] = [];
  for (const arg of args) {
    const path = userPath(arg);
    let inFolder: FolderPhotos | undefined;
    try {
      if ((await stat(path)).isDirectory()) inFolder = await folderPhotos(path);
    } catch (error) {
      files.push(photoFailure(arg, unreadable(arg, error as NodeJS.ErrnoException)));
      continue;
    }
    if (!inFolder) files.push({ file: arg, path });
    else if (inFolder.names.length === 0) {
      const holds = ignoredEntries(inFolder.ignored);
      const error = `is a folder holding no PNG, JPEG or WebP file${holds ? `, only ${holds}` : ''}`;
      files.push({ file: arg, error, code: 'NO_PHOTOS' });
    } else for (const name of inFolder.names) files.push({ file: join(arg, name), path: join(path, name) });
  }
  return files;
}

/** `--crop x,y,size[,angle]`, its shape checked (whether it fits is each photo's own question). */
function parseCrop(text: string): FaceCrop {
  const values = text.split(',').map((v) => Number(v.trim()));
  if ((values.length !== 3 && values.length !== 4) || values.some((v) => !Number.isFinite(v)))
    throw new Error(`--crop must be x,y,size or x,y,size,angle (numbers), got "${text}"`);
  const [x, y, size, angle] = values as [number, number, number, number?];
  const crop = { x, y, size, ...(angle !== undefined ? { angle } : {}) };
  checkCrop(crop, Infinity, Infinity, '--crop');
  return crop;
}

/** The options, checked: what opening the classifier and classifying each photo take. */
function parseOptions() {
  const { values, positionals } = parseCommandArgs(HELP, {
    allowPositionals: true,
    options: {
      models: { type: 'string' },
      ep: { type: 'string' },
      tasks: { type: 'string' },
      'min-score': { type: 'string' },
      'max-faces': { type: 'string' },
      'no-close-look': { type: 'boolean' },
      'no-detect': { type: 'boolean' },
      crop: { type: 'string' },
      annotate: { type: 'string' },
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
    },
  });
  if (values.json && values.csv) refuseFlags(HELP, '--json and --csv: choose one');
  if (positionals.length === 0) refuseFlags(HELP, 'name at least one photo or folder');
  const detect = values['no-detect'] !== true;
  const appliesOnly = (flag: string, when: string) => refuseFlags(HELP, `${flag} applies only ${when}`);
  if (values.crop !== undefined && detect)
    appliesOnly('--crop', 'with --no-detect (the detector finds the squares)');
  for (const flag of ['min-score', 'max-faces', 'no-close-look'] as const)
    if (!detect && values[flag] !== undefined)
      appliesOnly(`--${flag}`, 'with the detector (not --no-detect)');
  try {
    const tasks = values.tasks?.split(',').map((t) => t.trim());
    const problem = tasks && tasksProblem(tasks);
    if (problem) throw new Error(`--tasks: ${problem}`);
    const minScore = values['min-score'] === undefined ? undefined : Number(values['min-score']);
    if (minScore !== undefined && !(minScore > 0 && minScore <= 1))
      throw new Error(`--min-score must be above 0 and at most 1, got "${values['min-score']}"`);
    const maxFaces =
      values['max-faces'] === undefined ? undefined : wholeNumber('max-faces', values['max-faces'], 1);
    const photo: ClassifyPhotoOptions = {
      detect,
      ...(minScore !== undefined ? { minScore } : {}),
      ...(maxFaces !== undefined ? { maxFaces } : {}),
      ...(values['no-close-look'] ? { closeLook: false } : {}),
      ...(values.crop !== undefined ? { crop: parseCrop(values.crop) } : {}),
    };
    return {
      inputs: positionals,
      output: values.json ? ('json' as const) : values.csv ? ('csv' as const) : ('text' as const),
      annotate: values.annotate === undefined ? undefined : folderToWrite('annotate', values.annotate, ''),
      open: {
        ...(values.models !== undefined ? { models: userPath(values.models) } : {}),
        ...(values.ep !== undefined ? { executionProviders: providerList('--ep', values.ep) } : {}),
        ...(tasks ? { tasks: tasks as Task[] } : {}),
      },
      photo,
    };
  } catch (error) {
    refuseFlags(HELP, (error as Error).message);
  }
}

/**
 * A photo file's bytes, its size checked against `maxBytes` before it is read; errors name `file`.
 * Opened without blocking, so that a named pipe is refused at once rather than waited on for a writer.
 */
async function readPhoto({ file, path }: PhotoFile, maxBytes: number): Promise<Uint8Array> {
  const fail = (error: unknown) => {
    throw unreadable(file, error as NodeJS.ErrnoException);
  };
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(fail);
  try {
    const stats = await handle.stat();
    const kind = notAFile(stats);
    if (kind) throw Object.assign(new Error(`${file}: is ${kind}, not a file`), { code: 'NOT_A_FILE' });
    const { size } = stats;
    if (size > maxBytes) throw fileTooLarge(file, size, maxBytes);
    return await handle.readFile().catch(fail);
  } finally {
    await handle.close();
  }
}

/**
 * Where a photo's annotated copy goes in `folder`: its own name, else (a photo of that name from another
 * folder was drawn already) the name numbered.
 */
function annotatedPath(folder: string, photo: PhotoFile, taken: Set<string>): string {
  const { name, ext } = parse(photo.path);
  let path = join(folder, `${name}${ext}`);
  for (let n = 2; taken.has(path); n++) path = join(folder, `${name}-${n}${ext}`);
  taken.add(path);
  return path;
}

/** Refuses an --annotate folder that holds photos being classified: their copies would replace them. */
function checkAnnotateFolder(folder: string, photos: readonly (PhotoFile | PhotoReport)[]): void {
  const holding = photos.find((p) => 'path' in p && dirname(resolve(p.path)) === resolve(folder));
  if (holding && 'path' in holding)
    refuseFlags(
      HELP,
      `--annotate ${folder}: holds ${holding.file}, which is being classified; name another folder (the copies keep the photos' names)`,
    );
}

/** One photo's report: its answer (and where its annotated copy went, if asked), or why it has none. */
async function classifyFile(
  classifier: PhotoClassifier,
  photo: PhotoFile,
  options: ClassifyPhotoOptions,
  annotated: string | undefined,
): Promise<PhotoReport> {
  try {
    const bytes = await readPhoto(photo, classifier.limits.maxImageBytes);
    const answer = await classifier.classifyPhoto(bytes, { ...options, name: photo.file });
    if (!annotated) return { file: photo.file, ...answer };
    await writeFile(annotated, await annotatePhoto(bytes, answer)).catch((error: Error) => {
      throw new Error(`${photo.file}: its annotated copy cannot be written (${error.message})`, {
        cause: error,
      });
    });
    return { file: photo.file, ...answer, annotated };
  } catch (error) {
    return photoFailure(photo.file, error);
  }
}

/** Photos read, decoded and classified at once. */
const PHOTOS_IN_HAND = Math.max(2, usableCores());

async function main(): Promise<number> {
  const { inputs, output, annotate, open, photo } = parseOptions();
  const files = await photoFiles(inputs);
  if (annotate) checkAnnotateFolder(annotate, files);
  // Named in the photos' order, whatever order they finish in.
  const taken = new Set<string>();
  const annotated = files.map((f) =>
    annotate && 'path' in f ? annotatedPath(annotate, f, taken) : undefined,
  );
  const started = performance.now();
  const classifier = await openPhotoClassifier(open);
  try {
    const unavailable = photo.detect ? await classifier.detectorUnavailable() : undefined;
    if (unavailable) {
      const hint = '--no-detect classifies the centre square without it';
      process.stderr.write(
        `pnpm classify: [DETECTOR_UNAVAILABLE] no face detector is loaded: ${unavailable} (${hint})\n`,
      );
      return 1;
    }
    process.stderr.write(modelsLine(classifier));
    // Made once the models and the detector are known to work: a run that stops before leaves none.
    if (annotate) await mkdir(annotate, { recursive: true });
    // CSV is written as the photos are answered, a folder of thousands included.
    if (output === 'csv') process.stdout.write(csvText([csvHeader(classifier.tasks)]));
    const ready = performance.now();
    const reports: PhotoReport[] = [];
    // A few photos in hand at once, so that one is read and decoded (sharp's threads) while another is
    // searched and classified; answered in order.
    const inHand: Promise<PhotoReport>[] = [];
    const begin = (i: number) => {
      const entry = files[i]!;
      inHand[i] =
        'path' in entry ? classifyFile(classifier, entry, photo, annotated[i]) : Promise.resolve(entry);
    };
    for (let i = 0; i < files.length; i++) {
      for (let j = i; j < Math.min(files.length, i + PHOTOS_IN_HAND); j++) if (!inHand[j]) begin(j);
      const report = await inHand[i]!;
      delete inHand[i];
      reports.push(report);
      if (output === 'csv') process.stdout.write(csvText(csvRows(report, classifier.tasks)));
      else if (output === 'text') {
        if ('error' in report) process.stderr.write(`${report.file}: ${report.error}\n`);
        else process.stdout.write(describePhoto(report));
      }
    }
    if (output === 'json')
      process.stdout.write(
        `${JSON.stringify(reports, (key, value: unknown) => (key === 'inputPixels' ? undefined : value), 2)}\n`,
      );
    const seconds = (performance.now() - ready) / 1000;
    process.stderr.write(noFaceHint(reports));
    process.stderr.write(summaryLine(reports, seconds, (ready - started) / 1000));
    return reports.some((r) => 'error' in r) ? 1 : 0;
  } finally {
    await classifier.close();
  }
}

runCommand(HELP, main);
