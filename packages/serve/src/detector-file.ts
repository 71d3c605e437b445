/**
 * Opening the face detector a models folder holds: `face-detector.json` read and checked, the ONNX file
 * it names read and refused unless its sha256 matches (as the web demo does), then handed to whatever
 * runs it — the server's detector thread, or a session on the calling thread (the photo classifier).
 * One function for both, so that an absent or bad detector is described in the same words wherever it
 * is met (health.detector, classifyFaces' refusal, `pnpm classify`), naming the file at fault.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DETECTOR_INFO_FILE, JsonFieldError, parseDetectorInfo } from '@facekit/core';
import { sha256OfBytes } from '@facekit/core/node';

/** The detector's file, as face-detector.json describes it and as read. */
export interface DetectorFile {
  /** Its path. */
  readonly path: string;
  /** Its name in the models folder. */
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  /** Where its weights came from: package@version. */
  readonly source: string;
  readonly licence: readonly string[];
}

/**
 * How opening went: ready with what `start` made, absent (no face-detector.json: a models folder without
 * detection), or failed; `file` once it was read, also when it then failed.
 */
export type DetectorOpening<T> =
  | { readonly status: 'ready'; readonly file: DetectorFile; readonly value: T }
  | { readonly status: 'absent'; readonly reason: string; readonly file?: undefined }
  | { readonly status: 'failed'; readonly reason: string; readonly file?: DetectorFile };

/**
 * Reads and checks the detector in the models folder `dir` and hands its bytes to `start` (which sees
 * the file described as soon as it is read). Never throws: a detector that is absent, or that fails
 * anywhere — face-detector.json, the file, its sha256, or `start` — is answered with the reason, said of
 * the file at fault.
 */
export async function openDetector<T>(
  dir: string,
  start: (bytes: Uint8Array, file: DetectorFile) => Promise<T>,
): Promise<DetectorOpening<T>> {
  const infoPath = path.join(dir, DETECTOR_INFO_FILE);
  if (!existsSync(infoPath))
    return {
      status: 'absent',
      reason: `no ${DETECTOR_INFO_FILE} in ${dir} (pnpm export:detector writes it and the detector)`,
    };
  let at = infoPath;
  let file: DetectorFile | undefined;
  try {
    const info = parseDetectorInfo(await readFile(infoPath, 'utf8'), infoPath);
    at = path.join(dir, info.file);
    const bytes = new Uint8Array(await readFile(at));
    const sha256 = sha256OfBytes(bytes);
    file = {
      path: at,
      file: info.file,
      sha256,
      bytes: bytes.length,
      source: `${info.source.package}@${info.source.version}`,
      licence: info.licence,
    };
    if (sha256 !== info.sha256) {
      throw new Error(
        `sha256 is ${sha256}, ${DETECTOR_INFO_FILE} says ${info.sha256} — the file is corrupt or not the one exported`,
      );
    }
    return { status: 'ready', file, value: await start(bytes, file) };
  } catch (error) {
    const message = (error as Error).message;
    // Said of the file at fault: face-detector.json's own errors name it; the others, the file being read.
    const reason = error instanceof JsonFieldError ? message : `${at}: ${message}`;
    return { status: 'failed', reason, file };
  }
}
