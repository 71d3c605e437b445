/** Production mode over HTTP: stable codes, no stack traces, no introspection, no landing page. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASSIFY, gql, startTestServer, testPixels, type TestServer } from '../test/harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ production: true });
});
afterAll(() => server?.stop());

describe('production mode', () => {
  it('answers bad input with a code and a message, never a stack trace', async () => {
    const cases = [{ pixels: [1, 2] }, { image: '!!' }, { image: 'aGVsbG8gd29ybGQ=' }, {}];
    for (const input of cases) {
      const res = await gql(server.url, CLASSIFY, { input });
      const error = res.body.errors![0]!;
      expect(Object.keys(error.extensions!).sort()).toEqual(['code', 'field']);
      expect(JSON.stringify(res.body)).not.toMatch(/stacktrace|\.ts:\d|node_modules|    at /);
    }
    const ok = await gql(server.url, CLASSIFY, { input: { pixels: testPixels(9) } });
    expect(ok.body.errors).toBeUndefined();
  });

  it('refuses introspection and serves no landing page', async () => {
    const res = await gql(server.url, '{ __schema { types { name } } }');
    expect(res.body.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors![0]!.message).toMatch(/introspection/i);
    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/<html/i);
  });

  it("does not name the schema's fields to a client that asks for one that is not there", async () => {
    const res = await gql(server.url, '{ model { task } }');
    expect(res.body.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors![0]!.message).not.toMatch(/Did you mean|models/);
  });

  it("keeps this machine's file paths out of health's reasons", async () => {
    const res = await gql(server.url, '{ health { unavailable degraded providers { name reason } } }');
    const text = JSON.stringify(res.body.data);
    // Without CUDA's libraries (as here and in CI) cuda's reason names the missing file: by name only.
    expect(text).not.toMatch(/(^|[\s("])\/[\w.@+-]+\/[\w.@+-]+/);
    expect(text).not.toContain(process.cwd());
  });
});
