/**
 * The URL the server logs (`listening`) and returns is one a client can use, on IPv6 addresses too:
 * `--host ::` (every interface, dual stack) and `--host ::1` logged `http://:::4000/graphql`.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { gql, startTestServer } from '../test/harness.js';
import { graphqlUrl } from './server.js';

describe('the server URL', () => {
  it('is localhost for any address, and an IPv6 address in brackets', () => {
    expect(graphqlUrl('0.0.0.0', 4000)).toBe('http://localhost:4000/graphql');
    expect(graphqlUrl('::', 4000)).toBe('http://localhost:4000/graphql');
    expect(graphqlUrl('::1', 4000)).toBe('http://[::1]:4000/graphql');
    expect(graphqlUrl('127.0.0.1', 80)).toBe('http://127.0.0.1:80/graphql');
    expect(graphqlUrl('api.example', 80)).toBe('http://api.example:80/graphql');
  });

  it('answers on IPv6 loopback', async (ctx) => {
    // Containers often run without IPv6.
    const probe = net.createServer();
    const bound = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(0, '::1', () => resolve(true));
    });
    probe.close();
    if (!bound) return ctx.skip('no IPv6 loopback here');
    const server = await startTestServer({ host: '::1' });
    try {
      expect(server.url).toMatch(/^http:\/\/\[::1\]:\d+\/graphql$/);
      expect((await gql(server.url, '{ health { ready } }')).body).toEqual({
        data: { health: { ready: true } },
      });
      const listening = server.logs.find((l) => l.msg === 'listening');
      expect(listening?.url).toBe(server.url);
    } finally {
      await server.stop();
    }
  });
});
