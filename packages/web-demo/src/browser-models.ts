/**
 * The shipped models in the browser: fetch models/manifest.json, validate it with core's parser, fetch
 * each ONNX file it names once and refuse it unless its sha256 matches, and open one onnxruntime-web
 * session per file — a shared network's file answers several tasks from one run, each read from its
 * entry's output name — on WebGPU when the browser has a GPU adapter and every model loads there, else
 * on wasm. The choice and the reason for it are returned so the page can say which runtime ran; nothing
 * falls back silently. The runtime is fetched only once the choice is known: onnxruntime-web's default
 * entry loads the JSEP build (28 MB of wasm, both providers), which only a WebGPU attempt needs; wasm
 * alone comes with its `wasm` entry's build, half that. Both builds are the threaded ones: the wasm
 * provider runs the threads asked for where the page is cross-origin isolated, one where it is not.
 */
import type * as Ort from 'onnxruntime-web';
import {
  inputShape,
  INPUT_NAME,
  isSoftwareAdapter,
  manifestTasks,
  JsonFieldError,
  parseManifest,
  PIXEL_COUNT,
  pixelsToModelInput,
  sha256Hex,
  type AdapterInfo,
  type Manifest,
  type AgeGrouping,
  type Task,
} from '@facekit/core';
import { loadBrowserDetector, type BrowserDetector } from './browser-detector.js';
import { checkOutputNames, manifestFiles, taskOutputs, type ManifestFile } from './manifest-files.js';

export type Provider = 'webgpu' | 'wasm';

export interface BrowserModels {
  readonly manifest: Manifest;
  readonly tasks: readonly Task[];
  /** How the age model groups ages (the manifest's; six groups when it has no age model). */
  readonly ageGrouping: AgeGrouping;
  /** The ONNX files opened: one session and one run per face each. */
  readonly files: readonly string[];
  readonly provider: Provider;
  /** Why this provider: e.g. "WebGPU: no adapter". */
  readonly reason: string;
  /** onnxruntime-web's version, and the threads its wasm provider runs. */
  readonly runtime: { readonly version: string; readonly wasmThreads: number };
  /** The face detector, or why there is none (the page then keeps the centre square). */
  readonly detector: BrowserDetector | { readonly missing: string };
  /** Grey levels (2304, 0–255) → each task's probabilities, and the milliseconds the runs took. */
  run(pixels: Uint8Array): Promise<{ probabilities: Map<Task, Float32Array>; ms: number }>;
}

async function fetchBytes(url: URL): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

interface AdapterLike {
  readonly info?: AdapterInfo;
}

/**
 * Why WebGPU should not be tried here, or null when an adapter exists. With `acceptSoftware` false
 * (the automatic choice) a software adapter (SwiftShader: a browser without a usable GPU, or one
 * started with --enable-unsafe-webgpu) counts as none: wasm is faster on the same CPU.
 */
async function webgpuUnavailable(acceptSoftware: boolean): Promise<string | null> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<AdapterLike | null> } }).gpu;
  if (!gpu) return 'this browser has no WebGPU';
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return 'no WebGPU adapter';
    if (!acceptSoftware && isSoftwareAdapter(adapter.info ?? {}))
      return `the only WebGPU adapter is a software one (${adapter.info?.architecture || 'fallback'}), slower than wasm`;
    return null;
  } catch (error) {
    return `WebGPU adapter request failed (${(error as Error).message})`;
  }
}

type FetchedFile = ManifestFile & { readonly bytes: Uint8Array };
type OpenFile = ManifestFile & { readonly session: Ort.InferenceSession };
type Runtime = typeof Ort;

/**
 * onnxruntime-web's entry for the providers to be tried, its wasm fetched from `ort/` beside the
 * models folder (the demo serves both builds there: demo-assets.ts).
 */
async function loadRuntime(withWebGpu: boolean, base: URL, threads: number): Promise<Runtime> {
  const ort: Runtime = withWebGpu ? await import('onnxruntime-web') : await import('onnxruntime-web/wasm');
  const folder = new URL('../ort/', base);
  ort.env.wasm.wasmPaths = folder.href;
  // Always set: left unset, onnxruntime-web runs half the cores (up to four) on an isolated page.
  ort.env.wasm.numThreads = threads;
  ort.env.logLevel = 'warning';
  runtimeFiles.set(ort, `${folder.pathname}ort-wasm-simd-threaded${withWebGpu ? '.jsep' : ''}.{mjs,wasm}`);
  return ort;
}

/** The files each runtime starts from (fetched on its first session), for an error that names them. */
const runtimeFiles = new WeakMap<Runtime, string>();

/**
 * One session per file on `provider`, each run once on a blank face: a session's first run sets up its
 * kernels (≈ 160 ms on wasm against 3–16 ms after), so the first face is answered as fast as the next,
 * and a provider that opens a file but cannot run it (or gives NaN) fails here, where the page can
 * fall back.
 */
async function openSessions(
  ort: Runtime,
  files: readonly FetchedFile[],
  provider: Provider,
): Promise<OpenFile[]> {
  const open: OpenFile[] = [];
  const blank = {
    [INPUT_NAME]: new ort.Tensor('float32', new Float32Array(PIXEL_COUNT).fill(0.5), inputShape(1)),
  };
  try {
    for (const { bytes, ...file } of files) {
      const session = await ort.InferenceSession.create(bytes, { executionProviders: [provider] }).catch(
        (error: Error) => {
          // The runtime could not start (its .mjs or .wasm missing or broken): no fault of this file's.
          if (/no available backend found/.test(error.message))
            throw new Error(
              `onnxruntime-web could not start its ${provider} runtime, ${runtimeFiles.get(ort)} (${error.message})`,
              { cause: error },
            );
          throw new Error(`${file.file}: ${provider} cannot open it (${error.message})`, { cause: error });
        },
      );
      open.push({ ...file, session });
      checkOutputNames(file, session.outputNames);
      const out = await session.run(blank).catch((error: Error) => {
        throw new Error(`${file.file}: ${provider} cannot run it (${error.message})`, { cause: error });
      });
      // A runtime that runs a graph but computes garbage (NaN from a broken kernel) is no runtime.
      for (const name of session.outputNames)
        if (!(out[name]!.data as Float32Array).every(Number.isFinite))
          throw new Error(`${file.file}: ${provider} gives non-finite probabilities for a blank face`);
    }
    return open;
  } catch (error) {
    await Promise.all(open.map((f) => f.session.release()));
    throw error;
  }
}

/**
 * Opens `files` on WebGPU when wanted and possible, else on wasm, and says why. Only a WebGPU attempt
 * fetches the JSEP runtime; after a failed one that runtime, already fetched, runs wasm too.
 */
async function openOnProvider(
  files: readonly FetchedFile[],
  want: Provider | 'auto',
  base: URL,
  threads: number,
  progress: (message: string) => void,
): Promise<{ ort: Runtime; open: OpenFile[]; provider: Provider; reason: string }> {
  let reason = 'wasm asked for';
  let ort: Runtime | undefined;
  if (want !== 'wasm') {
    const missing = await webgpuUnavailable(want === 'webgpu');
    if (missing) reason = missing;
    else {
      progress('loading onnxruntime-web (WebGPU and wasm)');
      ort = await loadRuntime(true, base, threads);
      progress('creating WebGPU sessions');
      try {
        const open = await openSessions(ort, files, 'webgpu');
        return {
          ort,
          open,
          provider: 'webgpu',
          reason: want === 'webgpu' ? 'WebGPU asked for' : 'WebGPU adapter found',
        };
      } catch (error) {
        reason = `WebGPU failed: ${(error as Error).message}`;
      }
    }
    if (want === 'webgpu') throw new Error(`WebGPU asked for, but ${reason}`);
  }
  if (!ort) {
    progress('loading onnxruntime-web (wasm)');
    ort = await loadRuntime(false, base, threads);
  }
  progress('creating wasm sessions');
  return { ort, open: await openSessions(ort, files, 'wasm'), provider: 'wasm', reason };
}

/**
 * Loads the models under `base` (the folder holding manifest.json). `want` forces a provider; "auto"
 * tries WebGPU first. `threads` is what the wasm provider is asked to run (wasm-threads.ts).
 * `progress` hears what is being fetched.
 */
export async function loadBrowserModels(
  base: URL,
  want: Provider | 'auto',
  threads: number,
  progress: (message: string) => void,
): Promise<BrowserModels> {
  progress('reading models/manifest.json');
  const manifestUrl = new URL('manifest.json', base);
  const response = await fetch(manifestUrl);
  if (!response.ok)
    throw new Error(
      response.status === 404
        ? `no models: ${manifestUrl.pathname} answered HTTP 404 (run pnpm export)`
        : `${manifestUrl.pathname}: HTTP ${response.status}`,
    );
  let manifest: Manifest;
  try {
    manifest = parseManifest(await response.text(), manifestUrl.pathname);
  } catch (error) {
    if (error instanceof JsonFieldError) throw error; // it names the manifest and the field
    throw new Error(`${manifestUrl.pathname}: ${(error as Error).message}`, { cause: error });
  }
  const tasks = manifestTasks(manifest);
  const files: FetchedFile[] = [];
  for (const file of manifestFiles(manifest)) {
    progress(`fetching ${file.file}`);
    const bytes = await fetchBytes(new URL(file.file, base));
    const sha = await sha256Hex(bytes);
    if (sha !== file.sha256)
      throw new Error(
        `${file.file}: sha256 ${sha.slice(0, 12)}… does not match the manifest (${file.sha256.slice(0, 12)}…)`,
      );
    files.push({ ...file, bytes });
  }

  const { ort: runtime, open, provider, reason } = await openOnProvider(files, want, base, threads, progress);
  progress('opening the face detector');
  const detector = await loadBrowserDetector(runtime, base, provider);
  const runNow = async (pixels: Uint8Array) => {
    const feed = {
      [INPUT_NAME]: new runtime.Tensor('float32', pixelsToModelInput([pixels]), inputShape(1)),
    };
    const probabilities = new Map<Task, Float32Array>();
    const started = performance.now();
    for (const file of open) {
      for (const [task, output] of taskOutputs(file, await file.session.run(feed)))
        probabilities.set(task, (await output.getData()) as Float32Array);
    }
    return { probabilities, ms: performance.now() - started };
  };
  // One run at a time: onnxruntime-web refuses a run on a session that is still running one ("Session
  // already started"), and the page can ask twice at once (arrow keys held on the square, a compare).
  let queue: Promise<unknown> = Promise.resolve();

  return {
    manifest,
    tasks,
    ageGrouping: manifest.models.age?.ageGrouping ?? 'six',
    files: open.map((f) => f.file),
    provider,
    reason,
    detector,
    runtime: {
      version: runtime.env.versions.web ?? '',
      wasmThreads: typeof runtime.env.wasm.numThreads === 'number' ? runtime.env.wasm.numThreads : 1,
    },
    run(pixels) {
      const result = queue.then(() => runNow(pixels));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
