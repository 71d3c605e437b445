/**
 * What `pnpm classify` says of each photo: its report — the photo classifier's answer under the file's
 * name, or why the file could not be classified — and the lines a person reads for it: the photo's size
 * and face count, then per face its square, the detector's score and each task's label with its
 * confidence. Also the lines around them, on stderr: the models and the provider they run on (and why
 * the others were not used), and the count and time at the end.
 */
import { TASKS, type Task } from '@facekit/core';
import type { FaceSquare } from './face-answer.js';
import type { PhotoAnswer, PhotoClassification, PhotoClassifier } from './photo-classifier.js';

export type PhotoReport =
  | ({ readonly file: string; readonly annotated?: string } & PhotoAnswer)
  | { readonly file: string; readonly error: string; readonly code: string };

/** The report of a photo that failed: the reason (without the file's name, which the report holds) and its code. */
export function photoFailure(file: string, error: unknown): PhotoReport {
  const message = error instanceof Error ? error.message : String(error);
  const reason = message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message;
  return { file, error: reason, code: (error as { code?: string }).code ?? 'ERROR' };
}

const percent = (p: number) => `${Math.round(p * 100)}%`;

function square({ x, y, size, angle }: FaceSquare): string {
  return `square ${size} px at (${x}, ${y})${angle === null ? '' : `, turned ${angle.toFixed(1)}°`}`;
}

function labels(classification: PhotoClassification): string {
  return TASKS.flatMap((task) => {
    const answer = classification[task];
    return answer ? [`${task} ${answer.label} (${percent(answer.confidence)})`] : [];
  }).join(', ');
}

/** A classified photo's lines: its size and face count, then one line per face. */
export function describePhoto({
  file,
  width,
  height,
  faces,
  annotated,
}: { readonly file: string; readonly annotated?: string } & PhotoAnswer): string {
  const detected = faces.every((face) => 'score' in face);
  const count =
    faces.length === 0
      ? 'no face found'
      : !detected
        ? 'without the detector'
        : `${faces.length} face${faces.length === 1 ? '' : 's'}`;
  const lines = faces.map((face, i) => {
    const found = 'score' in face ? `face ${i + 1}, score ${face.score.toFixed(2)}: ` : '';
    return `  ${found}${square(face.crop)} — ${labels(face.classification)}`;
  });
  const drawn = annotated ? [`  drawn in ${annotated}`] : [];
  return [`${file}: ${width}×${height}, ${count}`, ...lines, ...drawn, ''].join('\n');
}

/**
 * `--csv`'s header: where each face is, then per task its label and confidence, then a failure, then
 * where the photo's annotated copy went (last, so that the columns before it keep their places).
 */
export function csvHeader(tasks: readonly Task[]): string[] {
  const answers = tasks.flatMap((task) => [task, `${task}_confidence`]);
  return [
    'file',
    'width',
    'height',
    'face',
    'score',
    'x',
    'y',
    'size',
    'angle',
    ...answers,
    'error',
    'annotated',
  ];
}

/**
 * A photo's `--csv` rows: one a face, in the answer's order; one with the face columns empty for a photo
 * without a face; one with only the file and the error ("CODE: reason") for a photo that failed. A face
 * read without the detector has no score; an upright square, no angle. Each of a classified photo's
 * rows ends with its annotated copy's path (empty without --annotate).
 */
export function csvRows(report: PhotoReport, tasks: readonly Task[]): string[][] {
  const blank = (n: number) => Array<string>(n).fill('');
  const answerColumns = tasks.length * 2;
  if ('error' in report)
    return [[report.file, ...blank(8 + answerColumns), `${report.code}: ${report.error}`, '']];
  const photo = [report.file, String(report.width), String(report.height)];
  const annotated = report.annotated ?? '';
  if (report.faces.length === 0) return [[...photo, ...blank(6 + answerColumns + 1), annotated]];
  return report.faces.map((face, i) => {
    const { x, y, size, angle } = face.crop;
    const answers = tasks.flatMap((task) => {
      const answer = face.classification[task];
      return answer ? [answer.label, answer.confidence.toFixed(4)] : ['', ''];
    });
    const score = 'score' in face ? face.score.toFixed(4) : '';
    return [
      ...photo,
      String(i + 1),
      score,
      String(x),
      String(y),
      String(size),
      angle === null ? '' : angle.toFixed(2),
      ...answers,
      '',
      annotated,
    ];
  });
}

/**
 * The models, their tasks and the provider chosen; every provider not used and why: one passed over
 * by the default order in short (its reason's first clause), one that failed in full.
 */
export function modelsLine({ models, tasks, provider, attempts }: PhotoClassifier): string {
  const short = (reason = '') => reason.split(/ \(|; /)[0];
  const passed = attempts
    .filter((a) => a.outcome === 'failed' || a.outcome === 'skipped')
    .map((a) => `; ${a.name} ${a.outcome}: ${a.outcome === 'skipped' ? short(a.reason) : a.reason}`);
  return `models: ${models.dir} (${tasks.join(', ')}) on ${provider}${passed.join('')}\n`;
}

/**
 * What to do when the detector found no face in some photos: they may be faces cropped already, which
 * `--no-detect` reads as its centre square (the detector's wide look finds most tight crops, but not
 * every one). Empty when every classified photo had a face.
 */
export function noFaceHint(reports: readonly PhotoReport[]): string {
  const none = reports.filter((r) => !('error' in r) && r.faces.length === 0).length;
  if (none === 0) return '';
  const photos = none === 1 ? '1 photo' : `${none} photos`;
  return `${photos} with no face found: if a photo is a face cropped already, --no-detect classifies such a crop (its centre square)\n`;
}

/** How many photos were classified and failed, in how long, after how long opening the models. */
export function summaryLine(reports: readonly PhotoReport[], seconds: number, openSeconds: number): string {
  const failed = reports.filter((r) => 'error' in r).length;
  const each = reports.length > 0 ? `, ${Math.round((seconds * 1000) / reports.length)} ms a photo` : '';
  const photos = reports.length === 1 ? 'photo' : 'photos';
  return `${reports.length - failed} of ${reports.length} ${photos} classified in ${seconds.toFixed(2)} s${each}, after ${openSeconds.toFixed(2)} s opening the models; ${failed} failed\n`;
}
