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
 * manifest.json (or another description of the models: `document`, e.g. face-detector.json) does not
 * follow its schema. `path` is a JSON path such as `models.age.labels[2]`.
 */
export class ManifestError extends FaceKitError {
  constructor(
    readonly path: string,
    readonly reason: string,
    document = 'manifest',
  ) {
    super('INVALID_MANIFEST', `${document} ${path}: ${reason}`);
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
