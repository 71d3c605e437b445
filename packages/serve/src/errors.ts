/**
 * The server's error vocabulary and its mapping onto GraphQL. Bad input from core (`INVALID_PIXELS`,
 * `INVALID_IMAGE`, `INVALID_CROP`) and the server's own limits (`IMAGE_TOO_LARGE`, `BATCH_TOO_LARGE`, …)
 * all reach the client as `extensions.code` plus a message that starts with the field at fault; anything
 * unexpected becomes `INTERNAL_SERVER_ERROR` with no detail in production, so a client can branch on the
 * code and never sees a stack trace.
 */
import type { GraphQLFormattedError } from 'graphql';
import { isFaceKitError, snippet } from '@facekit/core';

export type ServeErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_BASE64'
  | 'IMAGE_TOO_LARGE'
  | 'BATCH_TOO_LARGE'
  | 'TASK_NOT_LOADED'
  | 'PAYLOAD_TOO_LARGE'
  | 'INVALID_JSON'
  | 'INVALID_MULTIPART'
  | 'UNSUPPORTED_ENCODING'
  | 'QUERY_TOO_DEEP'
  | 'QUERY_TOO_COSTLY'
  | 'NOT_READY'
  | 'DETECTOR_UNAVAILABLE'
  | 'SHUTTING_DOWN'
  | 'SERVER_BUSY'
  | 'CLIENT_GONE';

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
  if (error instanceof ServeError) return true;
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
 * The error graphql-js adds after the 50th wrong variable value, with neither a code nor a status: the
 * client's mistake like the 50 before it, not a server fault.
 */
const TOO_MANY_VARIABLE_ERRORS = /^Too many errors processing variables\b/;

/**
 * The code of an error GraphQL or Apollo raised (parse, validation, variables, persisted queries):
 * `given`, the code it carries, unless that is missing or INTERNAL_SERVER_ERROR while Apollo marked the
 * error with a 4xx status — Apollo raises some of the client's mistakes (a persisted query whose hash
 * does not match its text) with a status and no code — which makes it BAD_REQUEST; graphql-js's "too
 * many errors" after 50 wrong variable values is BAD_USER_INPUT, as they are.
 */
export function graphqlErrorCode(error: unknown, given: unknown): string {
  const code = typeof given === 'string' ? given : 'INTERNAL_SERVER_ERROR';
  if (code !== 'INTERNAL_SERVER_ERROR') return code;
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message === 'string' && TOO_MANY_VARIABLE_ERRORS.test(message)) return 'BAD_USER_INPUT';
  const status = (error as { extensions?: { http?: { status?: unknown } } } | null)?.extensions?.http?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? 'BAD_REQUEST' : code;
}

/** How long a message may be before quoted values in it are cut, and the most any message keeps. */
const MESSAGE_CHARS = 1000;
/** How much of a long quoted value a message keeps. */
const QUOTED_CHARS = 80;

/**
 * GraphQL's own message with each long quoted value cut to its start and its length: graphql-js quotes
 * a bad variable's value whole, often twice ("Variable "$c" got invalid value "zz…"; Int cannot
 * represent non-integer value: "zz…""), so a 3 MB string came back as a 6 MB answer and log line.
 * Scanned by hand rather than by a regular expression, which backtracks through megabytes.
 */
export function shortMessage(message: string): string {
  if (message.length <= MESSAGE_CHARS) return message;
  let out = '';
  let at = 0;
  for (let open = message.indexOf('"'); open >= 0; open = message.indexOf('"', at)) {
    let close = open + 1;
    while (close < message.length && message[close] !== '"') close += message[close] === '\\' ? 2 : 1;
    const value = message.slice(open + 1, close);
    const long = value.length > QUOTED_CHARS;
    out += message.slice(at, open + 1) + (long ? `${value.slice(0, QUOTED_CHARS)}…` : value);
    at = Math.min(close + 1, message.length);
    if (close < message.length) out += long ? `" (${value.length} characters)` : '"';
    else break;
  }
  out += message.slice(at);
  return snippet(out, MESSAGE_CHARS);
}

/**
 * A parse error's message in the client's terms: graphql-js parses by recursion, and a query nested
 * some thousands deep (selections, or a list or object written in it) within the token limit ran
 * out of stack, which Apollo reported as "Maximum call stack size exceeded" — a server fault, by its
 * words, and naming nothing.
 */
function parseMessage(code: string, message: string): string {
  if (code !== 'GRAPHQL_PARSE_FAILED' || !/maximum call stack size exceeded/i.test(message)) return message;
  return 'query: is nested too deeply to parse (selections, lists or input objects thousands deep); send values as variables';
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
    const code = graphqlErrorCode(error, extensions.code);
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
    return {
      ...formatted,
      message: parseMessage(code, shortMessage(formatted.message)),
      extensions: { ...extensions, code, ...keepStack },
    };
  };
}

/** A body for errors answered before GraphQL runs (oversized body, bad JSON, not ready). */
export function errorBody(error: ServeError): string {
  return JSON.stringify({
    errors: [{ message: error.message, extensions: { code: error.code, field: error.field } }],
  });
}
