/**
 * The server's error vocabulary and its mapping onto GraphQL. Bad input from core (`INVALID_PIXELS`,
 * `INVALID_IMAGE`, `INVALID_CROP`) and the server's own limits (`IMAGE_TOO_LARGE`, `BATCH_TOO_LARGE`, …)
 * all reach the client as `extensions.code` plus a message that starts with the field at fault; anything
 * unexpected becomes `INTERNAL_SERVER_ERROR` with no detail in production, so a client can branch on the
 * code and never sees a stack trace.
 */
import type { GraphQLFormattedError } from 'graphql';
import { isFaceKitError } from '@facekit/core';

export type ServeErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_BASE64'
  | 'IMAGE_TOO_LARGE'
  | 'BATCH_TOO_LARGE'
  | 'TASK_NOT_LOADED'
  | 'PAYLOAD_TOO_LARGE'
  | 'INVALID_JSON'
  | 'QUERY_TOO_DEEP'
  | 'QUERY_TOO_COSTLY'
  | 'NOT_READY'
  | 'SHUTTING_DOWN'
  | 'CLIENT_GONE'
  | 'INFERENCE_FAILED';

/** An error the client caused or may retry; `field` is the GraphQL path of the offending value. */
export class ServeError extends Error {
  constructor(
    readonly code: ServeErrorCode,
    readonly field: string,
    reason: string,
    readonly httpStatus = 400,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${reason}`, options);
    this.name = 'ServeError';
  }
}

/**
 * The error a resolver threw, from the GraphQLError graphql-js wrapped it in (path + originalError).
 * Duck-typed rather than `instanceof GraphQLError`: graphql ships CJS and ESM builds, and a test
 * runner may load both, making two GraphQLError classes.
 */
export function unwrapError(error: unknown): unknown {
  let e = error;
  while (
    typeof e === 'object' &&
    e !== null &&
    'path' in e &&
    e.path &&
    'originalError' in e &&
    e.originalError
  )
    e = e.originalError;
  return e;
}

/** Codes that describe the request, not a server fault: logged at `warn` (or not at all), never with stacks. */
export function isClientError(error: unknown): boolean {
  if (error instanceof ServeError) return error.code !== 'INFERENCE_FAILED';
  return (
    isFaceKitError(error) &&
    (error.code === 'INVALID_PIXELS' || error.code === 'INVALID_IMAGE' || error.code === 'INVALID_CROP')
  );
}

/** The stable code for any error the server met (`INTERNAL_SERVER_ERROR` when it has none). */
export function errorCode(error: unknown): string {
  if (error instanceof ServeError || isFaceKitError(error)) return error.code;
  return 'INTERNAL_SERVER_ERROR';
}

/**
 * Apollo `formatError`: our own errors keep their code, message and field, without a stack trace;
 * GraphQL's own (parse, validation, variable coercion) keep Apollo's code; anything else is an internal
 * error whose message is hidden in production. Stack traces appear only in development, only for
 * internal errors, whatever Apollo was told.
 */
export function createFormatError(production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapError(error);
    const { stacktrace, ...extensions } = formatted.extensions ?? {};
    if (original instanceof ServeError || isFaceKitError(original)) {
      // The client's own mistake: the code, message and field say it all, in development too.
      const field = original instanceof ServeError ? original.field : (original as { field?: string }).field;
      return {
        ...formatted,
        message: original.message,
        extensions: { ...extensions, code: original.code, ...(field ? { field } : {}) },
      };
    }
    const code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR';
    if (code === 'INTERNAL_SERVER_ERROR' && production) {
      return {
        message: 'internal error',
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code },
      };
    }
    // GraphQL's own refusals (a parse or validation error, bad variables, Apollo's BAD_REQUEST) are the
    // client's too: only an internal error keeps its stack, and only in development.
    const keepStack = code === 'INTERNAL_SERVER_ERROR' && !production ? { stacktrace } : {};
    return { ...formatted, extensions: { ...extensions, code, ...keepStack } };
  };
}

/** A body for errors answered before GraphQL runs (oversized body, bad JSON, not ready). */
export function errorBody(error: ServeError): string {
  return JSON.stringify({
    errors: [{ message: error.message, extensions: { code: error.code, field: error.field } }],
  });
}
