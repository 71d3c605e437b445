/**
 * The inference providers the server knows — `cuda`, `webgpu`, `cpu`, tried in that order — as entries
 * of a ProviderRegistry. Initialising a provider means creating one onnxruntime session per model file
 * bound to it (a shared network's file, holding several tasks, gets one session for all of them),
 * checking that the graph has every task's output, and warming it with real runs; only a provider that
 * gets that far is chosen, so a GPU that is listed but cannot run the graphs is reported and the next
 * provider used. Each failure names what to install or which model file is at fault. The server binds
 * on its inference thread (inference-thread.ts), so that `session.run` never holds the event loop;
 * `bindModels` itself binds on the calling thread (the inference thread, benchmarks, tests).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { INPUT_NAME, inputShape, ModelLoadError, ModelMismatchError, PIXEL_COUNT } from '@facekit/core';
import { modelFiles, webgpuSkipReason, type LoadedModel, type ModelFile } from '@facekit/core/node';
import { bindModelsOffThread, type ProviderMove } from './inference-thread.js';
import { ortReason } from './ort-reason.js';
import { ProviderRegistry } from './provider-registry.js';

/** Each output's probabilities, by output name: `faces` rows of the output's width. */
export type FileOutputs = Record<string, Float32Array>;

/** One ONNX file bound to a provider: the models (tasks) it answers, each from its `entry.output.name`. */
export interface BoundFile extends ModelFile {
  /** Runs the file's session once on `faces` faces (pixelsToModelInput's layout). */
  run(input: Float32Array, faces: number): Promise<FileOutputs>;
}

/** One session per model file, bound to one provider and warmed. */
export interface BoundModels {
  readonly provider: string;
  /** In the order the files first appear in the canonical task order. */
  readonly files: readonly BoundFile[];
  /**
   * Why the models cannot run now (the inference thread died and a new one failed to bind, e.g. its GPU
   * is gone), else undefined. Absent where the sessions live on the calling thread.
   */
  readonly unavailable?: () => string | undefined;
  /**
   * Why the models run on a fallback provider rather than the one chosen (its GPU was lost and could not
   * be bound again; `provider` then names the fallback), else undefined.
   */
  readonly degraded?: () => string | undefined;
  release(): Promise<void>;
}

export interface SessionSettings {
  /** 0 lets onnxruntime choose. */
  readonly intraOpThreads: number;
  /** Batch sizes run once per model at start (kernels chosen, memory planned). */
  readonly warmBatchSizes: readonly number[];
}

/** The installed onnxruntime-node package. */
function ortPackageDir(): string {
  return path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
}

/** Folder holding onnxruntime-node's native libraries for this platform. */
function ortBinaryDir(): string {
  return path.join(ortPackageDir(), 'bin', 'napi-v6', process.platform, process.arch);
}

function bundled(name: string): boolean {
  return ort.listSupportedBackends().some((b) => b.name === name);
}

async function createSession(
  file: ModelFile,
  provider: string,
  settings: SessionSettings,
): Promise<ort.InferenceSession> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file.bytes, {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
      ...(settings.intraOpThreads > 0 ? { intraOpNumThreads: settings.intraOpThreads } : {}),
      // Idle intra-op threads would otherwise spin and take the cores that parse requests: with
      // spinning, 2 threads served 965 requests/s on 2 cores; without, 2,506 (pnpm bench:serve).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
  } catch (error) {
    throw new ModelLoadError(file.path, `${provider}: cannot create a session (${ortReason(error)})`, {
      cause: error,
    });
  }
  const missing = file.models
    .filter((m) => !session.outputNames.includes(m.entry.output.name))
    .map((m) => `"${m.entry.output.name}" (${m.task})`);
  if (!session.inputNames.includes(INPUT_NAME) || missing.length > 0) {
    await session.release();
    const lacks = missing.length > 0 ? `; it lacks output ${missing.join(', ')}` : '';
    throw new ModelMismatchError(
      file.path,
      `graph has inputs [${session.inputNames}] and outputs [${session.outputNames}]${lacks}`,
    );
  }
  return session;
}

const runSession = (session: ort.InferenceSession, input: Float32Array, faces: number) =>
  session.run({ [INPUT_NAME]: new ort.Tensor('float32', input, inputShape(faces)) });

/** Runs each batch size once and checks every task's output is [n, its label count]. */
async function warm(
  file: ModelFile,
  session: ort.InferenceSession,
  batchSizes: readonly number[],
): Promise<void> {
  for (const n of batchSizes) {
    const outputs = await runSession(session, new Float32Array(n * PIXEL_COUNT).fill(0.5), n);
    for (const { entry } of file.models) {
      const classes = entry.labels.length;
      const output = outputs[entry.output.name]!;
      const [rows, cols] = output.dims;
      if (output.dims.length !== 2 || rows !== n || cols !== classes) {
        throw new ModelMismatchError(
          file.path,
          `output "${entry.output.name}" has shape [${output.dims}] for ${n} faces, expected [${n}, ${classes}]`,
        );
      }
    }
  }
}

/**
 * Creates and warms a session per model file on `provider`, on this thread; releases what it made if
 * any step fails.
 */
export async function bindModels(
  models: readonly LoadedModel[],
  provider: string,
  settings: SessionSettings,
): Promise<BoundModels> {
  if (provider === 'webgpu' && !bundled('webgpu'))
    throw new Error(
      `this onnxruntime-node build has no WebGPU provider on ${process.platform}-${process.arch}`,
    );
  const sessions: ort.InferenceSession[] = [];
  const files: BoundFile[] = [];
  const release = async () => {
    await Promise.all(sessions.map((s) => s.release()));
  };
  try {
    for (const file of modelFiles(models)) {
      const session = await createSession(file, provider, settings);
      sessions.push(session);
      await warm(file, session, settings.warmBatchSizes);
      files.push({
        ...file,
        run: async (input, faces) => {
          const outputs = await runSession(session, input, faces);
          return Object.fromEntries(
            file.models.map(({ entry: { output } }) => [
              output.name,
              outputs[output.name]!.data as Float32Array,
            ]),
          );
        },
      });
    }
  } catch (error) {
    await release();
    throw error;
  }
  return { provider, files, release };
}

/** Whether a GPU provider lost while serving may move the models to cpu, and who hears of it. */
export interface FallbackSettings {
  readonly cpuFallback?: boolean;
  readonly onMove?: (move: ProviderMove) => void;
}

/** Why onnxruntime-node cannot offer CUDA here at all (another platform, libraries not installed). */
function cudaMissingReason(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    return 'onnxruntime-node ships CUDA support for linux x64 only';
  const lib = path.join(ortBinaryDir(), 'libonnxruntime_providers_cuda.so');
  if (existsSync(lib)) return undefined;
  return `CUDA provider libraries are not installed (${lib} is missing; with CUDA 12 and cuDNN 9, fetch them: ONNXRUNTIME_NODE_INSTALL=cuda12 node ${path.join(ortPackageDir(), 'script', 'install.js')})`;
}

/**
 * cuda → webgpu → cpu, each initialised by binding and warming every model; by default cuda is passed
 * over when its libraries are not installed, and webgpu when its only adapter is a software one
 * (`--ep cuda` then fails, `--ep webgpu` still uses it). With `cpuFallback`
 * (cpu is among the providers the user allows), a GPU provider whose thread is lost and cannot be bound
 * again serves on cpu until it can (bindModelsOffThread's `fallback`), rather than not at all.
 */
export function onnxProviderRegistry(
  models: readonly LoadedModel[],
  settings: SessionSettings,
  { cpuFallback = true, onMove }: FallbackSettings = {},
): ProviderRegistry<BoundModels> {
  const gpu = { fallback: cpuFallback ? 'cpu' : undefined, onMove };
  return new ProviderRegistry<BoundModels>()
    .register({
      name: 'cuda',
      priority: 30,
      init: async () => {
        const missing = cudaMissingReason();
        if (missing) throw new Error(missing);
        return bindModelsOffThread(models, 'cuda', settings, gpu);
      },
      // Not installed is the usual case (install skips the download): passed over, not a failure.
      autoSkipReason: async () => cudaMissingReason(),
    })
    .register({
      name: 'webgpu',
      priority: 20,
      init: () => bindModelsOffThread(models, 'webgpu', settings, gpu),
      // onnxruntime's own Dawn sees the same Vulkan devices as the `webgpu` package asked here.
      autoSkipReason: webgpuSkipReason,
    })
    .register({ name: 'cpu', priority: 10, init: () => bindModelsOffThread(models, 'cpu', settings) });
}
