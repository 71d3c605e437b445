/**
 * The HTTP front: a plain node:http server that routes /graphql to Apollo (through
 * executeHTTPGraphQLRequest, the way Apollo's own integrations do), /metrics to Prometheus and
 * /healthz, /readyz to probes. It owns the body-size limit, enforced while reading so an oversized body
 * is never buffered, reads a body as JSON or as a multipart request with photo files
 * (multipart-request.ts), and answers bodies that are too large or unreadable with the same error shape
 * and stable codes as GraphQL errors.
 */
import { setMaxListeners } from 'node:events';
import type http from 'node:http';
import type { Socket } from 'node:net';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { snippet } from '@facekit/core';
import { errorBody, ServeError } from './errors.js';
import { isMultipart, multipartRequest } from './multipart-request.js';
import { REQUEST_ID, requestIdOf, requestIds } from './request-id.js';
import type { ServeContext, ServerState } from './state.js';

type BodyResult = { ok: true; bytes: Buffer } | { ok: false; error: ServeError };

/**
 * Discards the rest of an oversized body so the client, still sending, can read the 413 (closing the
 * socket at once would make it fail with EPIPE); past `cap` bytes the connection is cut instead.
 */
function discard(req: http.IncomingMessage, cap: number): void {
  let drained = 0;
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > cap) req.destroy();
  });
  req.resume();
}

/** Reads the body up to `limit` bytes; past it, stops buffering and reports PAYLOAD_TOO_LARGE. */
function readBody(req: http.IncomingMessage, limit: number): Promise<BodyResult> {
  const tooLarge = (size: string) =>
    new ServeError('PAYLOAD_TOO_LARGE', 'body', `request body is ${size}; the limit is ${limit} bytes`, 413);
  const cap = Math.max(4 * limit, 64 * 1024 * 1024);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    discard(req, cap);
    return Promise.resolve({ ok: false, error: tooLarge(`${declared} bytes`) });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        discard(req, cap);
        resolve({ ok: false, error: tooLarge(`over ${limit} bytes`) });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve({ ok: true, bytes: Buffer.concat(chunks) }));
    req.on('error', reject);
  });
}

/** A client error refused before GraphQL runs: counted, logged (rate-limited) and answered as JSON. */
function answerClientError(
  res: http.ServerResponse,
  state: ServerState,
  status: number,
  code: string,
  message: string,
  body: string,
): void {
  state.metrics.errors.inc({ code });
  state.clientErrors.warn('request error', { code, message, ...requestIdField(res) });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(body);
}

function sendError(res: http.ServerResponse, error: ServeError, state: ServerState): void {
  answerClientError(res, state, error.httpStatus, error.code, error.message, errorBody(error));
}

/**
 * Whether a Content-Type names JSON: `application/json` in any letter case (media types are
 * case-insensitive, RFC 9110 §8.3.1), with or without parameters — not `application/jsonx`.
 */
function isJsonType(type: string): boolean {
  return /^\s*application\/json\s*(;|$)/i.test(type);
}

/**
 * A POST body as Apollo takes it: JSON parsed, a multipart request's operations with its files in
 * place, any other text as it came (Apollo refuses it); refused with a ServeError naming what is wrong.
 */
async function parseBody(
  bytes: Buffer,
  headers: http.IncomingHttpHeaders,
  maxFiles: number,
): Promise<unknown> {
  const type = headers['content-type'] ?? '';
  // Apollo still sees the multipart content type, and so refuses such a request without a CSRF
  // preflight header (apollo-require-preflight), as a browser's form could send one cross-site.
  if (isMultipart(type)) return multipartRequest(bytes, headers, maxFiles);
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1];
  if (charset && !/^utf-?8$/i.test(charset))
    throw new ServeError(
      'INVALID_JSON',
      'body',
      `is declared ${snippet(charset, 20)}; send it as UTF-8 JSON`,
    );
  const text = bytes.toString('utf8');
  if (!isJsonType(type)) return text;
  try {
    // JSON parsers may pass over a UTF-8 byte-order mark (RFC 8259 §8.1); JSON.parse does not.
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ServeError('INVALID_JSON', 'body', `is not valid JSON (${(error as Error).message})`);
  }
}

async function handleGraphQL(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  apollo: ApolloServer<ServeContext>,
  state: ServerState,
  search: string,
) {
  let body: unknown;
  if (req.method === 'POST') {
    // A compressed body is not decompressed (nor a zip bomb expanded), nor read: said at once, rather
    // than its binary bytes quoted as JSON that does not parse.
    // An empty header names no coding: the body is as sent.
    const encoding = req.headers['content-encoding']?.trim() || 'identity';
    if (!/^identity$/i.test(encoding))
      return sendError(
        res,
        new ServeError(
          'UNSUPPORTED_ENCODING',
          'body',
          `is sent with content-encoding ${snippet(encoding, 20)}; send it uncompressed`,
          415,
        ),
        state,
      );
    const read = await readBody(req, state.options.maxBodyBytes);
    if (!read.ok) return sendError(res, read.error, state);
    try {
      body = await parseBody(read.bytes, req.headers, state.options.maxBatchItems);
    } catch (error) {
      if (error instanceof ServeError) return sendError(res, error, state);
      throw error;
    }
  }
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  // A client that hangs up before its answer leaves no one to answer: its photos still waiting for a
  // decode slot are dropped, and its faces are not run.
  const gone = new AbortController();
  // Every photo of a batch waiting for a decode slot listens on it (up to --max-batch-items): many
  // listeners are expected here, not the leak Node warns of past ten.
  setMaxListeners(0, gone.signal);
  whenClosed(req, res, () => {
    if (res.writableFinished) return;
    if (state.draining) state.unansweredWhileDraining++;
    gone.abort(new ServeError('CLIENT_GONE', 'request', 'the client closed the connection unanswered', 499));
  });
  const requestId = String(res.getHeader(REQUEST_ID));
  const response = await requestIds.run(requestId, () =>
    apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search, body },
      context: async () => ({ state, signal: gone.signal, requestId }),
    }),
  );
  for (const [key, value] of response.headers) res.setHeader(key, value);
  // Draining: the answer closes its connection, so that the client does not send another request on a
  // socket the drain is about to close — that request got no answer at all, and a POST cannot be retried.
  if (state.draining) res.setHeader('connection', 'close');
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** The request's id as a log field, where its answer carries one (every /graphql answer does). */
function requestIdField(res: http.ServerResponse): { requestId?: string } {
  const id = res.getHeader(REQUEST_ID);
  return id === undefined ? {} : { requestId: String(id) };
}

/**
 * Sheds load: past `maxInFlight` requests being answered, a new one is refused at once, its body
 * unread, with 503 and Retry-After, so that a client or proxy backs off or tries another replica
 * rather than queueing without bound (each request held costs up to --max-body of memory, and every
 * queued one adds to the latency of all). A request counts until its response or its connection
 * closes, answered or not. A draining server refuses first, with SHUTTING_DOWN.
 */
function admitGraphQL(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  apollo: ApolloServer<ServeContext>,
  state: ServerState,
  search: string,
) {
  // A request that arrives once the drain has begun (on a connection kept alive) is refused at once,
  // 503 so that a proxy retries it elsewhere; one that arrived before is answered, however long its
  // body takes to read. Said before the limit: a server that is leaving, busy or not, says so, and
  // closes the connection rather than invite a retry on it.
  if (state.draining) {
    res.setHeader('connection', 'close');
    return sendError(
      res,
      new ServeError('SHUTTING_DOWN', 'request', 'the server is shutting down; retry elsewhere', 503),
      state,
    );
  }
  const limit = state.options.maxInFlight;
  if (state.inFlight >= limit) {
    res.setHeader('retry-after', '1');
    return sendError(
      res,
      new ServeError(
        'SERVER_BUSY',
        'request',
        `the server is answering ${limit} requests, its limit (--max-inflight); retry shortly`,
        503,
      ),
      state,
    );
  }
  state.inFlight++;
  whenClosed(req, res, () => state.inFlight--);
  return handleGraphQL(req, res, apollo, state, search);
}

/** Per connection, what its requests in flight wait to run once their answer is done or lost. */
const pendingOf = new WeakMap<Socket, Set<() => void>>();

/**
 * Runs `done` once, when the response closes — or its connection does: a pipelined request still
 * waiting its turn has a response that is not yet on the socket, and that response never emits 'close'
 * when the client hangs up (one listener a connection, not one a pipelined request).
 */
function whenClosed(req: http.IncomingMessage, res: http.ServerResponse, done: () => void): void {
  const socket = req.socket;
  let pending = pendingOf.get(socket);
  if (!pending) {
    const set = new Set<() => void>();
    pendingOf.set(socket, set);
    socket.once('close', () => {
      for (const run of [...set]) run();
    });
    pending = set;
  }
  const set = pending;
  const run = () => {
    if (set.delete(run)) done();
  };
  set.add(run);
  res.once('close', run);
}

/**
 * A path or method the server does not answer, counted and logged like every other client error: a
 * proxy that forwards to the wrong path (every request a 404) shows in facekit_errors_total and the log.
 */
function refuse(
  res: http.ServerResponse,
  state: ServerState,
  status: number,
  code: 'NOT_FOUND' | 'METHOD_NOT_ALLOWED',
  message: string,
  headers: http.OutgoingHttpHeaders = {},
): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value!);
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  answerClientError(res, state, status, code, message, body);
}

/** CORS: the web demo (another origin) calls the API from the browser. No credentials are involved. */
function applyCors(req: http.IncomingMessage, res: http.ServerResponse, allowed: readonly string[]): void {
  const origin = req.headers.origin;
  if (!origin || allowed.length === 0) return;
  if (allowed.includes('*')) res.setHeader('access-control-allow-origin', '*');
  else if (allowed.includes(origin)) res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'origin');
  // A page reads only the safelisted response headers unless told: the id to quote in a bug report,
  // and how long to back off after SERVER_BUSY.
  if (req.method !== 'OPTIONS' && res.hasHeader('access-control-allow-origin'))
    res.setHeader('access-control-expose-headers', `${REQUEST_ID}, retry-after`);
  if (req.method === 'OPTIONS') {
    res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    res.setHeader(
      'access-control-allow-headers',
      req.headers['access-control-request-headers'] ?? 'content-type',
    );
    res.setHeader('access-control-max-age', '600');
  }
}

/** The metrics label of each route served. */
const ROUTES = new Map([
  ['/', 'graphql'],
  ['/graphql', 'graphql'],
  ['/metrics', 'metrics'],
  ['/healthz', 'healthz'],
  ['/readyz', 'readyz'],
]);

/**
 * The methods each route answers (OPTIONS, the CORS preflight, aside) and how a 405 names them. The
 * probes and /metrics are read, never written to; /graphql refuses the rest itself, where Apollo
 * answered PUT with 405 but DELETE with its CSRF text.
 */
const PROBE = { allowed: ['GET', 'HEAD'], allow: 'GET, HEAD', answers: 'GET' };
const METHODS = new Map([
  ['graphql', { allowed: ['GET', 'HEAD', 'POST'], allow: 'GET, POST', answers: 'GET and POST' }],
  ['metrics', PROBE],
  ['healthz', PROBE],
  ['readyz', PROBE],
]);

export function createRequestHandler(
  state: ServerState,
  apollo: () => ApolloServer<ServeContext>,
): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const routeName = ROUTES.get(url.pathname) ?? 'other';
    // Every response counted, those Apollo refuses before any plugin hears of them (a GET without the
    // preflight header, a batched body) and other routes' included; labels from fixed sets.
    res.on('finish', () => state.metrics.responses.inc({ route: routeName, status: String(res.statusCode) }));
    // Every /graphql answer carries its id, refusals before GraphQL (405, 413, 503…) included.
    if (routeName === 'graphql' && req.method !== 'OPTIONS') res.setHeader(REQUEST_ID, requestIdOf(req));
    applyCors(req, res, state.options.corsOrigins);
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    const route = async () => {
      const methods = METHODS.get(routeName);
      if (methods && !methods.allowed.includes(req.method ?? '')) {
        return refuse(res, state, 405, 'METHOD_NOT_ALLOWED', `${url.pathname} answers ${methods.answers}`, {
          allow: methods.allow,
        });
      }
      switch (url.pathname) {
        case '/':
        case '/graphql':
          return admitGraphQL(req, res, apollo(), state, url.search);
        case '/metrics':
          res.setHeader('content-type', state.metrics.registry.contentType);
          return void res.end(await state.metrics.registry.metrics());
        case '/healthz':
          res.setHeader('content-type', 'application/json');
          return void res.end(JSON.stringify({ status: state.status }));
        case '/readyz':
          res.writeHead(state.ready ? 200 : 503, { 'content-type': 'application/json' });
          return void res.end(
            JSON.stringify({
              ready: state.ready,
              status: state.status,
              provider: state.engine?.provider ?? null,
              ...(state.unavailable ? { reason: state.unavailable } : {}),
              ...(state.degraded ? { degraded: state.degraded } : {}),
            }),
          );
        default:
          return refuse(
            res,
            state,
            404,
            'NOT_FOUND',
            `no route ${snippet(url.pathname, 100)}; GraphQL is at /graphql`,
          );
      }
    };
    route().catch((error: unknown) => {
      if (!req.complete && !res.headersSent) {
        // The client hung up mid-request (its body cut short): nothing to answer, and not our fault.
        // (Not `req.destroyed`: a request stream destroys itself once its body has been read.)
        state.metrics.errors.inc({ code: 'CLIENT_GONE' });
        state.clientErrors.warn('client closed the connection', {
          code: 'CLIENT_GONE',
          path: url.pathname,
          ...requestIdField(res),
          reason: (error as Error).message,
        });
        return;
      }
      state.logger.error('http handler failed', {
        path: url.pathname,
        ...requestIdField(res),
        error,
      });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [{ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        }),
      );
    });
  };
}
