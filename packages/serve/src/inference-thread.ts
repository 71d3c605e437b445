/**
 * The server's models run on a thread of their own (inference-worker.ts): onnxruntime-node's
 * `session.run` computes on the calling thread, so on the event loop it held every other request for as
 * long as a batch took — half the main thread's time under load. `bindModelsOffThread` starts the
 * thread, which binds and warms the sessions (`bindModels`) and then runs batches sent to it; what it
 * returns looks like `bindModels`'s answer. One thread per binding, so onnxruntime-node lives in one
 * isolate besides the main one, and the thread of a provider that fails is ended before the next is
 * tried. A thread that dies, or fails FAILED_RUNS_BEFORE_REPLACING runs in a row, fails the runs it held
 * (their requests get an internal error) and is replaced, bound again on the same provider, by the next
 * run; if that binding fails too (a GPU gone), runs fail with its error for `rebindPauseMs` before the
 * next attempt, rather than each starting one, and `unavailable()` says why until a binding succeeds:
 * the server reports itself unready meanwhile, and tries again every `rebindPauseMs` by itself, since an
 * unready server gets no traffic to try with.
 */
import { Worker } from 'node:worker_threads';
import { ModelLoadError, ModelMismatchError } from '@facekit/core';
import { modelFiles, workerUrl, type LoadedModel } from '@facekit/core/node';
import type { BoundModels, FileOutputs, SessionSettings } from './onnx-providers.js';
import { PendingCalls, wholeBuffer } from './pending-calls.js';
import type { FromInferenceThread, InferenceThreadSetup, ToInferenceThread } from './inference-worker.js';

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

type RunReply = Extract<FromInferenceThread, { type: 'done' | 'error' }>;

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
  const worker = new Worker(workerUrl('inference-worker', import.meta.url), { workerData: setup });
  const runs = new PendingCalls<RunReply>();
  let failedInARow = 0;
  let bound: (failure: Error | undefined) => void = () => {};
  let released: () => void = () => {};
  const binding = new Promise<Error | undefined>((resolve) => (bound = resolve));

  const die = (error: Error) => {
    if (runs.failed) return;
    runs.failAll(error);
    bound(error);
    released();
    onDeath(error);
  };
  worker.on('message', (message: FromInferenceThread) => {
    switch (message.type) {
      case 'ready':
        return bound(undefined);
      case 'failed':
        return bound(rebuild(message));
      case 'done':
        failedInARow = 0;
        return runs.settle(message.id, message);
      case 'error':
        runs.settle(message.id, message);
        if (++failedInARow === FAILED_RUNS_BEFORE_REPLACING) {
          die(new Error(`the inference thread failed ${failedInARow} runs in a row (${message.reason})`));
          void worker.terminate();
        }
        return;
      case 'released':
        return released();
    }
  });
  worker.on('error', (error) => die(new Error(`the inference thread failed: ${error.message}`)));
  worker.on('exit', (code) => die(new Error(`the inference thread exited with code ${code}`)));

  const post = (message: ToInferenceThread, transfer: ArrayBuffer[] = []) =>
    worker.postMessage(message, transfer);
  const failure = await binding;
  if (failure) {
    runs.failAll(failure);
    await worker.terminate();
    throw failure;
  }
  return {
    run: async (file, input, faces) => {
      // The input is built for this run alone: its memory is handed over, not copied.
      const reply = await runs.add((id) => post({ type: 'run', id, file, input, faces }, wholeBuffer(input)));
      if (reply.type === 'error') throw new Error(reply.reason);
      return reply.outputs;
    },
    close: async () => {
      if (!runs.failed) {
        // The thread finishes the runs it holds, then releases the sessions; one that does not answer
        // in time is ended anyway.
        const done = new Promise<void>((resolve) => (released = resolve));
        post({ type: 'release' });
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)))]);
        clearTimeout(timer);
      }
      runs.failAll(new Error('the models were released'));
      await worker.terminate();
    },
  };
}

export async function bindModelsOffThread(
  models: readonly LoadedModel[],
  provider: string,
  settings: SessionSettings,
  { rebindPauseMs = 5_000 } = {},
): Promise<BoundModels> {
  const setup: InferenceThreadSetup = { models, provider, settings };
  let current: Promise<InferenceThread> | undefined;
  let failedBinding: { error: Error; at: number } | undefined;
  let releasing: Promise<void> | undefined;
  let retry: NodeJS.Timeout | undefined;
  // The first binding's failure is the caller's to handle (the next provider is tried): no retries.
  let firstBound = false;
  const bind = (): Promise<InferenceThread> => {
    const thread: Promise<InferenceThread> = startThread(setup, () => {
      if (current === thread) current = undefined;
    });
    thread.then(
      () => (failedBinding = undefined),
      (error: Error) => {
        if (current === thread) current = undefined;
        failedBinding = { error, at: performance.now() };
        if (!releasing && firstBound) {
          clearTimeout(retry);
          retry = setTimeout(() => {
            if (!current && !releasing) bind().catch(() => {});
          }, rebindPauseMs);
          retry.unref();
        }
      },
    );
    return (current = thread);
  };
  const start = (): Promise<InferenceThread> =>
    failedBinding && performance.now() - failedBinding.at < rebindPauseMs
      ? Promise.reject(failedBinding.error)
      : bind();
  await start();
  firstBound = true;
  return {
    provider,
    unavailable: () => failedBinding?.error.message,
    files: modelFiles(models).map((file, index) => ({
      ...file,
      run: async (input, faces) => {
        if (releasing) throw new Error('the models were released');
        const thread = await (current ?? start());
        return thread.run(index, input, faces);
      },
    })),
    release: () =>
      (releasing ??= (async () => {
        clearTimeout(retry);
        const thread = await current?.catch(() => undefined);
        await thread?.close();
      })()),
  };
}
