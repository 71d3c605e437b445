/**
 * `pnpm exec tsx bench/kernel-profile.ts [--backend wasm] [--task age] [--batches 16] [--batch 128] [--shapes]`:
 * where one training step of a seed network spends its time, per kernel and phase, against the wall time
 * of the whole step (the rest is tfjs's engine, tape and JS overhead). Random data, as in train-bench.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { Task } from '@facekit/core';
import { getPreset } from '../src/presets.js';
import { selectTrainingBackend } from '../src/backends/index.js';
import { KernelTimer, cpuMs } from './kernel-timer.js';
import { scriptArgs } from '@facekit/core/node';

const { values: opts } = parseArgs({
  args: scriptArgs(),
  options: {
    backend: { type: 'string', default: 'wasm' },
    batches: { type: 'string', default: '16' },
    batch: { type: 'string', default: '128' },
    task: { type: 'string', default: 'age' },
    shapes: { type: 'boolean', default: false },
  },
});
const batches = Number(opts.batches);
const batchSize = Number(opts.batch);

await selectTrainingBackend(opts.backend);
const timer = new KernelTimer(opts.backend!, opts.shapes);
const task = opts.task as Task;
const model = getPreset('seed').build(task, 'six');
const binary = model.outputs[0]!.shape[1] === 1;
const optimizer = tf.train.adam(1e-3);
model.compile({
  optimizer,
  loss: binary ? 'binaryCrossentropy' : 'categoricalCrossentropy',
  metrics: ['accuracy'],
});
const applyGradients = optimizer.applyGradients.bind(optimizer);
optimizer.applyGradients = (grads) => {
  timer.phase = 'optimizer';
  applyGradients(grads);
  timer.phase = 'gradients';
};

const x = tf.randomUniform([batchSize, 48, 48, 1], 0, 1, 'float32', 1);
const classes = model.outputs[0]!.shape[1]!;
const labels = tf.randomUniform([batchSize], 0, Math.max(classes, 2), 'int32', 2) as tf.Tensor1D;
const y = binary ? labels.reshape([batchSize, 1]).toFloat() : tf.oneHot(labels, classes).toFloat();
for (let i = 0; i < 3; i++) await model.trainOnBatch(x, y);
timer.reset();
const start = performance.now();
const startCpu = cpuMs();
for (let i = 0; i < batches; i++) await model.trainOnBatch(x, y);
const wall = (performance.now() - start) / batches;
const cpu = (cpuMs() - startCpu) / batches;

const entries = timer.entries();
const kernelMs = timer.topLevelMs() / batches;
const rate = (ms: number) => ((batchSize / ms) * 1000).toFixed(0);
console.log(`seed ${task} network on ${opts.backend}, batch ${batchSize}, mean of ${batches} steps:`);
console.log(
  `  wall ${wall.toFixed(1)} ms/step (${rate(wall)} samples/s); CPU ${cpu.toFixed(1)} ms/step (${rate(cpu)} samples/s)`,
);
console.log(
  `  CPU in kernels ${kernelMs.toFixed(1)} ms, outside kernels (engine, tape, layers) ${(cpu - kernelMs).toFixed(1)} ms\n`,
);
console.log('| phase | kernel | calls/step | CPU ms/step | share |\n|---|---|---:|---:|---:|');
for (const e of entries) {
  const ms = e.ms / batches;
  if (ms < 0.05) continue;
  console.log(
    `| ${e.phase} | ${e.kernel} | ${e.calls / batches} | ${ms.toFixed(2)} | ${((ms / cpu) * 100).toFixed(1)}% |`,
  );
}
