/**
 * `pnpm exec tsx bench/kernel-profile.ts [--backend wasm] [--preset seed] [--task age] [--batches 16]
 * [--batch 128] [--shapes] [--batch-norm fused|stock]`: where one training step of a preset's network
 * (a seed network, or a shared network's all-task step) spends its time, per kernel and phase, against
 * the whole step (the rest is tfjs's engine, tape and JS overhead). Random data, as in train-bench;
 * the step is the training loop's own (createBatchTrainer on one thread).
 *
 * On wasm and cpu a kernel computes on this thread, so the table charges it the process's CPU time.
 * On webgpu a kernel only records a dispatch — its cost on this thread is wall time, and the GPU does
 * the work later — so the table charges wall time (dispatches/step and their cost: the CPU-side
 * ceiling), and one more profiled step reads each kernel's GPU time from timestamp queries, where the
 * adapter has them.
 */
import * as tf from '@tensorflow/tfjs';
import { TASKS, type Task } from '@facekit/core';
import { parseCommandArgs } from '@facekit/core/node';
import { setBatchNormMode, type BatchNormMode } from '../src/batch-norm-training.js';
import { getPreset } from '../src/presets.js';
import { createBatchTrainer, selectTrainingBackend } from '../src/backends/index.js';
import { compileNetwork } from '../src/train-network.js';
import { KernelTimer, cpuMs } from './kernel-timer.js';
import { randomTargets } from './random-targets.js';

const HELP = `Usage: pnpm exec tsx packages/train/bench/kernel-profile.ts [options]

Where one training step of a preset's network spends its time, per kernel and phase (random data).
  --backend <name>         wasm, cpu or webgpu (default wasm)
  --preset <name>          a single-network preset (default seed)
  --task <task>            the task of a per-task preset (default age)
  --batches <n>            profiled steps (default 16)
  --batch <n>              batch size (default 128)
  --shapes                 break the table down by input shapes
  --batch-norm fused|stock batch norm's training pass as one op or autodiff's (default fused)
`;
const { values: opts } = parseCommandArgs(HELP, {
  options: {
    backend: { type: 'string', default: 'wasm' },
    preset: { type: 'string', default: 'seed' },
    batches: { type: 'string', default: '16' },
    batch: { type: 'string', default: '128' },
    task: { type: 'string', default: 'age' },
    shapes: { type: 'boolean', default: false },
    // Batch norm's training pass as one op or autodiff's (batch-norm-training.ts).
    'batch-norm': { type: 'string', default: 'fused' },
  },
});
const batches = Number(opts.batches);
const batchSize = Number(opts.batch);
const gpu = opts.backend === 'webgpu';
const clock = gpu ? () => performance.now() : cpuMs;
const clockName = gpu ? 'wall' : 'CPU';

const preset = getPreset(opts.preset);
if (preset.members)
  throw new Error(
    `${preset.name} is an ensemble: profile its members (${preset.members.map((m) => m.preset).join(', ')})`,
  );
await selectTrainingBackend(opts.backend);
setBatchNormMode(opts['batch-norm'] as BatchNormMode);
const timer = new KernelTimer(opts.backend, opts.shapes, clock);
const task = opts.task as Task;
const model = preset.buildShared ? preset.buildShared(TASKS, 'six') : preset.build(task, 'six');
compileNetwork(model, preset.fit(task));
// First the trainer (on webgpu it switches the optimizer to its fused step), then the phase marker.
const trainer = await createBatchTrainer(model, { threads: 1, maxBatch: batchSize });
const optimizer = model.optimizer;
const applyGradients = optimizer.applyGradients.bind(optimizer);
optimizer.applyGradients = (grads) => {
  timer.phase = 'optimizer';
  applyGradients(grads);
  timer.phase = 'gradients';
};

const x = tf.randomUniform([batchSize, 48, 48, 1], 0, 1, 'float32', 1);
const y = randomTargets(model, batchSize);
for (let i = 0; i < 3; i++) await trainer.trainOnBatch(x, y);
timer.reset();
const start = performance.now();
const startCpu = cpuMs();
for (let i = 0; i < batches; i++) await trainer.trainOnBatch(x, y);
const wall = (performance.now() - start) / batches;
const cpu = (cpuMs() - startCpu) / batches;

// A copy: the GPU-timed step below runs the same kernels through the timer again.
const entries = timer.entries().map((e) => ({ ...e }));
const kernelMs = timer.topLevelMs() / batches;
const step = gpu ? wall : cpu;
const rate = (ms: number) => ((batchSize / ms) * 1000).toFixed(0);
const network = preset.buildShared ? `${preset.name} network (all tasks)` : `${preset.name} ${task} network`;
console.log(`${network} on ${opts.backend}, batch ${batchSize}, mean of ${batches} steps:`);
console.log(
  `  wall ${wall.toFixed(1)} ms/step (${rate(wall)} samples/s); CPU ${cpu.toFixed(1)} ms/step (${rate(cpu)} samples/s)`,
);
const dispatches = entries.filter((e) => !e.kernel.includes(' > ')).reduce((n, e) => n + e.calls, 0);
console.log(
  `  ${clockName} in kernels ${kernelMs.toFixed(1)} ms (${dispatches / batches} kernels/step), outside kernels (engine, tape, layers) ${(step - kernelMs).toFixed(1)} ms\n`,
);

/** GPU milliseconds per kernel name over one step, from tfjs-webgpu's timestamp queries. */
async function gpuTimes(): Promise<Map<string, number> | string> {
  const profile = await tf.profile(async () => {
    await trainer.trainOnBatch(x, y);
  });
  const times = new Map<string, number>();
  for (const k of profile.kernels) {
    const ms = await k.kernelTimeMs;
    if (typeof ms !== 'number') return `no GPU times (${JSON.stringify(ms)})`;
    times.set(k.name, (times.get(k.name) ?? 0) + ms);
  }
  return times;
}
const gpuMs = gpu ? await gpuTimes() : null;
if (typeof gpuMs === 'string') console.log(`  ${gpuMs}\n`);
const gpuColumn = gpuMs instanceof Map;
if (gpuColumn) {
  const total = [...gpuMs.values()].reduce((a, b) => a + b, 0);
  console.log(`  GPU time in kernels (one profiled step): ${total.toFixed(1)} ms\n`);
}

console.log(
  `| phase | kernel | calls/step | ${clockName} ms/step | share |${gpuColumn ? ' GPU ms/step (all phases) |' : ''}\n|---|---|---:|---:|---:|${gpuColumn ? '---:|' : ''}`,
);
for (const e of entries) {
  const ms = e.ms / batches;
  if (ms < 0.05) continue;
  // GPU time is known per top-level kernel name (a nested kernel's is inside its outer one's).
  const gpuCell = !gpuColumn
    ? ''
    : e.kernel.includes(' > ')
      ? ' |'
      : ` ${(gpuMs.get(e.kernel.split(' ')[0]!) ?? 0).toFixed(2)} |`;
  console.log(
    `| ${e.phase} | ${e.kernel} | ${e.calls / batches} | ${ms.toFixed(2)} | ${((ms / step) * 100).toFixed(1)}% |${gpuCell}`,
  );
}
await trainer.dispose();
