/**
 * `pnpm evaluate`: the exported models (models/ by default) judged on a labelled CSV or a folder of
 * labelled photos, as evaluate-models.ts describes; the report on stdout or in a file, the metrics as
 * JSON on request.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import {
  checkFlags,
  existingFileFlag,
  fileToWrite,
  parseCommandArgs,
  pathForUser,
  projectRoot,
  refuseFlags,
  runCommand,
  userPath,
} from '@facekit/core/node';
import { evaluateModels, type FaceSource } from './evaluate-models.js';
import { answersCsv } from './answers-csv.js';
import { evaluationReport } from './evaluation-report.js';
import { PHOTO_LIMITS } from './load-photos.js';

const megabytes = PHOTO_LIMITS.maxImageBytes / 1024 / 1024;
const megapixels = PHOTO_LIMITS.maxImagePixels / 1024 / 1024;

const HELP = `Usage: pnpm evaluate [options] --data <file>
   or: pnpm evaluate [options] --photos <folder> [--detect [--no-close-look]]

Runs exported models on every labelled face — the rows of a CSV in the Kaggle layout pnpm train reads,
or the photos in a folder, named as UTKFace names them (e.g. faces they never saw) — with
onnxruntime-node, and prints per task the accuracy, macro-F1, calibration, the accuracy per ethnicity ×
gender (× age group) and the confusion matrix, as Markdown.

Options (exactly one of --data and --photos):
  --data <file>       the CSV (required unless --photos: the training file's default would mix in
                      training faces)
  --photos <folder>   every PNG, JPEG and WebP file directly in the folder, by extension (not its
                      subfolders: UTKFace's faces lie in one folder, and a parent folder could mix its
                      aligned crops with its uncropped photos; other files and hidden ones are ignored and
                      counted). Each is labelled by its name, UTKFace's
                      age_gender_race_date&time.jpg.chip.jpg — age 1–120, gender 0 male, 1 female, race
                      0 White, 1 Black, 2 Asian, 3 Indian, 4 Others; fields after the third are ignored —
                      and reduced to 48×48 grey levels as pnpm serve reduces a photo classified without
                      a crop (the centre square; up to ${megabytes} MB and ${megapixels} megapixels a file)
  --detect            with --photos: judge the square the face detector (face-detector.onnx of --models)
                      puts on each photo's best face, as classifyFaces classifies it, instead of the
                      centre square — for photos that are not cropped to the face, one person each
                      (the face it is surest of is taken as the one the name labels); a photo where it
                      finds no face is not judged, and counted
  --no-close-look     with --detect: skip the detector's close look (photos over 256 px searched again
                      in tiles for faces under about an eighth of their longer side), as
                      classifyFaces(closeLook: false) does: faster, and blind to small faces
  --models <dir>      the models folder, as pnpm export writes it (default: models/)
  --skip-invalid      skip rows (photos) that fail validation — for photos a name without the labels, a
                      file that is not a decodable image, or one over the limits — and count them,
                      instead of stopping at the first
  --out <file>        write the report there instead of to stdout
  --answers <file>    also write every face's answers as CSV, one row each in the data's order: the
                      photo's name or the row's line, and per task the true class, the answer and
                      its confidence (to look at the faces behind a figure)
  --json <file>       also write the figures as JSON: the metrics per task, the faces judged and skipped,
                      the data's kind (csv or photos) and sha256 (for photos, of their sha256sum lines
                      in name order) and the tasks trained on this very file (null for photos: that
                      cannot be told from them)
  -h, --help          this help
`;

/** The one source of faces the flags name, checked to exist and to be a file (CSV) or a folder (photos). */
function faceSource(
  data: string | undefined,
  photos: string | undefined,
  detect: boolean,
  closeLook: boolean,
): FaceSource {
  if (data !== undefined && photos !== undefined)
    refuseFlags(HELP, 'give --data <file> or --photos <folder>, not both');
  if (detect && photos === undefined)
    refuseFlags(HELP, "--detect applies to --photos: a CSV's rows are faces already");
  if (!closeLook && !detect)
    refuseFlags(HELP, '--no-close-look applies to --detect: without it no face is searched for');
  if (photos !== undefined) {
    const photosDir = userPath(photos);
    const stats = statSync(photosDir, { throwIfNoEntry: false });
    if (!stats) refuseFlags(HELP, `--photos ${photos}: no such folder`);
    if (!stats.isDirectory())
      refuseFlags(HELP, `--photos ${photos}: is a file, not a folder (a CSV is read with --data)`);
    return { photosDir, detect, closeLook };
  }
  const dataPath = existingFileFlag(HELP, 'data', data, 'a folder of photos is read with --photos');
  if (dataPath === undefined)
    refuseFlags(HELP, '--data <file> or --photos <folder> is required: the labelled faces to judge on');
  return { dataPath };
}

/**
 * Where `path` leads once symbolic links are followed: the file's own real path, or for a file not yet
 * there, its folder's joined to its name; `path` itself where not even the folder exists.
 */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return path;
    }
  }
}

/** What evaluate reads, which no output may replace: the data file, and the files in the two folders. */
interface Inputs {
  readonly dataPath?: string;
  readonly modelsDir: string;
  readonly photosDir?: string;
}

/**
 * The files --out, --json and --answers name, checked before any face is judged: each a file that can be
 * written (not a folder, not inside a file), no two the same, and none a file it reads — the --data file,
 * or a file already in the models folder (its manifest, an ONNX file: the next evaluate found the models
 * broken) or in the --photos folder — symbolic links followed.
 */
function outputFiles(values: Partial<Record<'out' | 'json' | 'answers', string>>, inputs: Inputs) {
  const files = checkFlags(HELP, () => ({
    out: values.out === undefined ? undefined : fileToWrite('out', values.out),
    json: values.json === undefined ? undefined : fileToWrite('json', values.json),
    answers: values.answers === undefined ? undefined : fileToWrite('answers', values.answers),
  }));
  const named = Object.entries(files).flatMap(([flag, path]) =>
    path === undefined ? [] : [{ flag, path, real: realPath(path) }],
  );
  const folders = [
    { given: inputs.modelsDir, what: 'the models folder' },
    ...(inputs.photosDir ? [{ given: inputs.photosDir, what: 'the --photos folder' }] : []),
  ].map((folder) => ({ ...folder, dir: realPath(folder.given) }));
  for (const { flag, path, real } of named) {
    const given = `--${flag} ${values[flag as 'out']}`;
    if (inputs.dataPath && real === realPath(inputs.dataPath))
      refuseFlags(HELP, `${given}: is the --data file it would replace`);
    const folder = folders.find(({ dir }) => real.startsWith(dir + sep) && existsSync(real));
    if (folder)
      refuseFlags(
        HELP,
        `${given}: would replace a file of ${folder.what} (${pathForUser(folder.given)}) that evaluate reads; name a file outside it`,
      );
    const other = named.find((o) => o.flag !== flag && o.real === real);
    if (other)
      refuseFlags(HELP, `--${flag} and --${other.flag} name the same file (${path}); give each its own`);
  }
  return files;
}

/** `text` written to `path`, the folders it needs made first; `what` said on stderr. */
async function writeOutput(path: string, text: string, what: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  process.stderr.write(`${what}: ${pathForUser(path)}\n`);
}

/**
 * What a failure line adds after its error, by code: the flag that passes over a bad row or photo,
 * offered only where it was not given (with it, a row error is one it cannot pass over).
 */
const hints: Record<string, string> = {};

/** The --skip-invalid hints, for a run without the flag. */
function offerSkipInvalid(): void {
  const photos = '--skip-invalid judges the other photos and counts these';
  hints.INVALID_CSV_ROW = '--skip-invalid judges the other rows and counts these';
  hints.INVALID_PHOTO_NAME = photos;
  hints.INVALID_IMAGE = photos;
}

async function main(): Promise<void> {
  const { values } = parseCommandArgs(HELP, {
    options: {
      data: { type: 'string' },
      photos: { type: 'string' },
      detect: { type: 'boolean' },
      'no-close-look': { type: 'boolean' },
      models: { type: 'string' },
      'skip-invalid': { type: 'boolean' },
      out: { type: 'string' },
      json: { type: 'string' },
      answers: { type: 'string' },
    },
  });
  if (values['skip-invalid'] !== true) offerSkipInvalid();
  const source = faceSource(
    values.data,
    values.photos,
    values.detect === true,
    values['no-close-look'] !== true,
  );
  const modelsDir = values.models ? userPath(values.models) : join(projectRoot(), 'models');
  const outputs = outputFiles(values, { ...source, modelsDir });
  const evaluation = await evaluateModels({
    ...source,
    modelsDir,
    skipInvalid: values['skip-invalid'] === true,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const report = evaluationReport(evaluation);
  if (outputs.out) await writeOutput(outputs.out, report, 'report');
  else process.stdout.write(report);
  if (outputs.json) {
    const { manifest: _, answers: __, ...record } = evaluation;
    await writeOutput(outputs.json, `${JSON.stringify(record, null, 2)}\n`, 'metrics');
  }
  if (outputs.answers) await writeOutput(outputs.answers, answersCsv(evaluation.answers), 'answers');
}

runCommand(HELP, main, hints);
