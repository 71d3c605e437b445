/**
 * Named errors with stable string codes. Every package throws these for bad input and bad models so
 * that a CLI can print `file:line: what is wrong`, and the GraphQL boundary can map `code` straight to
 * `extensions.code` without parsing messages.
 */

export type FaceKitErrorCode =
  | 'INVALID_CSV_ROW'
  | 'INVALID_CSV_HEADER'
  | 'INVALID_PIXELS'
  | 'INVALID_IMAGE'
  | 'INVALID_PHOTO_NAME'
  | 'INVALID_CROP'
  | 'INVALID_MANIFEST'
  | 'INVALID_JSON_FIELD'
  | 'MODEL_MISMATCH'
  | 'MODEL_LOAD_FAILED'
  | 'UNSUPPORTED_LAYER'
  | 'BACKEND_UNAVAILABLE'
  | 'DATA_NOT_FOUND';

export class FaceKitError extends Error {
  readonly code: FaceKitErrorCode;

  constructor(code: FaceKitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** One CSV row (or the header) is malformed. `line` is 1-based as an editor shows it. */
export class InvalidCsvRowError extends FaceKitError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('INVALID_CSV_ROW', `${file}:${line}: ${reason}`, options);
  }
}

export class InvalidCsvHeaderError extends FaceKitError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super('INVALID_CSV_HEADER', `${file}:1: ${reason}`);
  }
}

/** A pixel array that is not 2304 integers in 0–255. `field` names where it came from. */
export class InvalidPixelsError extends FaceKitError {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super('INVALID_PIXELS', `${field}: ${reason}`);
  }
}

/** Bytes that are not a decodable image, or an image outside the accepted size. */
export class InvalidImageError extends FaceKitError {
  constructor(
    readonly field: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('INVALID_IMAGE', `${field}: ${reason}`, options);
  }
}

/**
 * A labelled photo whose file name does not carry its labels the way UTKFace names its faces
 * (`age_gender_race_….jpg`). `file` is the photo's path.
 */
export class InvalidPhotoNameError extends FaceKitError {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super('INVALID_PHOTO_NAME', `${file}: ${reason}`);
  }
}

/** A crop square that is not whole pixels inside its image. */
export class InvalidCropError extends FaceKitError {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super('INVALID_CROP', `${field}: ${reason}`);
  }
}

/**
 * What is wrong with a field: a sentence (`is missing; the manifest holds age`), or what the field must
 * hold and the value it was found holding (`found` undefined: the field is missing).
 */
export type FieldProblem = string | { readonly expected: string; readonly found: unknown };

/** What `problem` says: a sentence as it is, or `must be <expected>, got <found>` (found as JSON, cut short). */
function problemText(problem: FieldProblem): string {
  if (typeof problem === 'string') return problem;
  const { expected, found } = problem;
  if (found === undefined) return `must be ${expected}, but it is missing`;
  let shown: string | undefined;
  try {
    // A number as it is: JSON would say null for NaN and Infinity.
    shown = typeof found === 'number' ? String(found) : JSON.stringify(found);
  } catch {
    shown = undefined; // a BigInt or a cycle: not JSON
  }
  return `must be ${expected}, got ${snippet(shown ?? String(found))}`;
}

/**
 * A field of a JSON file the toolkit reads back (run.json, split.json, a checkpoint's state.json, …)
 * that does not hold what the file's writer puts there. `file` names the file, `path` the field as a
 * JSON path (`epochs.gender`, `test[3]`; '' for the file as a whole); `expected` and `found` are set when
 * the field held a value of the wrong kind. `hint` says what follows from it, where that helps.
 */
export class JsonFieldError extends FaceKitError {
  /** What is wrong, after the field's path: `must be a whole number ≥ 1, got 1.5`. */
  readonly reason: string;
  readonly expected?: string;
  readonly found?: unknown;

  constructor(
    readonly file: string,
    readonly path: string,
    problem: FieldProblem,
    hint?: string,
    code: FaceKitErrorCode = 'INVALID_JSON_FIELD',
  ) {
    const reason = problemText(problem);
    super(code, `${file}: ${path === '' ? '' : `${path} `}${reason}${hint ? `; ${hint}` : ''}`);
    this.reason = reason;
    if (typeof problem !== 'string') {
      this.expected = problem.expected;
      this.found = problem.found;
    }
  }
}

/**
 * manifest.json, or another description of the models (face-detector.json), does not follow its
 * schema: a JsonFieldError with its own code, which the server and the CLIs report as such.
 */
export class ManifestError extends JsonFieldError {
  constructor(file: string, path: string, problem: FieldProblem, hint?: string) {
    super(file, path, problem, hint, 'INVALID_MANIFEST');
  }
}

/** A model file does not match what the manifest (or the contract) says about it. */
export class ModelMismatchError extends FaceKitError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super('MODEL_MISMATCH', `${file}: ${reason}`);
  }
}

/** A model file exists but cannot be parsed or loaded by a runtime. */
export class ModelLoadError extends FaceKitError {
  constructor(
    readonly file: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('MODEL_LOAD_FAILED', `${file}: ${reason}`, options);
  }
}

/** A tfjs layer (or one of its options) the ONNX exporter cannot translate faithfully. */
export class UnsupportedLayerError extends FaceKitError {
  constructor(
    readonly layerName: string,
    readonly layerClass: string,
    readonly reason: string,
  ) {
    super('UNSUPPORTED_LAYER', `layer "${layerName}" (${layerClass}): ${reason}`);
  }
}

/** No requested training backend or inference provider could be initialised. */
export class BackendUnavailableError extends FaceKitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BACKEND_UNAVAILABLE', message, options);
  }
}

export function isFaceKitError(error: unknown): error is FaceKitError {
  return error instanceof FaceKitError;
}

/** `text` cut to `max` characters with "…", so an error message never quotes kilobytes of input. */
export function snippet(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
