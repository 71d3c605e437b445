/**
 * The inference thread (see inference-thread.ts): binds and warms the models on its provider with
 * `bindModels`, says whether that worked, then runs each batch it is sent and answers with the outputs.
 * A binding failure travels back as its kind, file and reason, so the main thread rethrows the same error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadedModel } from '@facekit/core/node';
import { bindModels, type FileOutputs, type SessionSettings } from './onnx-providers.js';

export interface InferenceThreadSetup {
  readonly models: readonly LoadedModel[];
  readonly provider: string;
  readonly settings: SessionSettings;
}

export type ToInferenceThread =
  | {
      readonly type: 'run';
      readonly id: number;
      readonly file: number;
      readonly input: Float32Array;
      readonly faces: number;
    }
  | { readonly type: 'release' };

export type FromInferenceThread =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly kind: string; readonly file?: string; readonly reason: string }
  | { readonly type: 'done'; readonly id: number; readonly outputs: FileOutputs }
  | { readonly type: 'error'; readonly id: number; readonly reason: string }
  | { readonly type: 'released' };

const port = parentPort!;
const send = (message: FromInferenceThread) => port.postMessage(message);
const { models, provider, settings } = workerData as InferenceThreadSetup;

/** Model errors whose message is "<file>: <reason>": the main thread rebuilds them from the reason. */
const FILE_ERRORS = new Set(['ModelLoadError', 'ModelMismatchError']);

try {
  const bound = await bindModels(models, provider, settings);
  const running = new Set<Promise<unknown>>();
  port.on('message', (message: ToInferenceThread) => {
    if (message.type === 'release') {
      // Runs already started finish first: a session released under a run fails it.
      void Promise.allSettled(running)
        .then(() => bound.release())
        .finally(() => send({ type: 'released' }));
      return;
    }
    const { id, file, input, faces } = message;
    const run = bound.files[file]!.run(input, faces).then(
      (outputs) => send({ type: 'done', id, outputs }),
      (error: unknown) =>
        send({ type: 'error', id, reason: error instanceof Error ? error.message : String(error) }),
    );
    running.add(run);
    void run.finally(() => running.delete(run));
  });
  send({ type: 'ready' });
} catch (error) {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  const file = (error as { file?: unknown }).file;
  send(
    FILE_ERRORS.has(name) && typeof file === 'string'
      ? { type: 'failed', kind: name, file, reason: message.slice(file.length + 2) }
      : { type: 'failed', kind: name, reason: message },
  );
}
