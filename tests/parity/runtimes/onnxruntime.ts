/**
 * onnxruntime in Node, in both packages the project ships with: onnxruntime-node (CPU, and WebGPU
 * where Dawn finds an adapter — without one its session creation fails and the suite skips it with
 * that message) and onnxruntime-web's wasm backend (the same runtime the browser demo uses). One
 * session per model file, one intra-op thread on CPU so the figures do not depend on the machine's
 * cores. Each task reads its entry's output name; a shared network's file is run once per batch for all
 * its tasks (the rows of the others are kept for their turn), and once per face when timing.
 */
import {
  DETECTOR_BOXES_NAME,
  DETECTOR_INPUT_NAME,
  DETECTOR_INPUT_SHAPE,
  DETECTOR_SCORES_NAME,
  groupByFile,
  INPUT_NAME,
  inputShape,
  type Task,
} from '@facekit/core';
import { dawnAdapter, type DawnAdapter } from '@facekit/core/node';
import {
  detectEach,
  detectorSlice,
  inBatches,
  slice,
  timeEach,
  type ParityContext,
  type ParityModel,
  type Runtime,
} from './runtime.js';

/** The part of onnxruntime's API both packages share that the suite uses. */
interface Ort {
  InferenceSession: { create(bytes: Uint8Array, options: Record<string, unknown>): Promise<Session> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
  env: { versions: Record<string, string | undefined>; wasm?: { numThreads?: number } };
}
type Outputs = Record<string, { data: unknown }>;
interface Session {
  run(feeds: Record<string, unknown>): Promise<Outputs>;
  release(): Promise<void>;
}

/** One model file's session and the tasks it answers. */
interface FileSession {
  readonly session: Session;
  readonly models: readonly ParityModel[];
}

/** onnxruntime's C++ errors start with a source path and the failed check; keep what a person needs. */
function shortError(error: Error): string {
  const first = error.message.split('\n')[0] ?? error.message;
  return first.replace(/^\/onnxruntime_src\/.*? was false\. /, '');
}

function ortRuntime(
  name: string,
  load: () => Promise<Ort>,
  options: Record<string, unknown>,
  gpu: boolean,
  version: (ort: Ort) => string,
): Runtime {
  const files = new Map<string, FileSession>();
  /** Every task's rows of a file's run over (count, batch size), so a shared file runs once for all. */
  const answers = new Map<string, Promise<Map<Task, Float32Array>>>();
  let ort: Ort;
  let context: ParityContext;
  let detector: Session | undefined;
  const runDetector = async (i: number) => {
    const image = detectorSlice(context.detector!.inputs, i).slice();
    const out = await detector!.run({
      [DETECTOR_INPUT_NAME]: new ort.Tensor('float32', image, DETECTOR_INPUT_SHAPE),
    });
    return {
      scores: out[DETECTOR_SCORES_NAME]!.data as Float32Array,
      boxes: out[DETECTOR_BOXES_NAME]!.data as Float32Array,
    };
  };
  const runOnce = (file: FileSession, input: Float32Array, n: number) =>
    file.session.run({ [INPUT_NAME]: new ort.Tensor('float32', input, inputShape(n)) });
  const runFile = async (file: FileSession, count: number, batchSize: number) => {
    const runs = new Map<number, Promise<Outputs>>();
    const batch = (start: number, n: number) => {
      if (!runs.has(start)) runs.set(start, runOnce(file, slice(context.inputs, start, n).slice(), n));
      return runs.get(start)!;
    };
    const rows = new Map<Task, Float32Array>();
    for (const { task, entry, width } of file.models)
      rows.set(
        task,
        await inBatches(
          count,
          batchSize,
          width,
          async (start, n) => (await batch(start, n))[entry.output.name]!.data as Float32Array,
        ),
      );
    return rows;
  };
  return {
    name,
    gpu,
    async open(ctx) {
      context = ctx;
      ort = await load();
      try {
        for (const models of groupByFile(ctx.models, (m) => m.entry.file))
          files.set(models[0]!.entry.file, {
            session: await ort.InferenceSession.create(models[0]!.bytes, options),
            models,
          });
        if (ctx.detector) detector = await ort.InferenceSession.create(ctx.detector.bytes, options);
      } catch (error) {
        await this.close();
        const why = `cannot create a session: ${shortError(error as Error)}`;
        // Only a GPU runtime may be absent here (no adapter, no driver): a CPU one that cannot open the
        // models has failed, and the suite must not pass without it.
        if (!gpu) throw new Error(why, { cause: error });
        return why;
      }
      return null;
    },
    async run(task, count, batchSize) {
      const file = context.models.find((m) => m.task === task)!.entry.file;
      const key = `${file}\n${count}\n${batchSize}`;
      if (!answers.has(key)) answers.set(key, runFile(files.get(file)!, count, batchSize));
      return (await answers.get(key)!).get(task)!;
    },
    latency: (runs, warmUp) =>
      timeEach(runs, warmUp, async (i) => {
        const input = slice(context.inputs, i % context.inputs.count, 1).slice();
        for (const file of files.values()) await runOnce(file, input, 1);
      }),
    detect: (count) => detectEach(count, runDetector),
    detectorLatency: (runs, warmUp) =>
      timeEach(runs, warmUp, async (i) => {
        await runDetector(i % context.detector!.inputs.count);
      }),
    describe: () => version(ort),
    async close() {
      await Promise.all([...files.values()].map((f) => f.session.release()));
      await detector?.release();
      detector = undefined;
      files.clear();
      answers.clear();
    },
  };
}

const loadNode = async () => (await import('onnxruntime-node')) as unknown as Ort;
const nodeVersion = (ort: Ort) => `onnxruntime-node ${ort.env.versions.node ?? '?'}`;

export const ortNodeCpu = () =>
  ortRuntime(
    'onnxruntime-node cpu',
    loadNode,
    { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 },
    false,
    (o) => `${nodeVersion(o)}, CPU EP, 1 thread`,
  );

/**
 * The WebGPU EP on the adapter Dawn finds: a GPU, or — where there is none — the software one the test
 * setup adds (SwiftShader), which checks the same kernels' answers but whose timings mean nothing, so
 * it is not timed.
 */
export const ortNodeWebgpu = (): Runtime => {
  let adapter: DawnAdapter | null = null;
  const runtime = ortRuntime(
    'onnxruntime-node webgpu',
    loadNode,
    { executionProviders: ['webgpu'] },
    true,
    (o) =>
      `${nodeVersion(o)}, WebGPU EP (Dawn${adapter ? ` on ${adapter.description}${adapter.software ? ', software: not timed' : ''}` : ''})`,
  );
  const { open, latency, detectorLatency } = runtime;
  runtime.open = async (ctx) => {
    adapter = await dawnAdapter().catch(() => null);
    runtime.latency = adapter?.software ? undefined : latency;
    runtime.detectorLatency = adapter?.software ? undefined : detectorLatency;
    return open.call(runtime, ctx);
  };
  return runtime;
};

export const ortWebNode = () =>
  ortRuntime(
    'onnxruntime-web wasm (Node)',
    async () => {
      const ort = (await import('onnxruntime-web')) as unknown as Ort;
      ort.env.wasm!.numThreads = 1;
      return ort;
    },
    { executionProviders: ['wasm'] },
    false,
    (o) => `onnxruntime-web ${o.env.versions.web ?? '?'}, wasm EP in Node ${process.versions.node}, 1 thread`,
  );
