/**
 * Requests Apollo refuses before any request pipeline starts — a GET without the CSRF preflight header,
 * a batched body, a `query` that is not a string — are counted in facekit_errors_total and logged like
 * every other client error, with the id their answer carries: an operator whose client sends them must
 * see why it gets 400s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/harness.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const post = (body: string) =>
  fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe("Apollo's own refusals", () => {
  it('are counted by code and logged, each with a request line and its request id', async () => {
    const before = server.logs.length;
    const refused = [
      await fetch(`${server.url}?query=${encodeURIComponent('{ health { ready } }')}`),
      await post('[{"query": "{ health { ready } }"}]'),
      await post('{"query": 1}'),
    ];
    expect(refused.map((r) => r.status)).toEqual([400, 400, 400]);
    const metrics = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toContain('facekit_errors_total{code="BAD_REQUEST"} 3');
    expect(metrics).toContain('facekit_graphql_requests_total{operation="invalid",outcome="error"} 3');
    const logs = server.logs.slice(before);
    const warned = logs.filter((l) => l.msg === 'request error' && l.code === 'BAD_REQUEST');
    expect(warned.map((l) => l.message)).toEqual([
      expect.stringMatching(/Cross-Site Request Forgery/),
      expect.stringMatching(/batching disabled/),
      expect.stringMatching(/must be strings/),
    ]);
    // Each line carries the id its answer carries, so an operator can find the one a client reports.
    const ids = refused.map((r) => r.headers.get('x-request-id'));
    expect(ids.every((id) => id && id.length > 0)).toBe(true);
    expect(warned.map((l) => l.requestId)).toEqual(ids);
    expect(logs.filter((l) => l.msg === 'request' && l.operation === 'invalid')).toHaveLength(3);
  });
});
