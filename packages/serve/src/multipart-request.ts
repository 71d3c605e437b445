/**
 * GraphQL multipart requests (github.com/jaydenseric/graphql-multipart-request-spec): photos sent as
 * file parts rather than base64 text — what `curl -F`, Apollo Client's and urql's upload links and
 * Python's gql send. The body, read within --max-body as a JSON one is, holds `operations` (the usual
 * JSON request, each file's variable null), `map` (each file part's name → the variable paths it fills)
 * and the file parts; each file is put where the map says as an `UploadedFile`, which the `Upload`
 * scalar lets through. GraphQL then runs the request as it runs a JSON one, and the photo's bytes reach
 * decodePhoto as they arrived: never base64, a third smaller on the wire and no text to decode.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Busboy } from '@fastify/busboy';
import { isJsonObject, snippet } from '@facekit/core';
import { ServeError } from './errors.js';

/** A file part of a multipart request: its bytes, and the name and type its client gave it. */
export class UploadedFile {
  constructor(
    readonly bytes: Buffer,
    readonly filename: string | undefined,
    readonly mimeType: string | undefined,
  ) {}
}

/** Whether a request's content type is a multipart form (`multipart/form-data; boundary=…`). */
export const isMultipart = (contentType: string): boolean => /^\s*multipart\/form-data\b/i.test(contentType);

const HOW =
  'a multipart request sends its GraphQL request as the field "operations" (JSON, each file\'s variable null), then "map" (JSON: {"0": ["variables.photo"]}), then the files';

const invalid = (field: string, reason: string) => new ServeError('INVALID_MULTIPART', field, reason);

/**
 * A part's name or a map's path as an error quotes it: as sent where that reads plainly (`0`,
 * `operations`, `variables.photo`), else quoted (`""`, `"a: b"`), so that an empty name or path still
 * shows and an odd one cannot pass for the reason.
 */
const shown = (text: string, max: number) =>
  text.length <= max && /^[\w.-]+$/.test(text) ? text : JSON.stringify(snippet(text, max));

/** A part's name as an error names it (`0`, `""`). */
const partField = (name: string) => shown(name, 40);

interface Parts {
  readonly fields: Map<string, string>;
  readonly files: Map<string, UploadedFile>;
}

/** The body's parts: `operations` and `map` as text, every other part as a file, whatever its headers. */
function splitParts(body: Buffer, headers: IncomingHttpHeaders, maxFiles: number): Promise<Parts> {
  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    const files = new Map<string, UploadedFile>();
    // Each file's bytes are whole once its stream ends, which may come after the parser's 'finish'.
    const reading: Promise<void>[] = [];
    const names = new Set<string>();
    // The file parts whose bytes are still being read.
    const open = new Set<string>();
    let failed = false;
    const fail = (error: ServeError) => {
      if (!failed) reject(error);
      failed = true;
    };
    const seen = (name: string) => {
      if (names.has(name)) fail(invalid(partField(name), 'is sent twice'));
      names.add(name);
    };
    let parser: ReturnType<typeof Busboy>;
    try {
      parser = Busboy({
        headers: headers as IncomingHttpHeaders & { 'content-type': string },
        // The body is already within --max-body; only the number of files needs its own limit.
        limits: { fieldSize: body.length, files: maxFiles },
        // No backpressure: the body is in memory already, and a part busboy skips (one without a
        // name) that filled its stream's buffer in one write paused the parser for good: no 'finish',
        // no error, a request that waited for ever. With the whole body as the mark it never pauses.
        fileHwm: body.length + 1,
        // A part with no file name (some clients send none) is still a file, not text to decode.
        isPartAFile: (name) => name !== 'operations' && name !== 'map',
      });
    } catch (error) {
      return fail(invalid('body', `is not a multipart/form-data body (${(error as Error).message})`));
    }
    parser.on('field', (name, value, _nameTruncated, valueTruncated) => {
      seen(name);
      if (valueTruncated) fail(invalid(name, 'was cut short'));
      fields.set(name, value);
    });
    parser.on('file', (name, stream, filename, _encoding, mimeType) => {
      // busboy hands a part whose content-disposition has no name as one named undefined.
      if ((name as string | undefined) === undefined)
        fail(invalid('body', 'holds a part with no name (content-disposition: form-data; name="…")'));
      seen(name);
      open.add(name);
      stream.once('end', () => open.delete(name));
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      reading.push(
        new Promise((done) => {
          stream.on('end', () => {
            files.set(
              name,
              new UploadedFile(Buffer.concat(chunks), filename || undefined, mimeType || undefined),
            );
            done();
          });
          // A body that ends inside the file (no closing boundary after its bytes) errs on the file's
          // own stream too, after the parser's error has named the part: unheard, that second error
          // would be uncaught, and end the process.
          stream.on('error', () => done());
        }),
      );
    });
    parser.on('filesLimit', () =>
      fail(invalid('body', `holds more than ${maxFiles} files, the limit (--max-batch-items)`)),
    );
    parser.on('error', (error) => {
      const { message } = error as Error;
      // The body ended before the part being read did: said of that part.
      const [cut] = open;
      if (cut !== undefined && /unexpected end/i.test(message))
        return fail(invalid(partField(cut), `is cut short: the body ends inside it (${message})`));
      fail(invalid('body', `is not a well-formed multipart/form-data body (${message})`));
    });
    parser.on('finish', () => {
      void Promise.all(reading).then(() => {
        if (!failed) resolve({ fields, files });
      });
    });
    parser.end(body);
  });
}

function parseJson(text: string | undefined, field: 'operations' | 'map'): unknown {
  if (text === undefined) throw invalid(field, `is missing; ${HOW}`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid(field, `is not valid JSON (${(error as Error).message})`);
  }
}

/** What a variable path can step into: an object or an array (`variables.inputs.2.photo`). */
const isContainer = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** Names that would reach an object's prototype, not a variable. */
const UNSAFE = new Set(['__proto__', 'prototype', 'constructor']);

/** Puts `file` at `path` ("variables.photo", "variables.inputs.2.photo") in `operations`, where null waits for it. */
function place(operations: unknown, path: string, file: UploadedFile, field: string): void {
  const notAVariable = () =>
    invalid(field, `names ${shown(path, 80)}, which is not a variable of operations`);
  const steps = path.split('.');
  const last = steps.pop()!;
  let at = operations;
  for (const step of steps) {
    if (UNSAFE.has(step) || !isContainer(at) || !Object.hasOwn(at, step)) throw notAVariable();
    at = at[step];
  }
  if (UNSAFE.has(last) || !isContainer(at) || !Object.hasOwn(at, last)) throw notAVariable();
  if (at[last] !== null)
    throw invalid(
      field,
      `names ${shown(path, 80)}, which must be null in operations (the file takes its place)`,
    );
  at[last] = file;
}

/**
 * A multipart request's body → the GraphQL request it carries, each file in the place the map gives it.
 * Refused with INVALID_MULTIPART, naming the part at fault: a body that is not multipart, `operations`
 * or `map` missing or not JSON, a map naming a file not sent or a place that is not a null variable, a
 * file the map does not name, a part sent twice, more than `maxFiles` files.
 */
export async function multipartRequest(
  body: Buffer,
  headers: IncomingHttpHeaders,
  maxFiles: number,
): Promise<unknown> {
  const { fields, files } = await splitParts(body, headers, maxFiles);
  const operations = parseJson(fields.get('operations'), 'operations');
  const map = parseJson(fields.get('map'), 'map');
  if (!isJsonObject(map))
    throw invalid(
      'map',
      "must be a JSON object: each file part's name → the paths of the variables it fills",
    );
  for (const [name, paths] of Object.entries(map)) {
    const field = `map[${JSON.stringify(snippet(name, 40))}]`;
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string'))
      throw invalid(field, 'must be a list of variable paths, e.g. ["variables.photo"]');
    const file = files.get(name);
    if (!file) throw invalid(field, 'names a file part the request does not hold');
    for (const path of paths as string[]) place(operations, path, file, field);
  }
  for (const name of files.keys())
    if (!Object.hasOwn(map, name))
      throw invalid(partField(name), 'is a file part the map does not name (each file must fill a variable)');
  return operations;
}
