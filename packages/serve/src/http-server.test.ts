/**
 * The HTTP front on its own, with a stand-in Apollo that fails: a fault after the whole body was read
 * is answered 500 and logged as an error; a client that cut its body short is logged and counted as gone.
 */
import http from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientErrorLog } from './client-error-log.js';
import { createRequestHandler } from './http-server.js';
import { Logger, type LogFields } from './logger.js';
import { createMetrics } from './metrics.js';
import { DEFAULT_OPTIONS } from './options.js';
import type { ServeContext, ServerState } from './state.js';

const logs: LogFields[] = [];
const logger = new Logger('debug', (line) => logs.push(JSON.parse(line) as LogFields));
const state = {
  options: { ...DEFAULT_OPTIONS, maxInFlight: 1 },
  inFlight: 0,
  metrics: createMetrics(
    () => true,
    () => undefined,
    () => state.inFlight,
  ),
  logger,
  clientErrors: new ClientErrorLog(logger),
} as unknown as ServerState;
// Fails by default; a test may hold its answers instead (`answer`).
const fail = () => Promise.reject(new Error('apollo fell over'));
let answer: () => Promise<unknown> = fail;
const failing = {
  executeHTTPGraphQLRequest: () => answer(),
} as unknown as ApolloServer<ServeContext>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const post = (body: string) =>
  `POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
/** Holds every answer until the returned function is called (then a 200). */
function holdAnswers(): () => void {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  answer = async () => {
    await held;
    return { status: 200, headers: new HeaderMap(), body: { kind: 'complete', string: '{"data":{}}' } };
  };
  return () => {
    release();
    answer = fail;
  };
}

let server: http.Server;
let port = 0;
beforeAll(async () => {
  server = http.createServer(createRequestHandler(state, () => failing));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('the HTTP front', () => {
  it('answers a fault after a complete body with a 500, and logs it as an error', async () => {
    logs.length = 0;
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ health { ready } }"}',
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      errors: [{ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', msg: 'http handler failed' }));
  });

  it('refuses methods other than GET and POST on /graphql alike, with 405 and Allow', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method,
        signal: AbortSignal.timeout(5000),
      });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, POST');
      expect(await res.json()).toEqual({
        errors: [{ message: '/graphql answers GET and POST', extensions: { code: 'METHOD_NOT_ALLOWED' } }],
      });
    }
  });

  it('counts and logs a path or method it does not answer, as it does every client error', async () => {
    logs.length = 0;
    const count = async (code: string) =>
      Number(
        new RegExp(`facekit_errors_total\\{code="${code}"\\} (\\d+)`).exec(
          await state.metrics.registry.metrics(),
        )?.[1] ?? 0,
      );
    const before = { notFound: await count('NOT_FOUND'), method: await count('METHOD_NOT_ALLOWED') };
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/api/graphql`, { signal: AbortSignal.timeout(5000) })).status).toBe(404);
    const put = await fetch(`${base}/healthz`, { method: 'PUT', signal: AbortSignal.timeout(5000) });
    expect(put.status).toBe(405);
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'warn',
        code: 'NOT_FOUND',
        message: 'no route /api/graphql; GraphQL is at /graphql',
      }),
      expect.objectContaining({ level: 'warn', code: 'METHOD_NOT_ALLOWED', message: '/healthz answers GET' }),
    ]);
    expect(await count('NOT_FOUND')).toBe(before.notFound + 1);
    expect(await count('METHOD_NOT_ALLOWED')).toBe(before.method + 1);
  });

  it('says a compressed body is not read, rather than quote its bytes as bad JSON', async () => {
    const { gzipSync } = await import('node:zlib');
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync('{"query":"{ health { ready } }"}'),
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({
      errors: [
        {
          message: 'body: is sent with content-encoding gzip; send it uncompressed',
          extensions: { code: 'UNSUPPORTED_ENCODING', field: 'body' },
        },
      ],
    });
  });

  it('past --max-inflight, refuses a request at once with 503 SERVER_BUSY and Retry-After', async () => {
    // The one request allowed (maxInFlight 1) is held: its body is still being sent.
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n');
    socket.write('content-length: 32\r\n\r\n{"query":');
    for (let i = 0; i < 50 && state.inFlight === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(state.inFlight).toBe(1);
    expect(await state.metrics.registry.metrics()).toMatch(/facekit_graphql_in_flight 1/);
    const ask = () =>
      fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ health { ready } }"}',
        signal: AbortSignal.timeout(5000),
      });
    const busy = await ask();
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(await busy.json()).toEqual({
      errors: [
        {
          message: 'request: the server is answering 1 requests, its limit (--max-inflight); retry shortly',
          extensions: { code: 'SERVER_BUSY', field: 'request' },
        },
      ],
    });
    // The held request finishes (this stand-in Apollo answers 500); the slot is free again.
    const answered = new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())));
    socket.write('"{ health { ready } }"}');
    expect(await answered).toMatch(/^HTTP\/1.1 500/);
    socket.destroy();
    for (let i = 0; i < 50 && state.inFlight > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(state.inFlight).toBe(0);
    expect((await ask()).status).toBe(500);
    expect(await state.metrics.registry.metrics()).toMatch(/facekit_errors_total\{code="SERVER_BUSY"\} 1/);
    expect(await state.metrics.registry.metrics()).toMatch(/facekit_graphql_in_flight 0/);
  });

  it('reads a body whose content-encoding header is empty as it is sent', async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const answer = new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())));
    const body = '{"query":"{ health { ready } }"}';
    socket.write(
      `POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-encoding: \r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    );
    // Past the encoding check, to this stand-in Apollo's 500 (not a 415).
    expect(await answer).toMatch(/^HTTP\/1.1 500/);
    socket.destroy();
  });

  it('logs a client that hangs up halfway through its body as gone, not as a fault', async () => {
    logs.length = 0;
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"q',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    for (let i = 0; i < 50 && logs.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'client closed the connection',
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      }),
    ]);
    // Counted too, as the log's rate limit promises of every client error.
    expect(await state.metrics.registry.metrics()).toMatch(/facekit_errors_total\{code="CLIENT_GONE"\} 1/);
  });

  it('frees the slots of pipelined requests whose connection closed before their turn to be answered', async () => {
    const release = holdAnswers();
    const options = state.options;
    (state as { options: unknown }).options = { ...options, maxInFlight: 3 };
    try {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      // Three requests on one connection: the first is held in GraphQL, the next two wait their turn.
      socket.write(post('{"query":"{ a }"}') + post('{"query":"{ b }"}') + post('{"query":"{ c }"}'));
      for (let i = 0; i < 50 && state.inFlight < 3; i++) await sleep(20);
      expect(state.inFlight).toBe(3);
      socket.destroy();
      await sleep(100);
      release();
      for (let i = 0; i < 50 && state.inFlight > 0; i++) await sleep(20);
      // Not held for ever: else a few such connections refuse every later request with SERVER_BUSY.
      expect(state.inFlight).toBe(0);
    } finally {
      release();
      (state as { options: unknown }).options = options;
    }
  });

  it('says SHUTTING_DOWN, closing the connection, to a request that arrives draining at the limit', async () => {
    const release = holdAnswers();
    const held = connect(port, '127.0.0.1');
    held.on('error', () => {});
    try {
      held.write(post('{"query":"{ a }"}'));
      for (let i = 0; i < 50 && state.inFlight === 0; i++) await sleep(20);
      expect(state.inFlight).toBe(1);
      (state as { draining: boolean }).draining = true;
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ health { ready } }"}',
        signal: AbortSignal.timeout(5000),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('connection')).toBe('close');
      expect(
        ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
      ).toBe('SHUTTING_DOWN');
    } finally {
      (state as { draining: boolean }).draining = false;
      release();
      held.destroy();
      for (let i = 0; i < 50 && state.inFlight > 0; i++) await sleep(20);
    }
  });

  it('gives every /graphql answer an id, and lets a page of another origin read it and Retry-After', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'PUT',
      headers: { origin: 'http://demo.example', 'x-request-id': 'put-1' },
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('x-request-id')).toBe('put-1');
    expect(res.headers.get('access-control-expose-headers')).toBe('x-request-id, retry-after');
    await res.arrayBuffer();
  });

  it('lets only the origins of --cors read its answers, and none of them under --cors none', async () => {
    const ask = async (origin: string, method = 'PUT') => {
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method,
        headers: { origin, 'access-control-request-method': 'POST' },
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      return res.headers;
    };
    const options = state.options;
    try {
      (state as { options: object }).options = { ...options, corsOrigins: ['http://demo.example'] };
      for (const method of ['PUT', 'OPTIONS']) {
        const listed = await ask('http://demo.example', method);
        expect(listed.get('access-control-allow-origin')).toBe('http://demo.example');
        expect(listed.get('vary')).toBe('origin');
        const stranger = await ask('http://elsewhere.example', method);
        expect(stranger.get('access-control-allow-origin')).toBeNull();
        expect(stranger.get('access-control-expose-headers')).toBeNull();
        expect(stranger.get('vary')).toBe('origin');
      }
      (state as { options: object }).options = { ...options, corsOrigins: [] };
      for (const method of ['PUT', 'OPTIONS']) {
        const none = await ask('http://demo.example', method);
        expect(none.get('access-control-allow-origin')).toBeNull();
        expect(none.get('access-control-allow-methods')).toBeNull();
      }
    } finally {
      (state as { options: object }).options = options;
    }
  });
});
