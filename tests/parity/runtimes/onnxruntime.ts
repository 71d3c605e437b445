/**
 * onnxruntime in Node, in both packages the project ships with: onnxruntime-node (CPU, and WebGPU
 * where Dawn finds an adapter — without one its session creation fails and the suite skips it with
 * that message) and onnxruntime-web's wasm backend (the same runtime the browser demo uses). One
 * session per task, one intra-op thread on CPU so the figures do not depend on the machine's cores.
 */
import { INPUT_NAME, inputShape, OUTPUT_NAME, type Task } from '@facekit/core';
import { inBatches, slice, timeEach, type ParityContext, type Runtime } from './runtime.js';

/** The part of onnxruntime's API both packages share that the suite uses. */
interface Ort {
  InferenceSession: { create(bytes: Uint8Array, options: Record<string, unknown>): Promise<Session> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
  env: { versions: Record<string, string | undefined>; wasm?: { numThreads?: number } };
}
interface Session {
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown }>>;
  release(): Promise<void>;
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
  const sessions = new Map<Task, { session: Session; width: number }>();
  let ort: Ort;
  let context: ParityContext;
  const runOnce = async (task: Task, input: Float32Array, n: number) => {
    const { session } = sessions.get(task)!;
    const result = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', input, inputShape(n)) });
    return result[OUTPUT_NAME]!.data as Float32Array;
  };
  return {
    name,
    gpu,
    async open(ctx) {
      context = ctx;
      ort = await load();
      try {
        for (const m of ctx.models)
          sessions.set(m.task, {
            session: await ort.InferenceSession.create(m.bytes, options),
            width: m.width,
          });
      } catch (error) {
        await this.close();
        return `cannot create a session: ${shortError(error as Error)}`;
      }
      return null;
    },
    run: (task, count, batchSize) =>
      inBatches(count, batchSize, sessions.get(task)!.width, (start, n) =>
        runOnce(task, slice(context.inputs, start, n).slice(), n),
      ),
    latency: (runs) =>
      timeEach(runs, async (i) => {
        const input = slice(context.inputs, i % context.inputs.count, 1).slice();
        for (const task of sessions.keys()) await runOnce(task, input, 1);
      }),
    describe: () => version(ort),
    async close() {
      await Promise.all([...sessions.values()].map((s) => s.session.release()));
      sessions.clear();
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

export const ortNodeWebgpu = () =>
  ortRuntime(
    'onnxruntime-node webgpu',
    loadNode,
    { executionProviders: ['webgpu'] },
    true,
    (o) => `${nodeVersion(o)}, WebGPU EP (Dawn)`,
  );

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
