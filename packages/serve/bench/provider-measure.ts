/**
 * Measuring execution providers against each other: which ones bind the models (and why the others
 * do not), every face's probabilities through the server's own engine at a given batch size, and how
 * far two such runs are apart (max |Δp|, argmax agreement). Used by `providers:check` and by the
 * repository's `pnpm gpu:check`; it imports no sharp or Apollo, so it bundles for bare GPU machines.
 */
import { validatePixels, type Task } from '@facekit/core';
import type { LoadedModel } from '@facekit/core/node';
import { InferenceEngine, type FaceResult } from '../src/inference.js';
import { onnxProviderRegistry, type BoundModels, type SessionSettings } from '../src/onnx-providers.js';

export interface ProviderStatus {
  readonly provider: string;
  readonly ok: boolean;
  /** Time to bind and warm every model, or why the provider cannot be used. */
  readonly detail: string;
}

export async function providerStatuses(
  models: readonly LoadedModel[],
  settings: SessionSettings,
): Promise<ProviderStatus[]> {
  const registry = onnxProviderRegistry(models, settings);
  const statuses: ProviderStatus[] = [];
  for (const name of registry.names()) {
    // A software GPU is not worth binding (minutes) nor timing: reported as the server would skip it.
    const passOver = await registry.passOverReason(name);
    if (passOver !== undefined) {
      statuses.push({ provider: name, ok: false, detail: `${name}: ${passOver}` });
      continue;
    }
    const started = performance.now();
    try {
      const choice = await registry.resolve([name]);
      await choice.value.release();
      statuses.push({
        provider: name,
        ok: true,
        detail: `${Math.round(performance.now() - started)} ms to bind and warm`,
      });
    } catch (error) {
      const message = (error as Error).message.split('\n')[0]!;
      statuses.push({
        provider: name,
        ok: false,
        detail: message.replace(/^no execution provider could run the models \((.*)\)$/, '$1'),
      });
    }
  }
  return statuses;
}

/** Every face through every bound model, `batch` faces per run. */
export async function probabilities(
  bound: BoundModels,
  faces: readonly number[][],
  batch: number,
): Promise<FaceResult[]> {
  const engine = new InferenceEngine(bound, { maxBatchSize: batch, maxWaitMs: 0 });
  const jobs = faces.map((f, i) => ({ pixels: validatePixels(f, `faces[${i}]`), tasks: engine.tasks }));
  const out: FaceResult[] = [];
  for (let i = 0; i < jobs.length; i += batch) out.push(...(await engine.runBatch(jobs.slice(i, i + batch))));
  return out;
}

/** Largest probability difference and share of identical argmax over all faces and tasks. */
export function compareResults(
  a: readonly FaceResult[],
  b: readonly FaceResult[],
): { maxDiff: number; agreement: number } {
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
