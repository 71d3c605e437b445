/**
 * Reading back a JSON file the toolkit wrote — models/manifest.json, face-detector.json, a run's
 * run.json and split.json, a checkpoint's state.json — field by field. One reader per kind of field,
 * each given the value and its path in the file (`models.age.bytes`, `epochs.gender`, `test[3]`) and
 * each refusing with a JsonFieldError that names the file, the field, what it must hold and what it
 * held: an edited or foreign file is refused where it is read, in the same words for every file, rather
 * than failing later with words that name neither.
 */
import { JsonFieldError, type FieldProblem } from './errors.js';

/** An object as JSON has them: not null, not an array. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `values` as a message lists them: `"six" or "decades"`, `"a", "b" or "c"`. */
function listed(values: readonly unknown[]): string {
  const shown = values.map((v) => JSON.stringify(v));
  return shown.length < 2 ? (shown[0] ?? 'nothing') : `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
}

/** The error a file's readers throw: JsonFieldError, or a subclass with its own code (ManifestError). */
export type JsonFieldErrorType = new (
  file: string,
  path: string,
  problem: FieldProblem,
  hint?: string,
) => JsonFieldError;

export interface JsonFieldOptions {
  /** The error thrown (default JsonFieldError). */
  readonly error?: JsonFieldErrorType;
  /** Added to every message: what follows from the file being wrong (`the checkpoint cannot be resumed`). */
  readonly hint?: string;
}

/** The readers of one file's fields; each returns the value, typed, or throws naming `path`. */
export interface JsonFields {
  /** A JSON object (not null, not an array); `expected` describes it in the error. */
  object(value: unknown, path: string, expected?: string): Record<string, unknown>;
  /** A JSON object whose keys are all among `keys`; an unknown key is said to be not `keyName`. */
  objectOf<K extends string>(
    value: unknown,
    path: string,
    keys: readonly K[],
    keyName: string,
    expected?: string,
  ): Partial<Record<K, unknown>>;
  /** A non-empty string. */
  text(value: unknown, path: string): string;
  /** A finite number. */
  number(value: unknown, path: string): number;
  /** A whole number (a safe integer, exact in JSON) from `min` to `max`. */
  whole(value: unknown, path: string, min: number, max?: number): number;
  /** A share: a number from 0 (`zero: false`: above 0) and below 1. */
  share(value: unknown, path: string, options?: { zero?: boolean }): number;
  /** An array; `expected` describes it in the error. */
  array(value: unknown, path: string, expected?: string): unknown[];
  /** One of `values` (compared with ===). */
  oneOf<T>(value: unknown, path: string, values: readonly T[]): T;
  /** A sha256 as the toolkit writes it: 64 lowercase hex digits. */
  hexDigest(value: unknown, path: string): string;
  /** Refuses the field at `path` (the file itself for '') for a reason no reader covers. */
  fail(path: string, problem: FieldProblem): never;
}

/** The readers for the fields of `file` (a path, or a name such as `manifest.json`). */
export function jsonFields(file: string, options: JsonFieldOptions = {}): JsonFields {
  const { error: FieldError = JsonFieldError, hint } = options;
  const fail = (path: string, problem: FieldProblem): never => {
    throw new FieldError(file, path, problem, hint);
  };
  const object = (value: unknown, path: string, expected = 'a JSON object') =>
    isJsonObject(value) ? value : fail(path, { expected, found: value });
  return {
    object,
    objectOf: (value, path, keys, keyName, expected) => {
      const record = object(value, path, expected);
      for (const key of Object.keys(record))
        if (!(keys as readonly string[]).includes(key))
          fail(`${path === '' ? '' : `${path}.`}${key}`, `is not ${keyName} (${keys.join(', ')})`);
      return record as Partial<Record<(typeof keys)[number], unknown>>;
    },
    text: (value, path) =>
      typeof value === 'string' && value.length > 0
        ? value
        : fail(path, { expected: 'a non-empty string', found: value }),
    number: (value, path) =>
      typeof value === 'number' && Number.isFinite(value)
        ? value
        : fail(path, { expected: 'a finite number', found: value }),
    whole: (value, path, min, max = Number.MAX_SAFE_INTEGER) =>
      Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max
        ? (value as number)
        : fail(path, {
            expected:
              max === Number.MAX_SAFE_INTEGER
                ? `a whole number ≥ ${min}`
                : `a whole number from ${min} to ${max}`,
            found: value,
          }),
    share: (value, path, { zero = true } = {}) =>
      typeof value === 'number' && value < 1 && (value > 0 || (zero && value === 0))
        ? value
        : fail(path, { expected: `a number ${zero ? 'from 0' : 'above 0'} and below 1`, found: value }),
    array: (value, path, expected = 'an array') =>
      Array.isArray(value) ? (value as unknown[]) : fail(path, { expected, found: value }),
    oneOf: <T>(value: unknown, path: string, values: readonly T[]) =>
      values.includes(value as T) ? (value as T) : fail(path, { expected: listed(values), found: value }),
    hexDigest: (value, path) =>
      typeof value === 'string' && /^[0-9a-f]{64}$/.test(value)
        ? value
        : fail(path, { expected: 'a sha256: 64 lowercase hex digits', found: value }),
    fail,
  };
}

/** `text` parsed as JSON; not JSON, it is refused naming `file` (JSON.parse's own words name none). */
export function parseJsonText(text: string, file: string, options: JsonFieldOptions = {}): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    return jsonFields(file, options).fail('', `is not valid JSON (${(error as Error).message})`);
  }
}
