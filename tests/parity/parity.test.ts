/**
 * The cross-runtime parity suite, written once and run against every runtime that can load the
 * models: the tfjs source models, onnxruntime-node (CPU; WebGPU where an adapter exists),
 * onnxruntime-web wasm in Node and in headless Chromium, and onnxruntime-web WebGPU in Chromium. Each runtime gets the same faces and edge
 * inputs in batches of 64 and one at a time; then every pair must agree (max |Δp| ≤ 1e-5 on float32
 * CPU, identical argmax). The report goes to tests/artifacts/parity-report.md.
 * Sizes: FACEKIT_PARITY_FACES (default 61, so with the edge inputs one batch of 64),
 * FACEKIT_PARITY_SINGLES (inputs also run one at a time, default 64), FACEKIT_PARITY_LATENCY (faces timed).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '@facekit/core';
import { loadModels } from '@facekit/core/node';
import { compareOutputs } from '@facekit/export';
import { parityInputs, type ParityInputs } from '../support/faces.js';
import { releaseTestModels, testModels } from '../support/models.js';
import { artifactsDir } from '../support/paths.js';
import { comparePairs, CPU_TOLERANCE, GPU_TOLERANCE, summarize, type RuntimeRecord } from './pairs.js';
import { parityMarkdown } from './report.js';
import { chromiumRuntime } from './runtimes/chromium.js';
import { ortNodeCpu, ortNodeWebgpu, ortWebNode } from './runtimes/onnxruntime.js';
import type { ParityContext, Runtime } from './runtimes/runtime.js';
import { tfjsRuntime } from './runtimes/tfjs.js';

const FACES = Number(process.env.FACEKIT_PARITY_FACES ?? 61);
const LATENCY_RUNS = Number(process.env.FACEKIT_PARITY_LATENCY ?? 50);
const RUNTIMES: readonly (() => Runtime)[] = [
  tfjsRuntime,
  ortNodeCpu,
  ortNodeWebgpu,
  ortWebNode,
  () => chromiumRuntime('wasm'),
  () => chromiumRuntime('webgpu'),
];
/** The runtimes a pass needs: they run wherever Node does (the browser and GPU ones may be skipped). */
const REQUIRED_RUNTIMES = ['tfjs cpu', 'onnxruntime-node cpu', 'onnxruntime-web wasm (Node)'];
/** Per runtime: generous for the pure-JS tfjs reference on 1,000 faces of a large model. */
const RUNTIME_TIMEOUT = 120_000 + FACES * 600;

let context: ParityContext;
let inputs: ParityInputs;
let singles = 0;
let modelsSource = '';
const records: RuntimeRecord[] = [];

beforeAll(async () => {
  const set = await testModels();
  const loaded = await loadModels(set.dir);
  inputs = await parityInputs(FACES);
  singles = Math.min(inputs.count, Number(process.env.FACEKIT_PARITY_SINGLES ?? 64));
  context = {
    dir: loaded.dir,
    inputs,
    models: loaded.models.map((m) => ({
      task: m.task,
      entry: m.entry,
      bytes: m.bytes,
      width: m.entry.labels.length,
    })),
  };
  const runs = [...new Set(loaded.models.map((m) => m.entry.training.runId))].join(', ');
  modelsSource = `${set.source} — ${loaded.dir} (run ${runs}; ${loaded.models.map((m) => `${m.task} ${m.entry.sha256.slice(0, 12)}`).join(', ')})`;
}, 600_000);

describe.each(RUNTIMES.map((make) => ({ make, name: make().name })))('$name', ({ make }) => {
  it(
    'runs every input in batches of 64 and one at a time, with the same answers',
    { timeout: RUNTIME_TIMEOUT },
    async (ctx) => {
      const runtime = make();
      // The report lists a runtime that failed, opening or running, with why, rather than leaving it out.
      const failed = (error: Error): never => {
        records.push({ name: runtime.name, gpu: runtime.gpu, status: 'failed', detail: error.message });
        throw error;
      };
      const reason = await runtime.open(context).catch(failed);
      if (reason) {
        records.push({ name: runtime.name, gpu: runtime.gpu, status: 'skipped', detail: reason });
        console.warn(`parity: skipping ${runtime.name}: ${reason}`);
        // ctx.skip ends the test at once: close first, or a half-opened browser stays up.
        await runtime.close();
        ctx.skip(reason);
      }
      try {
        const outputs = new Map<Task, Float32Array>();
        let batchOneDiff: number | undefined;
        for (const { task, width } of context.models) {
          const batched = await runtime.run(task, inputs.count, 64);
          expect(batched.every(Number.isFinite), `${task}: non-finite probabilities`).toBe(true);
          if (singles > 0) {
            const one = await runtime.run(task, singles, 1);
            const check = compareOutputs(batched.subarray(0, singles * width), one, width);
            expect(check.argmaxMismatches, `${task}: argmax differs between batch 1 and 64`).toBe(0);
            expect(check.maxAbsDiff, `${task}: batch 1 vs 64`).toBeLessThanOrEqual(
              runtime.gpu ? GPU_TOLERANCE : CPU_TOLERANCE,
            );
            batchOneDiff = Math.max(batchOneDiff ?? 0, check.maxAbsDiff);
          }
          outputs.set(task, batched);
        }
        const latency = runtime.latency && LATENCY_RUNS > 0 ? await runtime.latency(LATENCY_RUNS) : undefined;
        if (latency)
          console.log(
            `parity: ${runtime.name}: ${summarize(latency).median.toFixed(2)} ms per face (median, all models, batch 1)`,
          );
        records.push({
          name: runtime.name,
          gpu: runtime.gpu,
          status: 'ran',
          detail: runtime.describe(),
          outputs,
          ...(batchOneDiff === undefined ? {} : { batchOneDiff }),
          ...(latency ? { latency } : {}),
        });
      } catch (error) {
        failed(error as Error);
      } finally {
        await runtime.close();
      }
    },
  );
});

describe('every pair of runtimes', () => {
  it('agrees on every probability (max |Δp| within tolerance) and every argmax', () => {
    const ran = records.filter((r) => r.status === 'ran');
    for (const name of REQUIRED_RUNTIMES)
      expect(
        ran.some((r) => r.name === name),
        `${name} must have run (${records.find((r) => r.name === name)?.detail ?? 'not in the list'})`,
      ).toBe(true);
    const widths = new Map(context.models.map((m) => [m.task, m.width]));
    const pairs = comparePairs(records, widths);
    const failures = pairs
      .filter((p) => !p.ok)
      .map(
        (p) =>
          `${p.a} ↔ ${p.b}: max |Δp| ${p.maxAbsDiff} (tolerance ${p.tolerance}), ${p.argmaxMismatches} argmax differ`,
      );
    expect(failures).toEqual([]);
  });
});

afterAll(async () => {
  await releaseTestModels();
  if (!context) return;
  const widths = new Map(context.models.map((m) => [m.task, m.width]));
  const markdown = parityMarkdown({
    models: modelsSource,
    inputs: inputs.source,
    count: inputs.count,
    singles,
    tasks: context.models.map((m) => m.task),
    records,
    pairs: comparePairs(records, widths),
  });
  const file = join(await artifactsDir(), 'parity-report.md');
  await writeFile(file, markdown);
  console.log(`parity: report written to ${file}`);
});
