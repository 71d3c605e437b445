/**
 * An error met on one of the server's worker threads, as it travels back in a reply: postMessage keeps
 * an Error's message but not its class, so a client's error — a photo that cannot be decoded or is too
 * large, a crop outside it — goes as its code, field and reason, and the caller's thread rebuilds the
 * very error (same class, code, message and HTTP status) that decoding on its own thread would throw.
 * Anything else goes as a message only (a fault of the server's, not the client's).
 */
import { InvalidCropError, InvalidImageError } from '@facekit/core';
import { ServeError, type ServeErrorCode } from './errors.js';

export type ThreadError =
  | { readonly code: 'INVALID_IMAGE' | 'INVALID_CROP'; readonly field: string; readonly reason: string }
  | {
      readonly code: ServeErrorCode;
      readonly field: string;
      readonly reason: string;
      readonly httpStatus: number;
    }
  | { readonly code: undefined; readonly message: string };

/** A client's error by its parts ("<field>: <reason>"); any other as `describe` words it. */
export function toThreadError(
  error: unknown,
  describe: (error: unknown) => string = (e) => (e instanceof Error ? e.message : String(e)),
): ThreadError {
  if (
    error instanceof InvalidImageError ||
    error instanceof InvalidCropError ||
    error instanceof ServeError
  ) {
    const reason = error.message.slice(error.field.length + 2);
    return error instanceof ServeError
      ? { code: error.code, field: error.field, reason, httpStatus: error.httpStatus }
      : { code: error.code as 'INVALID_IMAGE' | 'INVALID_CROP', field: error.field, reason };
  }
  return { code: undefined, message: describe(error) };
}

/** The error a worker sent back, as its own thread would have thrown it. */
export function fromThreadError(sent: ThreadError): Error {
  if (sent.code === undefined) return new Error(sent.message);
  if ('httpStatus' in sent) return new ServeError(sent.code, sent.field, sent.reason, sent.httpStatus);
  return sent.code === 'INVALID_IMAGE'
    ? new InvalidImageError(sent.field, sent.reason)
    : new InvalidCropError(sent.field, sent.reason);
}
