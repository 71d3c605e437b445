/**
 * Training backends: which tfjs backend trains, chosen once per run and said out loud. The entries,
 * by priority: `tensorflow` (libtensorflow via tfjs-node[-gpu], when installed), `webgpu` (Dawn, when
 * an adapter exists), `wasm` (XNNPACK, with the training kernels it lacks registered here), `cpu`
 * (pure JS, always there, slow). `selectTrainingBackend()` makes the choice active in tfjs and returns
 * it with what was skipped and why, for the run folder; an explicit name overrides or fails clearly.
 */
import * as tf from '@tensorflow/tfjs';
import { activateTfBackend } from './activate.js';
import { BackendRegistry, type BackendChoice, type BackendEntry, type BackendStatus } from './registry.js';
import { tensorflowBackend } from './tensorflow.js';
import { wasmBackend } from './wasm.js';
import { webgpuBackend } from './webgpu.js';

export { BackendRegistry } from './registry.js';
export { createBatchTrainer, type BatchTrainer, type BatchTrainerOptions } from './batch-trainer.js';
export type { BackendChoice, BackendEntry, BackendStatus, SkippedBackend } from './registry.js';

const cpuBackend: BackendEntry = { name: 'cpu', priority: 1, init: () => activateTfBackend('cpu') };

export const trainingBackends = new BackendRegistry('training');
for (const entry of [tensorflowBackend, webgpuBackend, wasmBackend, cpuBackend])
  trainingBackends.register(entry);

/** Names accepted by `selectTrainingBackend` (besides 'auto'), highest priority first. */
export const TRAINING_BACKEND_NAMES: readonly string[] = trainingBackends.names();

/**
 * Picks the training backend — `requested` (e.g. from `--backend`), else the best that initialises —
 * and makes it tfjs's active backend. Throws BackendUnavailableError when the requested one (or every
 * one) cannot be used. `log` receives one line per skipped backend and one for the choice.
 */
export async function selectTrainingBackend(
  requested?: string,
  log?: (line: string) => void,
): Promise<BackendChoice> {
  const choice = await trainingBackends.select(requested, log);
  await activateTfBackend(choice.name);
  return choice;
}

/** Every training backend with whether it works here and, if not, why. Leaves tfjs's active backend as it was. */
export async function listTrainingBackends(): Promise<BackendStatus[]> {
  const active = tf.engine().backendName as string | null;
  const statuses = await trainingBackends.list();
  if (active) await tf.setBackend(active);
  return statuses;
}
