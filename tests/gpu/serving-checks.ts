/**
 * The serving half of `pnpm gpu:check`: for each onnxruntime-node execution provider, whether it binds
 * the shipped models (and why not), its faces/s through all models at batch 1 and 256 (in-process, the
 * server's own engine), and how far its probabilities are from the CPU provider's on the same faces.
 */
import { validatePixels, type Task } from '@facekit/core';
import type { LoadedModel } from '@facekit/core/node';
// The engine's own modules rather than @facekit/serve's index, which also loads sharp and Apollo: the
// check is bundled to run on GPU machines that have no node_modules, and needs neither.
import { InferenceEngine, type FaceResult } from '../../packages/serve/src/inference.js';
import { bindModels, onnxProviderRegistry } from '../../packages/serve/src/onnx-providers.js';

export interface ProviderStatus {
  readonly provider: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface ServingRow {
  readonly provider: string;
  readonly batch: number;
  readonly facesPerSecond: number;
  /** Largest |Δp| against the cpu provider over every face and task; 0 for cpu itself. */
  readonly maxDiffVsCpu: number;
  readonly argmaxAgreement: number;
}

const SETTINGS = { intraOpThreads: 0, warmBatchSizes: [1, 256] };

export async function providerStatuses(models: readonly LoadedModel[]): Promise<ProviderStatus[]> {
  const registry = onnxProviderRegistry(models, SETTINGS);
  const statuses: ProviderStatus[] = [];
  for (const name of registry.names()) {
    try {
      const choice = await registry.resolve([name]);
      await choice.value.release();
      statuses.push({ provider: name, ok: true, detail: 'binds and warms every model' });
    } catch (error) {
      const message = (error as Error).message.split('\n')[0]!;
      statuses.push({ provider: name, ok: false, detail: message.replace(/^no execution provider could run the models \((.*)\)$/, '$1') });
    }
  }
  return statuses;
}

async function run(engine: InferenceEngine, faces: Uint8Array[], batch: number): Promise<FaceResult[]> {
  const jobs = faces.map((pixels) => ({ pixels, tasks: engine.tasks }));
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
      let ap = 0;
      let aq = 0;
      for (let k = 0; k < p.length; k++) {
        maxDiff = Math.max(maxDiff, Math.abs(p[k]! - q[k]!));
        if (p[k]! > p[ap]!) ap = k;
        if (q[k]! > q[aq]!) aq = k;
      }
      same += ap === aq ? 1 : 0;
      total++;
    }
  });
  return { maxDiff, agreement: same / total };
}

/** Throughput and CPU parity of `provider` at each batch size, over `faces` (2304 grey levels each). */
export async function servingRows(
  models: readonly LoadedModel[],
  provider: string,
  faces: number[][],
  seconds: number,
): Promise<ServingRow[]> {
  const pixels = faces.map((f, i) => validatePixels(f, `faces[${i}]`));
  const cpu = await bindModels(models, 'cpu', SETTINGS);
  const reference = await run(new InferenceEngine(cpu, { maxBatchSize: 1, maxWaitMs: 0 }), pixels, 1);
  await cpu.release();
  const bound = await bindModels(models, provider, SETTINGS);
  const rows: ServingRow[] = [];
  try {
    for (const batch of [1, 256]) {
      const engine = new InferenceEngine(bound, { maxBatchSize: batch, maxWaitMs: 0 });
      const { maxDiff, agreement } = compare(await run(engine, pixels, batch), reference);
      const jobs = Array.from({ length: batch }, (_, i) => ({
        pixels: pixels[i % pixels.length]!,
        tasks: engine.tasks,
      }));
      let runs = 0;
      const started = performance.now();
      while (performance.now() - started < seconds * 1000) {
        await engine.runBatch(jobs);
        runs++;
      }
      const elapsed = (performance.now() - started) / 1000;
      rows.push({
        provider,
        batch,
        facesPerSecond: (runs * batch) / elapsed,
        maxDiffVsCpu: maxDiff,
        argmaxAgreement: agreement,
      });
    }
  } finally {
    await bound.release();
  }
  return rows;
}
