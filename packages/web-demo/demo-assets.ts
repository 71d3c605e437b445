/**
 * The demo must work offline, so it serves its own heavy assets instead of pointing at a CDN: the
 * repository's models (manifest.json and the ONNX files it names, and the face detector) under `models/`, and
 * onnxruntime-web's wasm runtime under `ort/`. In development a middleware streams them from where
 * they live; `vite build` copies them into the static build. The models folder is the shipped
 * `models/` unless FACEKIT_MODELS names another (the end-to-end test points it at its own models).
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connect, Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The ONNX runtime files the page may load: the JSEP build (28 MB) runs both the wasm and the WebGPU
 * providers, for a browser with a GPU adapter; the plain build (14 MB) runs wasm alone, for any other.
 */
export const ORT_FILES = [
  'ort-wasm-simd-threaded.jsep.mjs',
  'ort-wasm-simd-threaded.jsep.wasm',
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
];

/**
 * FACEKIT_MODELS, resolved from where the user ran the command (pnpm's INIT_CWD) as core's userPath
 * resolves every path typed, else models/. Not core's own function: vite.config.ts imports this file,
 * and Vite loads a config's workspace imports as plain Node modules, which cannot be TypeScript.
 */
export function modelsDir(): string {
  const given = process.env.FACEKIT_MODELS;
  return given ? resolve(process.env.INIT_CWD ?? process.cwd(), given) : resolve(here, '..', '..', 'models');
}

export function ortDir(): string {
  const entry = createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm');
  return dirname(entry);
}

/** A JSON file's content, or undefined when it is not JSON (served anyway, for the page to refuse). */
function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * The files under models/ the page may fetch: the manifest and each model it names, and the face
 * detector's face-detector.json and the file it names when there is one. A description that is not
 * JSON is still served, alone, for the page to refuse with the parser's message naming it.
 */
function modelFiles(dir: string): string[] {
  if (!existsSync(join(dir, 'manifest.json'))) return [];
  const manifest = readJson<{ models?: Record<string, { file?: string }> }>(join(dir, 'manifest.json'));
  const files = Object.values(manifest?.models ?? {}).flatMap((m) =>
    typeof m?.file === 'string' ? [m.file] : [],
  );
  const info = join(dir, 'face-detector.json');
  const detector = existsSync(info) ? (readJson<{ file?: unknown }>(info) ?? {}) : undefined;
  const detectorFiles = detector
    ? ['face-detector.json', ...(typeof detector.file === 'string' ? [detector.file] : [])]
    : [];
  return ['manifest.json', ...files, ...detectorFiles];
}

/** A URL path with its percent escapes decoded, or undefined when one is malformed. */
function decodedPath(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
};

/**
 * Serves `files` (relative paths) of `root` under `prefix`; anything else falls through. A path under
 * `prefix` that does not decode (`/models/%`) is answered 404 here: thrown, it reached Vite as a fault,
 * whose overlay then covered every open demo page, and the next one opened.
 */
function serveFrom(prefix: string, root: string, files: () => readonly string[]): Connect.NextHandleFunction {
  return (req, res, next) => {
    const raw = (req.url ?? '').split('?')[0] ?? '';
    if (!raw.startsWith(prefix)) return next();
    const path = decodedPath(raw);
    const rel = path?.slice(prefix.length) ?? '';
    const file = resolve(root, rel);
    if (!path || !files().includes(rel) || !file.startsWith(root + sep) || !existsSync(file)) {
      res.statusCode = 404;
      return res.end(`not found: ${path ?? raw}`);
    }
    // Revalidated on every load (the models may be re-exported), but not downloaded again while
    // unchanged: a reload had fetched the 28 MB runtime and the models anew.
    const { size, mtimeMs } = statSync(file);
    const etag = `W/"${size}-${Math.floor(mtimeMs)}"`;
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('etag', etag);
    if (req.headers['if-none-match'] === etag) {
      res.statusCode = 304;
      return res.end();
    }
    res.setHeader('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader('content-length', size);
    createReadStream(file).pipe(res);
  };
}

export function demoAssets(): Plugin {
  const models = modelsDir();
  let outDir = 'dist';
  return {
    name: 'facekit-demo-assets',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use(serveFrom('/models/', models, () => modelFiles(models)));
      server.middlewares.use(serveFrom('/ort/', ortDir(), () => ORT_FILES));
    },
    async writeBundle() {
      const files = modelFiles(models);
      if (files.length === 0)
        this.warn(`no models/manifest.json in ${models}: the build will show "no models"`);
      const copies = [
        ...files.map((f) => [join(models, f), join(outDir, 'models', f)]),
        ...ORT_FILES.map((f) => [join(ortDir(), f), join(outDir, 'ort', f)]),
      ];
      for (const [from, to] of copies) {
        await mkdir(dirname(to!), { recursive: true });
        await copyFile(from!, to!);
      }
    },
  };
}
