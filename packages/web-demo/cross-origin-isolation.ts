/**
 * The headers that make the demo page cross-origin isolated, so that `SharedArrayBuffer` exists and
 * onnxruntime-web's wasm may run more than one thread (`?threads=N`): without them it runs one,
 * whatever it is asked. Sent on every response — the page, its scripts, the models and `ort/`: the
 * runtime's threads are module workers started from `ort/*.mjs`, and Chromium refuses a worker script
 * without COEP to a page that has it. `require-corp` suffices: everything the page loads is
 * same-origin or, like the comparison with the GraphQL server, a CORS fetch, which COEP lets through
 * (it blocks only cross-origin no-cors loads without a Cross-Origin-Resource-Policy).
 */
import type { Connect, Plugin } from 'vite';

export const CROSS_ORIGIN_ISOLATION: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

const isolate: Connect.NextHandleFunction = (_req, res, next) => {
  for (const [name, value] of Object.entries(CROSS_ORIGIN_ISOLATION)) res.setHeader(name, value);
  next();
};

/** Sends the headers from the dev server (`pnpm demo`) and `vite preview`, before any other middleware. */
export function crossOriginIsolation(): Plugin {
  return {
    name: 'facekit-cross-origin-isolation',
    configureServer: (server) => void server.middlewares.use(isolate),
    configurePreviewServer: (server) => void server.middlewares.use(isolate),
  };
}
