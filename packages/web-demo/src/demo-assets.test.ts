import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { describe, expect, it } from 'vitest';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

const devServer = () =>
  createServer({
    root,
    configFile: `${root}/vite.config.ts`,
    logLevel: 'silent',
    server: { port: 0, host: '127.0.0.1' },
  });

describe("the demo's development server", () => {
  it('serves the models and the runtime revalidated, not downloaded again while unchanged', async () => {
    const server = await devServer();
    await server.listen();
    try {
      const { port } = server.httpServer!.address() as AddressInfo;
      for (const path of ['/models/manifest.json', '/ort/ort-wasm-simd-threaded.jsep.wasm']) {
        const first = await fetch(`http://127.0.0.1:${port}${path}`);
        expect(first.status, path).toBe(200);
        expect(first.headers.get('cache-control')).toBe('no-cache');
        const etag = first.headers.get('etag');
        expect(etag, path).toMatch(/^W\/"\d+-\d+"$/);
        expect((await first.arrayBuffer()).byteLength).toBe(Number(first.headers.get('content-length')));
        const again = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { 'if-none-match': etag! } });
        expect(again.status, path).toBe(304);
        expect((await again.arrayBuffer()).byteLength).toBe(0);
        const stale = await fetch(`http://127.0.0.1:${port}${path}`, {
          headers: { 'if-none-match': 'W/"1-2"' },
        });
        expect(stale.status, path).toBe(200);
        await stale.arrayBuffer();
      }
    } finally {
      await server.close();
    }
  });

  it('answers a path that does not decode without a fault, which Vite would show over every open page', async () => {
    const server = await devServer();
    const sent: unknown[] = [];
    const send = server.ws.send.bind(server.ws) as (...args: unknown[]) => void;
    server.ws.send = ((...args: unknown[]) => {
      sent.push(args[0]);
      send(...args);
    }) as typeof server.ws.send;
    await server.listen();
    try {
      const { port } = server.httpServer!.address() as AddressInfo;
      for (const path of ['/models/%', '/ort/%E0%A4%A', '/%']) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        await res.arrayBuffer();
        expect(res.status, path).toBeLessThan(500);
      }
      expect(sent.filter((m) => (m as { type?: string }).type === 'error')).toEqual([]);
      expect((await fetch(`http://127.0.0.1:${port}/models/manifest.json`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
