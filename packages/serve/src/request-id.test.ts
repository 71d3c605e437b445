/**
 * Every GraphQL request carries an id: the caller's X-Request-Id when it is a plain token (a proxy's,
 * so one id follows a request through both logs), else a fresh UUID. The answer's X-Request-Id header
 * gives it, and so do the request's log lines: the per-request line, its client errors, and refusals
 * made before GraphQL runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASSIFY, startTestServer, testPixels, type TestServer } from '../test/harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ logLevel: 'debug' });
});
afterAll(() => server?.stop());

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(10_000),
  });

describe('request ids', () => {
  it("answers and logs with the caller's X-Request-Id, or a fresh UUID", async () => {
    const classify = JSON.stringify({ query: CLASSIFY, variables: { input: { pixels: testPixels(1) } } });
    const given = await post(classify, { 'x-request-id': 'edge-7f3a.42' });
    expect(given.status).toBe(200);
    expect(given.headers.get('x-request-id')).toBe('edge-7f3a.42');
    await given.json();
    expect(server.logs).toContainEqual(
      expect.objectContaining({ msg: 'request', requestId: 'edge-7f3a.42', operation: 'classify' }),
    );

    // Not a plain token (a space, too long): replaced, not echoed into the logs.
    for (const unusable of ['two words', 'x'.repeat(129)]) {
      const fresh = await post(classify, { 'x-request-id': unusable });
      const id = fresh.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      await fresh.json();
      expect(server.logs).toContainEqual(expect.objectContaining({ msg: 'request', requestId: id }));
    }
  });

  it("names the request in its client errors' lines, in GraphQL and before it", async () => {
    const bad = await post(JSON.stringify({ query: CLASSIFY, variables: { input: { pixels: [1, 2] } } }), {
      'x-request-id': 'bad-pixels-1',
    });
    await bad.json();
    expect(server.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', code: 'INVALID_PIXELS', requestId: 'bad-pixels-1' }),
    );
    const notJson = await post('{"query":', { 'x-request-id': 'not-json-1' });
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('x-request-id')).toBe('not-json-1');
    expect(server.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', code: 'INVALID_JSON', requestId: 'not-json-1' }),
    );
  });
});
