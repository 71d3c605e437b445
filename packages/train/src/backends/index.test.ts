import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from '@facekit/core';
import { TRAINING_BACKEND_NAMES, listTrainingBackends, selectTrainingBackend } from './index.js';

describe('training backend registry', () => {
  it('registers tensorflow, webgpu, wasm, cpu in that order', () => {
    expect(TRAINING_BACKEND_NAMES).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu']);
  });

  it('picks the first available backend, makes it active in tfjs and reports every skip with its reason', async () => {
    const statuses = await listTrainingBackends();
    // A backend that works but asks not to be chosen unasked (webgpu on a software adapter) is skipped.
    const firstAvailable = statuses.findIndex((s) => s.available && !s.autoSkip);
    const lines: string[] = [];
    const choice = await selectTrainingBackend(undefined, (line) => lines.push(line));
    expect(choice.name).toBe(statuses[firstAvailable]!.name);
    expect(choice.skipped).toEqual(
      statuses.slice(0, firstAvailable).map((s) => ({ name: s.name, reason: s.autoSkip ?? s.reason })),
    );
    expect(tf.getBackend()).toBe(choice.name);
    expect(lines.at(-1)).toBe(`training backend: ${choice.name}`);
  });

  it('switches to an explicitly requested backend and refuses an unavailable one with BackendUnavailableError', async () => {
    await selectTrainingBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
    for (const status of await listTrainingBackends()) {
      if (status.available) continue;
      const error = await selectTrainingBackend(status.name).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as Error).message).toContain(status.reason);
    }
    await expect(selectTrainingBackend('tpu')).rejects.toThrow('unknown training backend "tpu"');
  });
});
