/**
 * The server's models run on a thread of their own (inference-worker.ts): onnxruntime-node's
 * `session.run` computes on the calling thread, so on the event loop it held every other request for as
 * long as a batch took — half the main thread's time under load. `bindModelsOffThread` starts the
 * thread, which binds and warms the sessions (`bindModels`) and then runs batches sent to it; what it
 * returns looks like `bindModels`'s answer. One thread per binding, so onnxruntime-node lives in one
 * isolate besides the main one, and the thread of a provider that fails is ended before the next is
 * tried. If the thread dies, the runs it held and every later one fail with the reason; the server
 * answers them as internal errors and keeps serving what it can.
 */
import { Worker } from 'node:worker_threads';
import { ModelLoadError, ModelMismatchError } from '@facekit/core';
import { modelFiles, workerUrl, type LoadedModel } from '@facekit/core/node';
import type { BoundModels, FileOutputs, SessionSettings } from './onnx-providers.js';
import type { FromInferenceThread, InferenceThreadSetup, ToInferenceThread } from './inference-worker.js';

/** What went wrong on the thread, as the error the binding threw there. */
function rebuild(failure: Extract<FromInferenceThread, { type: 'failed' }>): Error {
  const { kind, file, reason } = failure;
  if (kind === 'ModelLoadError' && file !== undefined) return new ModelLoadError(file, reason);
  if (kind === 'ModelMismatchError' && file !== undefined) return new ModelMismatchError(file, reason);
  return new Error(reason);
}

export async function bindModelsOffThread(
  models: readonly LoadedModel[],
  provider: string,
  settings: SessionSettings,
): Promise<BoundModels> {
  const thread = new Worker(workerUrl('inference-worker', import.meta.url), {
    workerData: { models, provider, settings } satisfies InferenceThreadSetup,
  });
  const runs = new Map<number, { resolve(outputs: FileOutputs): void; reject(error: Error): void }>();
  let nextId = 0;
  let gone: Error | undefined;
  let released: (() => void) | undefined;
  let bound: ((outcome: Error | undefined) => void) | undefined;
  const started = new Promise<Error | undefined>((resolve) => (bound = resolve));

  const fail = (error: Error) => {
    gone ??= error;
    bound?.(error);
    for (const run of runs.values()) run.reject(error);
    runs.clear();
    released?.();
  };
  thread.on('message', (message: FromInferenceThread) => {
    switch (message.type) {
      case 'ready':
        return bound?.(undefined);
      case 'failed':
        return bound?.(rebuild(message));
      case 'done':
      case 'error': {
        const run = runs.get(message.id);
        runs.delete(message.id);
        if (message.type === 'done') run?.resolve(message.outputs);
        else run?.reject(new Error(message.reason));
        return;
      }
      case 'released':
        return released?.();
    }
  });
  thread.on('error', (error) => fail(new Error(`the inference thread failed: ${error.message}`)));
  thread.on('exit', (code) => fail(new Error(`the inference thread exited with code ${code}`)));

  const failure = await started;
  if (failure) {
    await thread.terminate();
    throw failure;
  }
  const post = (message: ToInferenceThread, transfer: ArrayBuffer[] = []) =>
    thread.postMessage(message, transfer);
  return {
    provider,
    files: modelFiles(models).map((file, index) => ({
      ...file,
      run: (input, faces) =>
        new Promise<FileOutputs>((resolve, reject) => {
          if (gone) return reject(gone);
          const id = nextId++;
          runs.set(id, { resolve, reject });
          // The input is built for this run alone: hand its memory over instead of copying it.
          const whole = input.byteOffset === 0 && input.byteLength === input.buffer.byteLength;
          post({ type: 'run', id, file: index, input, faces }, whole ? [input.buffer as ArrayBuffer] : []);
        }),
    })),
    release: async () => {
      if (!gone) {
        const done = new Promise<void>((resolve) => (released = resolve));
        post({ type: 'release' });
        await done;
      }
      gone ??= new Error('the models were released');
      await thread.terminate();
    },
  };
}
