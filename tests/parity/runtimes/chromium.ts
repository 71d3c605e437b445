/**
 * onnxruntime-web inside headless Chromium: a blank page served with the models, onnxruntime-web's
 * dist (the extern-wasm entry the demo uses) and the shared inputs as one binary file; a small module
 * script on the page opens a wasm session per model file and runs batches when asked, each task read
 * from its entry's output name (a shared network's file is run once per batch for all its tasks, and
 * once per face when timing). The face detector is served beside them with its letterboxed inputs as a
 * second binary file, run one input at a time. Inputs never travel through page.evaluate, only task
 * names and counts in and probabilities (and the detector's scores and boxes) out.
 */
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import type { Task } from '@facekit/core';
import { chromiumMissing, launchChromium, type Browser } from '../../support/chromium.js';
import { serveStatic, type StaticServer } from '../../support/static-server.js';
import type { Runtime, Timings, WarmUp } from './runtime.js';

const PAGE = `<!doctype html><meta charset="utf-8"><title>parity</title>
<script type="module">
import * as ort from '/ort/ort.min.mjs';
ort.env.wasm.wasmPaths = '/ort/';
ort.env.wasm.numThreads = 1;
const sessions = new Map();
const tasks = new Map();
const answers = new Map();
let inputs;
// runtime.ts's timeEach, as the page runs it: the warm-up, then the timed runs.
const timeEach = async (runs, warm, once) => {
  const time = async (i, into) => { const t = performance.now(); await once(i); into.push(performance.now() - t); };
  const warmUp = [];
  const started = performance.now();
  while (warmUp.length === 0 || (warmUp.length < warm.runs && performance.now() - started < warm.ms)) await time(warmUp.length, warmUp);
  const timed = [];
  for (let i = 0; i < runs; i++) await time(i, timed);
  return { warmUp, timed };
};
const runFile = async (file, start, n) => {
  const feed = new ort.Tensor('float32', inputs.slice(start * 2304, (start + n) * 2304), [n, 48, 48, 1]);
  return sessions.get(file).run({ image: feed });
};
window.parity = {
  async load(models, ep) {
    inputs = new Float32Array(await (await fetch('/inputs.bin')).arrayBuffer());
    let adapter = null;
    if (ep === 'webgpu') {
      const found = navigator.gpu && (await navigator.gpu.requestAdapter());
      if (!found) return { missing: 'this Chromium offers no WebGPU adapter' };
      adapter = { name: found.info.architecture || found.info.vendor || 'unnamed', software: !!found.info.isFallbackAdapter };
    }
    for (const { task, file, output } of models) {
      if (!sessions.has(file))
        sessions.set(file, await ort.InferenceSession.create('/models/' + file, { executionProviders: [ep] }));
      tasks.set(task, { file, output });
    }
    return { version: ort.env.versions.web, threads: ort.env.wasm.numThreads, userAgent: navigator.userAgent, adapter };
  },
  async run(task, count, batch) {
    const { file, output } = tasks.get(task);
    const key = [file, count, batch].join(' ');
    if (!answers.has(key)) {
      const rows = {};
      for (let start = 0; start < count; start += batch) {
        const result = await runFile(file, start, Math.min(batch, count - start));
        for (const [name, tensor] of Object.entries(result)) (rows[name] ??= []).push(...tensor.data);
      }
      answers.set(key, rows);
    }
    return answers.get(key)[output];
  },
  latency(runs, warm, count) {
    return timeEach(runs, warm, async (i) => { for (const file of sessions.keys()) await runFile(file, i % count, 1); });
  },
};
let detector;
let detectorInputs;
const PER_IMAGE = 256 * 256 * 3;
const detectOne = (i) =>
  detector.run({ image: new ort.Tensor('float32', detectorInputs.slice(i * PER_IMAGE, (i + 1) * PER_IMAGE), [1, 256, 256, 3]) });
window.parityDetector = {
  async load(ep) {
    detectorInputs = new Float32Array(await (await fetch('/detector-inputs.bin')).arrayBuffer());
    detector = await ort.InferenceSession.create('/detector.onnx', { executionProviders: [ep] });
  },
  async detect(count) {
    const scores = [];
    const boxes = [];
    for (let i = 0; i < count; i++) {
      const out = await detectOne(i);
      for (const v of out.scores.data) scores.push(v);
      for (const v of out.boxes.data) boxes.push(v);
    }
    return { scores, boxes };
  },
  latency(runs, warm, count) {
    return timeEach(runs, warm, (i) => detectOne(i % count));
  },
};
window.parityReady = true;
</script>`;

interface Loaded {
  version: string;
  threads: number;
  userAgent: string;
  /** WebGPU's adapter (null on wasm). */
  adapter: { name: string; software: boolean } | null;
}
interface PageApi {
  load(
    models: { task: string; file: string; output: string }[],
    ep: Ep,
  ): Promise<Loaded | { missing: string }>;
  run(task: string, count: number, batch: number): Promise<number[]>;
  latency(runs: number, warm: WarmUp, count: number): Promise<Timings>;
}
interface DetectorPageApi {
  load(ep: Ep): Promise<void>;
  detect(count: number): Promise<{ scores: number[]; boxes: number[] }>;
  latency(runs: number, warm: WarmUp, count: number): Promise<Timings>;
}
declare const window: { parity: PageApi; parityDetector: DetectorPageApi };

type Ep = 'wasm' | 'webgpu';

/**
 * onnxruntime-web in headless Chromium on `ep`. WebGPU runs on the adapter Chromium offers: a GPU, or
 * its SwiftShader where there is none (CI) — then the answers are checked but not timed.
 */
export function chromiumRuntime(ep: Ep = 'wasm'): Runtime {
  let browser: Browser | undefined;
  let server: StaticServer | undefined;
  let info = '';
  let count = 0;
  let detectorCount = 0;
  const runtime: Runtime = {
    name: `onnxruntime-web ${ep} (Chromium)`,
    gpu: ep === 'webgpu',
    async open(ctx) {
      const missing = chromiumMissing();
      if (missing) return missing;
      const ortDist = dirname(
        createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm'),
      );
      const data = ctx.inputs.data;
      server = await serveStatic({
        '/ort/': { dir: ortDist },
        '/models/': { dir: ctx.dir },
        '/inputs.bin': {
          bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
          type: 'application/octet-stream',
        },
        '/': { bytes: PAGE, type: 'text/html; charset=utf-8' },
        ...(ctx.detector
          ? {
              '/detector.onnx': { bytes: ctx.detector.bytes, type: 'application/octet-stream' },
              '/detector-inputs.bin': {
                bytes: new Uint8Array(
                  ctx.detector.inputs.data.buffer,
                  ctx.detector.inputs.data.byteOffset,
                  ctx.detector.inputs.data.byteLength,
                ),
                type: 'application/octet-stream',
              },
            }
          : {}),
      });
      browser = await launchChromium();
      count = ctx.inputs.count;
      await browser.page.goto(`${server.origin}/`);
      await browser.page.waitForFunction('window.parityReady === true', undefined, { timeout: 30_000 });
      const models = ctx.models.map((m) => ({
        task: m.task,
        file: m.entry.file,
        output: m.entry.output.name,
      }));
      const loaded = await browser.page
        .evaluate(([m, e]) => window.parity.load(m, e), [models, ep] as const)
        .catch((error: Error) => {
          throw new Error(`${error.message}\n${browser!.log.join('\n')}`);
        });
      if ('missing' in loaded) return loaded.missing;
      if (ctx.detector) {
        detectorCount = ctx.detector.inputs.count;
        await browser.page
          .evaluate((e) => window.parityDetector.load(e), ep)
          .catch((error: Error) => {
            throw new Error(`the detector: ${error.message}\n${browser!.log.join('\n')}`);
          });
      }
      const chrome = /Chrom(?:e|ium)\/([\d.]+)/.exec(loaded.userAgent)?.[1] ?? '?';
      const where = loaded.adapter
        ? `WebGPU EP on ${loaded.adapter.name}${loaded.adapter.software ? ' (software: not timed)' : ''}`
        : `wasm EP, ${loaded.threads} thread(s)`;
      info = `onnxruntime-web ${loaded.version}, ${where}, headless Chromium ${chrome}`;
      if (loaded.adapter?.software) {
        delete runtime.latency;
        delete runtime.detectorLatency;
      }
      return null;
    },
    async run(task: Task, n: number, batch: number) {
      return Float32Array.from(
        await browser!.page.evaluate(([t, c, b]) => window.parity.run(t, c, b), [task, n, batch] as const),
      );
    },
    latency: (runs, warmUp) =>
      browser!.page.evaluate(([r, w, c]) => window.parity.latency(r, w, c), [runs, warmUp, count] as const),
    async detect(n) {
      const out = await browser!.page.evaluate((c) => window.parityDetector.detect(c), n);
      return { scores: Float32Array.from(out.scores), boxes: Float32Array.from(out.boxes) };
    },
    detectorLatency: (runs, warmUp) =>
      browser!.page.evaluate(([r, w, c]) => window.parityDetector.latency(r, w, c), [
        runs,
        warmUp,
        detectorCount,
      ] as const),
    describe: () => info,
    async close() {
      // Twice is harmless: a skipped runtime is closed before the skip, and again by the test.
      const [b, s] = [browser, server];
      browser = undefined;
      server = undefined;
      await b?.close();
      await s?.close();
    },
  };
  return runtime;
}
