/**
 * The shipped models in the browser: fetch models/manifest.json, validate it with core's parser, fetch
 * each ONNX file it names and refuse it unless its sha256 matches, and open one onnxruntime-web
 * session per task — on WebGPU when the browser has an adapter and every model loads there, else on
 * wasm. The choice and the reason for it are returned so the page can say which runtime ran; nothing
 * falls back silently.
 */
import * as ort from 'onnxruntime-web';
import {
  inputShape,
  INPUT_NAME,
  manifestTasks,
  OUTPUT_NAME,
  parseManifest,
  pixelsToModelInput,
  sha256Hex,
  type Manifest,
  type Task,
} from '@facekit/core';

export type Provider = 'webgpu' | 'wasm';

export interface BrowserModels {
  readonly manifest: Manifest;
  readonly tasks: readonly Task[];
  readonly provider: Provider;
  /** Why this provider: e.g. "WebGPU: no adapter". */
  readonly reason: string;
  /** Grey levels (2304, 0–255) → each task's probabilities, and the milliseconds the three runs took. */
  run(pixels: Uint8Array): Promise<{ probabilities: Map<Task, Float32Array>; ms: number }>;
}

async function fetchBytes(url: URL): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Why WebGPU cannot be tried here, or null when an adapter exists. */
async function webgpuUnavailable(): Promise<string | null> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return 'this browser has no WebGPU';
  try {
    return (await gpu.requestAdapter()) ? null : 'no WebGPU adapter';
  } catch (error) {
    return `WebGPU adapter request failed (${(error as Error).message})`;
  }
}

async function openSessions(
  files: Map<Task, Uint8Array>,
  provider: Provider,
): Promise<Map<Task, ort.InferenceSession>> {
  const sessions = new Map<Task, ort.InferenceSession>();
  try {
    for (const [task, bytes] of files)
      sessions.set(task, await ort.InferenceSession.create(bytes, { executionProviders: [provider] }));
    return sessions;
  } catch (error) {
    await Promise.all([...sessions.values()].map((s) => s.release()));
    throw error;
  }
}

/**
 * Loads the models under `base` (the folder holding manifest.json). `want` forces a provider; "auto"
 * tries WebGPU first. `progress` hears what is being fetched.
 */
export async function loadBrowserModels(
  base: URL,
  want: Provider | 'auto',
  progress: (message: string) => void,
): Promise<BrowserModels> {
  ort.env.wasm.wasmPaths = new URL('../ort/', base).href;
  ort.env.logLevel = 'warning';
  progress('reading models/manifest.json');
  const manifestUrl = new URL('manifest.json', base);
  const response = await fetch(manifestUrl);
  if (!response.ok)
    throw new Error(`no models: ${manifestUrl.pathname} answered HTTP ${response.status} (run pnpm export)`);
  const manifest = parseManifest(await response.text());
  const tasks = manifestTasks(manifest);
  const files = new Map<Task, Uint8Array>();
  for (const task of tasks) {
    const entry = manifest.models[task]!;
    progress(`fetching ${entry.file}`);
    const bytes = await fetchBytes(new URL(entry.file, base));
    const sha = await sha256Hex(bytes);
    if (sha !== entry.sha256)
      throw new Error(
        `${entry.file}: sha256 ${sha.slice(0, 12)}… does not match the manifest (${entry.sha256.slice(0, 12)}…)`,
      );
    files.set(task, bytes);
  }

  let provider: Provider = 'wasm';
  let reason = want === 'wasm' ? 'wasm asked for' : '';
  let sessions: Map<Task, ort.InferenceSession> | undefined;
  if (want !== 'wasm') {
    const missing = await webgpuUnavailable();
    if (missing) reason = missing;
    else {
      progress('creating WebGPU sessions');
      try {
        sessions = await openSessions(files, 'webgpu');
        provider = 'webgpu';
        reason = 'WebGPU adapter found';
      } catch (error) {
        reason = `WebGPU failed: ${(error as Error).message}`;
      }
    }
    if (want === 'webgpu' && provider !== 'webgpu') throw new Error(`WebGPU asked for, but ${reason}`);
  }
  if (!sessions) {
    progress('creating wasm sessions');
    sessions = await openSessions(files, 'wasm');
  }
  const open = sessions;

  return {
    manifest,
    tasks,
    provider,
    reason,
    async run(pixels) {
      const feed = { [INPUT_NAME]: new ort.Tensor('float32', pixelsToModelInput([pixels]), inputShape(1)) };
      const probabilities = new Map<Task, Float32Array>();
      const started = performance.now();
      for (const task of tasks) {
        const result = await open.get(task)!.run(feed);
        probabilities.set(task, (await result[OUTPUT_NAME]!.getData()) as Float32Array);
      }
      return { probabilities, ms: performance.now() - started };
    },
  };
}

export function ortVersion(): string {
  return ort.env.versions.web ?? '';
}

export function wasmThreads(): number {
  return typeof ort.env.wasm.numThreads === 'number' ? ort.env.wasm.numThreads : 1;
}
