/**
 * The serving half of `pnpm gpu:check`: for each onnxruntime-node execution provider that binds the
 * shipped models, faces/s through all models at batch 1 and 256 (the server's own engine, in-process)
 * and how far its probabilities are from the CPU provider's on the same faces. The measuring itself is
 * the serve package's bench code, imported by path: its index also loads sharp and Apollo, which a
 * bundle for a bare GPU machine does without.
 */
import type { LoadedModel } from '@facekit/core/node';
import { measureCeiling } from '../../packages/serve/bench/ceiling.js';
import { compareResults, probabilities } from '../../packages/serve/bench/provider-measure.js';
import { bindModels } from '../../packages/serve/src/onnx-providers.js';

export { providerStatuses, type ProviderStatus } from '../../packages/serve/bench/provider-measure.js';

export interface ServingRow {
  readonly provider: string;
  readonly batch: number;
  readonly facesPerSecond: number;
  /** Largest |Δp| against the cpu provider over every face and task; 0 for cpu itself. */
  readonly maxDiffVsCpu: number;
  readonly argmaxAgreement: number;
}

export const SESSION_SETTINGS = { intraOpThreads: 0, warmBatchSizes: [1, 256] };
const BATCHES = [1, 256];

/** Throughput and CPU parity of `provider` at batch 1 and 256, over `faces` (2304 grey levels each). */
export async function servingRows(
  modelsDir: string,
  models: readonly LoadedModel[],
  provider: string,
  faces: number[][],
  seconds: number,
): Promise<ServingRow[]> {
  const cpu = await bindModels(models, 'cpu', SESSION_SETTINGS);
  const reference = await probabilities(cpu, faces, 1);
  await cpu.release();
  const bound = await bindModels(models, provider, SESSION_SETTINGS);
  const parity: ReturnType<typeof compareResults>[] = [];
  try {
    for (const batch of BATCHES)
      parity.push(compareResults(await probabilities(bound, faces, batch), reference));
  } finally {
    await bound.release();
  }
  const speed = await measureCeiling(
    modelsDir,
    provider,
    faces,
    BATCHES,
    seconds,
    SESSION_SETTINGS.intraOpThreads,
  );
  return BATCHES.map((batch, i) => ({
    provider,
    batch,
    facesPerSecond: speed[i]!.facesPerSecond,
    maxDiffVsCpu: parity[i]!.maxDiff,
    argmaxAgreement: parity[i]!.agreement,
  }));
}
