/**
 * What Node's HTTP parser refuses before the server's handler runs is still answered with its status,
 * and now counted and logged: headers over 16 KB, a request that is not HTTP.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/harness.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

/**
 * Writes `raw` on a new connection and reads until the server closes it; once the answer begins,
 * `more` is sent (a client that goes on sending), or with `null` the client closes its side.
 */
async function exchange(raw: string, more?: string | null): Promise<string> {
  const { port } = new URL(server.url);
  const socket = connect(Number(port), '127.0.0.1');
  let answer = '';
  socket.on('error', () => {});
  socket.on('data', (chunk: Buffer) => {
    answer += chunk.toString();
    if (more === null) socket.end();
    else if (more !== undefined) socket.write(more);
  });
  socket.write(raw);
  await new Promise((resolve) => socket.on('close', resolve));
  return answer;
}

describe('requests the HTTP parser refuses', () => {
  it('are answered 431 or 400 as Node does, and counted and logged', async () => {
    const before = server.logs.length;
    const big = await exchange(`GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    // Refused once, however much more the client sends before the connection closes.
    expect(await exchange('NOT HTTP AT ALL\r\n\r\n', 'MORE\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 400 Bad Request\r\n/,
    );
    // A client that stops sending an oversized body once it reads the 413 is no second refusal.
    const tooLarge = await exchange(
      'POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 20000000\r\n\r\n{',
      null,
    );
    expect(tooLarge).toMatch(/^HTTP\/1\.1 413 /);
    const metrics = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toContain('facekit_errors_total{code="HEADERS_TOO_LARGE"} 1');
    expect(metrics).toContain('facekit_errors_total{code="BAD_HTTP_REQUEST"} 1');
    expect(metrics).toContain('facekit_http_responses_total{route="other",status="431"} 1');
    const logged = server.logs.slice(before).filter((l) => l.msg === 'request error');
    expect(logged.map((l) => [l.level, l.code])).toEqual([
      ['warn', 'HEADERS_TOO_LARGE'],
      ['warn', 'BAD_HTTP_REQUEST'],
      ['warn', 'PAYLOAD_TOO_LARGE'],
    ]);
  });

  it('are answered and counted on a kept-alive connection that was answered before', async () => {
    const before = server.logs.length;
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    let sent = false;
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      // The first answer read in full: the same connection's next request has headers over 16 KB.
      if (answer.endsWith('}') && !sent && (sent = true))
        socket.write(`GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
    });
    socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    await new Promise((resolve) => socket.on('close', resolve));
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toMatch(/\r\n\r\n\{"status":"ready"\}HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    const logged = server.logs.slice(before).filter((l) => l.msg === 'request error');
    expect(logged.map((l) => l.code)).toEqual(['HEADERS_TOO_LARGE']);
  });
});
