/**
 * The server's models run on a thread of their own (inference-worker.ts): onnxruntime-node's
 * `session.run` computes on the calling thread, so on the event loop it held every other request for as
 * long as a batch took — half the main thread's time under load. `bindModelsOffThread` starts the
 * thread, which binds and warms the sessions (`bindModels`) and then runs batches sent to it; what it
 * returns looks like `bindModels`'s answer. One thread per binding, so onnxruntime-node lives in one
 * isolate besides the main one, and the thread of a provider that fails is ended before the next is
 * tried. A thread that dies, or fails FAILED_RUNS_BEFORE_REPLACING runs in a row, fails the runs it held
 * (their requests get an internal error) and is replaced, bound again on the same provider, by the next
 * run; if that binding fails too (a GPU gone), the models move to the `fallback` provider when one is
 * given (cpu, for a GPU), `degraded()` saying why, until the provider binds again in the background;
 * without one, or if the fallback fails as well, runs fail with the error for `rebindPauseMs` before the
 * next attempt, rather than each starting one, and `unavailable()` says why until a binding succeeds:
 * the server reports itself unready meanwhile, and tries again every `rebindPauseMs` by itself, since an
 * unready server gets no traffic to try with.
 */
import { ModelLoadError, ModelMismatchError } from '@facekit/core';
import { modelFiles, workerUrl, type LoadedModel } from '@facekit/core/node';
import type { BoundModels, FileOutputs, SessionSettings } from './onnx-providers.js';
import { wholeBuffer } from './pending-calls.js';
import type { FromInferenceThread, InferenceThreadSetup, ToInferenceThread } from './inference-worker.js';
import { WorkerCalls } from './worker-calls.js';

/** How long closing waits for the thread to finish its runs and release the sessions. */
const CLOSE_TIMEOUT_MS = 10_000;

/**
 * Runs failing in a row, none answered between them, after which a live thread is taken for broken and
 * replaced as a dead one is: a GPU device lost under onnxruntime leaves the thread alive and every run
 * failing, and only a new binding finds out whether the GPU is back (else `unavailable()` says why).
 * The server builds every input itself, so runs that fail are never the client's doing.
 */
export const FAILED_RUNS_BEFORE_REPLACING = 3;

/** A started thread whose models are bound and warmed. */
interface InferenceThread {
  run(file: number, input: Float32Array, faces: number): Promise<FileOutputs>;
  /** Releases the sessions and ends the thread. */
  close(): Promise<void>;
}

/** What went wrong on the thread, as the error the binding threw there. */
function rebuild(failure: Extract<FromInferenceThread, { type: 'failed' }>): Error {
  const { kind, file, reason } = failure;
  if (kind === 'ModelLoadError' && file !== undefined) return new ModelLoadError(file, reason);
  if (kind === 'ModelMismatchError' && file !== undefined) return new ModelMismatchError(file, reason);
  return new Error(reason);
}

/** Starts a thread and waits for its binding; `onDeath` hears of it if it dies later. */
async function startThread(
  setup: InferenceThreadSetup,
  onDeath: (error: Error) => void,
): Promise<InferenceThread> {
  let failedInARow = 0;
  let released: () => void = () => {};
  const worker = new WorkerCalls<ToInferenceThread, FromInferenceThread>(
    workerUrl('inference-worker', import.meta.url),
    {
      name: 'the inference thread',
      workerData: setup,
      startFailure: rebuild,
      onReply: (reply) => {
        if (reply.type === 'done') failedInARow = 0;
        else if (++failedInARow === FAILED_RUNS_BEFORE_REPLACING)
          worker.die(
            new Error(`the inference thread failed ${failedInARow} runs in a row (${reply.reason})`),
          );
      },
      onMessage: () => released(), // 'released', its only other message
      onDeath: (error) => {
        released();
        onDeath(error);
      },
    },
  );
  await worker.ready();
  return {
    run: async (file, input, faces) => {
      // The input is built for this run alone: its memory is handed over, not copied.
      const reply = await worker.call((id) => ({ type: 'run', id, file, input, faces }), wholeBuffer(input));
      if (reply.type === 'error') throw new Error(reply.reason);
      return reply.outputs;
    },
    close: async () => {
      if (!worker.failed) {
        // The thread finishes the runs it holds, then releases the sessions; one that does not answer
        // in time is ended anyway.
        const done = new Promise<void>((resolve) => (released = resolve));
        worker.post({ type: 'release' });
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)))]);
        clearTimeout(timer);
      }
      await worker.end(new Error('the models were released'));
    },
  };
}

export interface OffThreadOptions {
  /** Pause between bindings after one failed (runs fail meanwhile), and between background retries. */
  readonly rebindPauseMs?: number;
  /**
   * Provider to serve on while `provider` cannot be bound again after its thread was lost (a GPU gone):
   * runs move to it, `degraded()` says why, and `provider` is tried again every `rebindPauseMs` in the
   * background; once it binds, runs move back and the fallback's thread is ended after its own runs.
   * Not used for the first binding, whose failure is the caller's to handle.
   */
  readonly fallback?: string;
  /** Hears of each move to the fallback and back, for the server's log. */
  readonly onMove?: (move: ProviderMove) => void;
}

/** The models moved from one provider to another while serving; `reason` says why. */
export interface ProviderMove {
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

/**
 * A bound thread and the provider it runs on; on the fallback, `lost` says why `provider` could not be
 * bound again (its latest attempt's error).
 */
interface Serving {
  readonly provider: string;
  readonly thread: InferenceThread;
  lost?: Error;
}

export async function bindModelsOffThread(
  models: readonly LoadedModel[],
  provider: string,
  settings: SessionSettings,
  { rebindPauseMs = 5_000, fallback, onMove }: OffThreadOptions = {},
): Promise<BoundModels> {
  /** The thread runs go to; undefined once it died, until the next binding. */
  let serving: Serving | undefined;
  /** A binding under way, which every run arriving meanwhile waits for. */
  let binding: Promise<Serving> | undefined;
  /** A background attempt to leave the fallback for `provider` again. */
  let rebinding: Promise<Serving> | undefined;
  /** The last binding that failed, when nothing is serving: runs fail with it for `rebindPauseMs`. */
  let failedBinding: { error: Error; at: number } | undefined;
  let releasing: Promise<void> | undefined;
  let retry: NodeJS.Timeout | undefined;
  // The first binding's failure is the caller's to handle (the next provider is tried): no retries.
  let firstBound = false;

  const startOn = async (name: string, lost?: Error): Promise<Serving> => {
    const entry: { provider: string; thread?: InferenceThread; lost?: Error } = { provider: name, lost };
    entry.thread = await startThread({ models, provider: name, settings }, () => {
      if (serving === entry) serving = undefined;
    });
    return entry as Serving;
  };
  /**
   * Makes a newly bound thread the one runs go to; the thread it replaces (the fallback's, when
   * `provider` is back) ends once its own runs are answered, and one bound after the release ends at once.
   */
  const keep = async (entry: Serving): Promise<Serving> => {
    if (releasing) {
      await entry.thread.close();
      throw new Error('the models were released');
    }
    const replaced = serving;
    serving = entry;
    if (replaced) void replaced.thread.close();
    return entry;
  };
  const scheduleRetry = () => {
    if (!firstBound || releasing) return;
    clearTimeout(retry);
    retry = setTimeout(() => void retryInBackground(), rebindPauseMs);
    retry.unref();
  };
  // Binds `provider`; once serving, when that fails, the fallback. A failure is kept for runs to fail with.
  const bindNow = async (): Promise<Serving> => {
    try {
      let entry: Serving;
      try {
        entry = await startOn(provider);
      } catch (error) {
        if (fallback === undefined || !firstBound) throw error;
        try {
          entry = await startOn(fallback, error as Error);
        } catch (fallbackError) {
          const reason = (fallbackError as Error).message;
          throw new Error(`${(error as Error).message}; ${fallback} failed too (${reason})`, {
            cause: fallbackError,
          });
        }
        onMove?.({ from: provider, to: fallback, reason: (error as Error).message });
        scheduleRetry();
      }
      failedBinding = undefined;
      return await keep(entry);
    } catch (error) {
      failedBinding = { error: error as Error, at: performance.now() };
      scheduleRetry();
      throw error;
    }
  };
  const bindOnce = (): Promise<Serving> => (binding ??= bindNow().finally(() => (binding = undefined)));
  // Within the pause after a failed binding, runs fail with its error rather than each starting one.
  const next = (): Promise<Serving> =>
    serving
      ? Promise.resolve(serving)
      : failedBinding && !binding && performance.now() - failedBinding.at < rebindPauseMs
        ? Promise.reject(failedBinding.error)
        : bindOnce();
  // An unready server gets no traffic to bind with, and one on its fallback has no reason to leave it.
  const retryInBackground = async () => {
    if (releasing || binding) return;
    if (!serving) return void bindOnce().catch(() => {});
    const onFallback = serving;
    if (!onFallback.lost) return;
    try {
      // Held in `rebinding`, so that a release waits for it: bound after the release began, keep()
      // closes the new thread before this settles.
      rebinding = startOn(provider).then(keep);
      await rebinding.finally(() => (rebinding = undefined));
      onMove?.({ from: onFallback.provider, to: provider, reason: `${provider} could be bound again` });
    } catch (error) {
      onFallback.lost = error as Error;
      scheduleRetry();
    }
  };

  await next();
  firstBound = true;
  return {
    get provider() {
      return serving?.provider ?? provider;
    },
    unavailable: () => (serving ? undefined : failedBinding?.error.message),
    degraded: () =>
      serving?.lost
        ? `${provider} cannot run the models (${serving.lost.message}); serving on ${serving.provider} until it can`
        : undefined,
    files: modelFiles(models).map((file, index) => ({
      ...file,
      run: async (input, faces) => {
        if (releasing) throw new Error('the models were released');
        return (await next()).thread.run(index, input, faces);
      },
    })),
    release: () =>
      (releasing ??= (async () => {
        clearTimeout(retry);
        await binding?.catch(() => undefined);
        await rebinding?.catch(() => undefined);
        await serving?.thread.close();
      })()),
  };
}
