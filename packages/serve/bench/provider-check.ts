/**
 * `pnpm --filter @facekit/serve providers:check`: what each execution provider does with the models
 * on this machine — whether it initialises (and why not), how fast onnxruntime runs the models on it at
 * batch 1, 64 and 256, and how far its probabilities are from the CPU provider's on the same faces
 * (max abs difference, argmax agreement). Run on a GPU machine to see webgpu/cuda against cpu.
 */
import { parseArgs } from 'node:util';
import { loadModels } from '@facekit/core/node';
import { validatePixels, type Task } from '@facekit/core';
import { InferenceEngine, type FaceResult } from '../src/inference.js';
import { bindModels, onnxProviderRegistry, type BoundModels } from '../src/onnx-providers.js';
import { DEFAULT_MODELS, userPath } from '../src/options.js';
import { modelsDir } from '../src/server.js';
import { measureCeiling } from './ceiling.js';
import { findDataFile, loadFaces } from './payloads.js';
import { fmt, table } from './table.js';

const { values } = parseArgs({
  options: {
    models: { type: 'string' },
    data: { type: 'string' },
    faces: { type: 'string', default: '256' },
    seconds: { type: 'string', default: '2' },
    threads: { type: 'string', default: '1' },
  },
});
const dir = modelsDir(values.models ? userPath(values.models) : DEFAULT_MODELS);
const { models } = await loadModels(dir);
const { faces, source } = await loadFaces(
  Number(values.faces),
  findDataFile(values.data && userPath(values.data)),
);
const threads = Number(values.threads);
const settings = { intraOpThreads: threads, warmBatchSizes: [1, 64, 256] };
console.log(
  `# execution providers — models ${dir}, ${faces.length} faces from ${source}, ${threads || 'auto'} CPU intra-op thread(s)\n`,
);

async function outputs(bound: BoundModels, batch: number): Promise<FaceResult[]> {
  const engine = new InferenceEngine(bound, { maxBatchSize: batch, maxWaitMs: 0 });
  const jobs = faces.map((f) => ({ pixels: validatePixels(f), tasks: engine.tasks }));
  const out: FaceResult[] = [];
  for (let i = 0; i < jobs.length; i += batch) out.push(...(await engine.runBatch(jobs.slice(i, i + batch))));
  return out;
}

function compare(a: FaceResult[], b: FaceResult[]): { maxDiff: number; agreement: number } {
  let maxDiff = 0;
  let same = 0;
  let total = 0;
  a.forEach((row, i) => {
    for (const [task, p] of row) {
      const q = b[i]!.get(task as Task)!;
      let best = 0;
      let bestQ = 0;
      for (let k = 0; k < p.length; k++) {
        maxDiff = Math.max(maxDiff, Math.abs(p[k]! - q[k]!));
        if (p[k]! > p[best]!) best = k;
        if (q[k]! > q[bestQ]!) bestQ = k;
      }
      same += best === bestQ ? 1 : 0;
      total++;
    }
  });
  return { maxDiff, agreement: same / total };
}

const registry = onnxProviderRegistry(models, settings);
const attempts: (string | number)[][] = [];
const working: string[] = [];
for (const name of registry.names()) {
  const started = performance.now();
  try {
    const choice = await registry.resolve([name]);
    attempts.push([name, 'ok', `${fmt(performance.now() - started)} ms to bind and warm`]);
    working.push(name);
    await choice.value.release();
  } catch (error) {
    attempts.push([
      name,
      'failed',
      (error as Error).message.replace(/^no execution provider could run the models \((.*)\)$/, '$1'),
    ]);
  }
}
console.log(table(['provider', 'status', 'detail'], attempts));

const cpu = await bindModels(models, 'cpu', settings);
const reference = await outputs(cpu, 1);
await cpu.release();
const parity: (string | number)[][] = [];
const speed: (string | number)[][] = [];
for (const name of working) {
  const bound = await bindModels(models, name, settings);
  for (const batch of [1, 64, 256]) {
    const { maxDiff, agreement } = compare(await outputs(bound, batch), reference);
    parity.push([name, batch, maxDiff.toExponential(2), `${(agreement * 100).toFixed(2)}%`]);
  }
  await bound.release();
  const rows = await measureCeiling(dir, name, faces, [1, 64, 256], Number(values.seconds), threads);
  speed.push([name, ...rows.map((r) => fmt(r.facesPerSecond))]);
}
console.log('\n## Agreement with the cpu provider (reference: cpu, one face per run; all tasks)\n');
console.log(table(['provider', 'batch', 'max |Δp|', 'argmax agreement'], parity));
console.log('\n## faces/s through all models (in-process, no HTTP)\n');
console.log(table(['provider', 'batch 1', 'batch 64', 'batch 256'], speed));
