import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { dawnAdapter } from '@facekit/core/node';
import { AdamW } from '../adamw.js';
import '../presets.js';
import { buildSharedCompact, type CompactArchitecture } from '../presets-compact.js';
import { createBatchTrainer } from './batch-trainer.js';
import { relativeError } from './gradient-check.js';
import { shardStep } from './shard-step.js';
import { listTrainingBackends, selectTrainingBackend } from './index.js';

// Where no GPU is present, the test setup shows Dawn Chromium's SwiftShader (tests/support/software-gpu.ts);
// CI installs it, so there these tests must run rather than skip.
const statuses = await listTrainingBackends();
const webgpu = statuses.find((s) => s.name === 'webgpu')!;
const adapter = await dawnAdapter().catch(() => null);
const mustRun = process.env.CI === 'true';

// The default preset's kind of network: a trunk shared by three heads, batch norm and dropout left out
// so that nothing random separates the two backends.
const TINY: CompactArchitecture = { widths: [4, 8], batchNorm: false, globalPool: false, dropout: 0 };
/** The same with batch norm after each conv: its training pass is one op (batch-norm-training.ts). */
const TINY_BN: CompactArchitecture = { ...TINY, batchNorm: true };

const OPTIMIZERS = {
  Adam: () => tf.train.adam(1e-2),
  AdamW: () => new AdamW(1e-2, 0.05),
};

function sharedNet(optimizer: keyof typeof OPTIMIZERS, arch = TINY): tf.LayersModel {
  const model = buildSharedCompact(arch, 'tiny', ['age', 'ethnicity', 'gender'], 'six', 11);
  model.compile({
    optimizer: OPTIMIZERS[optimizer](),
    loss: model.outputs.map(() => 'categoricalCrossentropy'),
    metrics: ['accuracy'],
  });
  return model;
}

/** Four steps on the active backend; each step's head losses, then the weights and the optimizer's. */
async function train(
  model: tf.LayersModel,
): Promise<{ losses: number[][]; weights: Float32Array[]; moments: [string, Float32Array][] }> {
  const trainer = await createBatchTrainer(model, { threads: 1, maxBatch: 32 });
  const losses: number[][] = [];
  try {
    for (const step of [0, 1, 2, 3]) {
      const rows = step === 2 ? 5 : 32;
      const x = tf.randomUniform([rows, 48, 48, 1], 0, 1, 'float32', step);
      const labels = [6, 5, 2].map((classes, h) =>
        tf.oneHot(tf.randomUniform([rows], 0, classes, 'int32', 10 * h + step) as tf.Tensor1D, classes),
      );
      const y = tf.concat(labels, 1).toFloat();
      const result = await trainer.trainOnBatch(x, y);
      losses.push(result.heads.map((h) => h.loss));
      tf.dispose([x, y, ...labels]);
    }
  } finally {
    await trainer.dispose();
  }
  const weights = await Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
  const moments: [string, Float32Array][] = [];
  for (const { name, tensor } of await model.optimizer.getWeights())
    // The twin networks' layer names differ only in their numbers.
    moments.push([name.replace(/_?\d+/g, ''), (await tensor.data()) as Float32Array]);
  return { losses, weights, moments };
}

describe('the webgpu training backend', () => {
  it.skipIf(!webgpu.available && !mustRun)(
    'is found, and passed over by the automatic choice when its adapter is a software one',
    async () => {
      expect(webgpu.available, `webgpu: ${webgpu.reason}`).toBe(true);
      expect(adapter).not.toBeNull();
      const choice = await selectTrainingBackend();
      if (adapter!.software) {
        expect(webgpu.autoSkip).toMatch(/software one \(.+\)/);
        expect(choice.name).not.toBe('webgpu');
        expect(choice.skipped).toContainEqual({ name: 'webgpu', reason: webgpu.autoSkip });
      } else {
        expect(choice.name).toBe('webgpu');
      }
    },
  );

  it.skipIf(!webgpu.available && !mustRun).each(Object.keys(OPTIMIZERS) as (keyof typeof OPTIMIZERS)[])(
    'trains a shared three-head network with %s (fused on webgpu) step for step as wasm does',
    async (optimizer) => {
      await selectTrainingBackend('wasm');
      const [onWasm, onGpu] = [sharedNet(optimizer), sharedNet(optimizer)];
      onGpu.setWeights(onWasm.getWeights());
      const reference = await train(onWasm);
      await selectTrainingBackend('webgpu');
      const result = await train(onGpu);
      result.losses.forEach((heads, step) =>
        heads.forEach((loss, h) =>
          expect(Math.abs(loss - reference.losses[step]![h]!), `step ${step} head ${h}`).toBeLessThan(
            1e-4 * reference.losses[step]![h]!,
          ),
        ),
      );
      result.weights.forEach((w, i) =>
        expect(relativeError(w, reference.weights[i]!), `weight ${i}`).toBeLessThan(1e-4),
      );
      // The fused step keeps the same moments under the same names, so checkpoints are alike.
      expect(result.moments.map(([name]) => name)).toEqual(reference.moments.map(([name]) => name));
      result.moments.forEach(([name, m], i) =>
        expect(relativeError(m, reference.moments[i]![1]), name).toBeLessThan(1e-4),
      );
      await selectTrainingBackend('wasm');
    },
  );

  it.skipIf(!webgpu.available && !mustRun)(
    "computes a batch-norm network's gradients and moving statistics as wasm does",
    async () => {
      // Compared per step: over several Adam steps on batches this small, batch norm amplifies float
      // rounding (autodiff's pass as much as the one-op pass), so weights drift apart by 1e-3 and more.
      const step = async (model: tf.LayersModel) => {
        const x = tf.randomUniform([32, 48, 48, 1], 0, 1, 'float32', 1);
        const y = tf.concat(
          [6, 5, 2].map((classes, h) =>
            tf.oneHot(tf.randomUniform([32], 0, classes, 'int32', 10 + h) as tf.Tensor1D, classes),
          ),
          1,
        );
        const result = shardStep(
          model,
          ['categoricalCrossentropy', 'categoricalCrossentropy', 'categoricalCrossentropy'],
          x,
          y.toFloat(),
        );
        const grads = await Promise.all(result.grads.map(async (g) => (await g.data()) as Float32Array));
        const weights = await Promise.all(
          model.getWeights().map(async (w) => (await w.data()) as Float32Array),
        );
        tf.dispose([x, y, result.metrics, ...result.grads]);
        return { grads, weights };
      };
      await selectTrainingBackend('wasm');
      const [onWasm, onGpu] = [sharedNet('Adam', TINY_BN), sharedNet('Adam', TINY_BN)];
      onGpu.setWeights(onWasm.getWeights());
      const reference = await step(onWasm);
      await selectTrainingBackend('webgpu');
      const result = await step(onGpu);
      result.grads.forEach((g, i) =>
        expect(relativeError(g, reference.grads[i]!), `gradient ${i}`).toBeLessThan(1e-4),
      );
      // The step moved every batch norm's moving mean and variance the same way.
      result.weights.forEach((w, i) =>
        expect(relativeError(w, reference.weights[i]!), `weight ${i}`).toBeLessThan(1e-4),
      );
      await selectTrainingBackend('wasm');
    },
  );
});
