/**
 * The in-process ceiling: what onnxruntime-node alone does with the same models on the same provider —
 * faces per second through all loaded models, one face per run and in batches — with no HTTP, JSON or
 * GraphQL in the way. The HTTP figures are read against it.
 */
import { loadModels } from '@facekit/core/node';
import { validatePixels } from '@facekit/core';
import { InferenceEngine } from '../src/inference.js';
import { bindModels } from '../src/onnx-providers.js';

export interface CeilingRow {
  readonly batch: number;
  readonly facesPerSecond: number;
  readonly msPerRun: number;
}

export async function measureCeiling(
  modelsDir: string,
  provider: string,
  faces: number[][],
  batches: readonly number[],
  seconds: number,
  intraOpThreads = 0,
): Promise<CeilingRow[]> {
  const { models } = await loadModels(modelsDir);
  const bound = await bindModels(models, provider, { intraOpThreads, warmBatchSizes: batches });
  const engine = new InferenceEngine(bound, { maxBatchSize: Math.max(...batches), maxWaitMs: 0 });
  const tasks = engine.tasks;
  const rows: CeilingRow[] = [];
  try {
    for (const batch of batches) {
      const jobs = Array.from({ length: batch }, (_, i) => ({
        pixels: validatePixels(faces[i % faces.length]!),
        tasks,
      }));
      for (let i = 0; i < 5; i++) await engine.runBatch(jobs);
      let runs = 0;
      const started = performance.now();
      while (performance.now() - started < seconds * 1000) {
        await engine.runBatch(jobs);
        runs++;
      }
      const elapsed = (performance.now() - started) / 1000;
      rows.push({ batch, facesPerSecond: (runs * batch) / elapsed, msPerRun: (elapsed * 1000) / runs });
    }
  } finally {
    await bound.release();
  }
  return rows;
}
