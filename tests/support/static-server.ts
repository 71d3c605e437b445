/**
 * A tiny static file server for the browser suites: URL prefixes mapped to folders (the demo's build,
 * the models, onnxruntime-web's dist) or to in-memory bytes (the parity inputs), on a random local
 * port. Small enough to read at a glance, so a failing browser test is never the server's fault.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { CROSS_ORIGIN_ISOLATION } from '../../packages/web-demo/cross-origin-isolation.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
};

export type Route = { readonly dir: string } | { readonly bytes: Uint8Array | string; readonly type: string };

export interface StaticServer {
  readonly origin: string;
  close(): Promise<void>;
}

export interface StaticOptions {
  /**
   * Send the demo's COOP/COEP headers on every answer, as `pnpm demo` and `vite preview` do, so pages
   * are cross-origin isolated and onnxruntime-web's wasm may run threads. Off by default: the parity
   * page's timings are described as those of a page that is not isolated (tests/parity/report.ts).
   */
  readonly crossOriginIsolated?: boolean;
}

/** Serves `routes` ("/prefix/" → folder or bytes; "/" last as the catch-all) on 127.0.0.1. */
export async function serveStatic(
  routes: Readonly<Record<string, Route>>,
  { crossOriginIsolated = false }: StaticOptions = {},
): Promise<StaticServer> {
  const prefixes = Object.keys(routes).sort((a, b) => b.length - a.length);
  const server = http.createServer((req, res) => {
    if (crossOriginIsolated)
      for (const [name, value] of Object.entries(CROSS_ORIGIN_ISOLATION)) res.setHeader(name, value);
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const prefix = prefixes.find((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));
    const route = prefix === undefined ? undefined : routes[prefix];
    const notFound = () => res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
    if (!route) return notFound();
    if ('bytes' in route) return res.writeHead(200, { 'content-type': route.type }).end(route.bytes);
    const root = resolve(route.dir);
    let file = resolve(root, `.${path.slice(prefix!.length - (prefix!.endsWith('/') ? 1 : 0))}`);
    if (file !== root && !file.startsWith(root + sep)) return notFound();
    stat(file)
      .then(async (s) => {
        if (s.isDirectory()) {
          file = join(file, 'index.html');
          s = await stat(file);
        }
        res.writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'content-length': s.size,
        });
        createReadStream(file).pipe(res);
      })
      .catch(notFound);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
