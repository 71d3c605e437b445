/**
 * Builds models/manifest.json entries from what an export produced and checked, and merges them with
 * the entries of tasks not exported this time. The result is always passed through core's
 * parseManifest before it is written, so the exporter can never ship a manifest consumers reject.
 * Verification details beyond the schema (tolerance, inputs used, the onnxruntime-web run) ride along
 * as extra fields, which the parser ignores.
 */
import {
  MANIFEST_SCHEMA_VERSION,
  parseManifest,
  taskLabels,
  TASKS,
  type AgeGrouping,
  type Manifest,
  type Task,
  type TrainingProvenance,
} from '@facekit/core';
import type { ExportedOutput, OnnxExport } from '../export-model.js';
import type { VerificationReport } from '../verify/verify.js';

export interface EntryInput {
  readonly task: Task;
  readonly ageGrouping: AgeGrouping;
  readonly exported: OnnxExport;
  /** The task's output in `exported` (one of its outputs when several tasks share the file). */
  readonly output: ExportedOutput;
  readonly sha256: string;
  /** ONNX file and tfjs model.json, relative to the models folder. */
  readonly file: string;
  readonly tfjs?: string;
  readonly training: TrainingProvenance;
  readonly metrics: Readonly<Record<string, number>>;
  readonly verification: VerificationReport;
}

const round = (x: number) => Number(x.toPrecision(6));

export function manifestEntry(input: EntryInput): Record<string, unknown> {
  const { exported, verification: v } = input;
  const labels = taskLabels(input.task, input.ageGrouping);
  return {
    task: input.task,
    file: input.file,
    sha256: input.sha256,
    bytes: exported.bytes.length,
    labels,
    ...(input.task === 'age' ? { ageGrouping: input.ageGrouping } : {}),
    input: { name: exported.inputName, shape: exported.inputShape, dtype: 'float32' },
    output: { name: input.output.name, shape: input.output.shape },
    opset: exported.opset,
    ...(input.tfjs ? { tfjs: input.tfjs } : {}),
    parameters: exported.parameters,
    training: input.training,
    metrics: input.metrics,
    verification: {
      samples: v.samples,
      maxAbsDiff: v.maxAbsDiff,
      argmaxAgreement: v.argmaxAgreement,
      runtime: v.runtime,
      reference: v.reference,
      tolerance: v.tolerance,
      realSamples: v.realSamples,
      syntheticSamples: v.syntheticSamples,
      batchSizes: v.batchSizes,
      rowSumError: v.rowSumError,
      ...(v.web
        ? {
            web: {
              runtime: v.web.runtime,
              samples: v.web.samples,
              maxAbsDiff: v.web.maxAbsDiff,
              argmaxAgreement: v.web.argmaxAgreement,
              loadMs: round(v.web.loadMs),
            },
          }
        : {}),
    },
    graph: {
      nodes: exported.nodes,
      folded: exported.folded,
      dropped: exported.dropped,
      twoClassFromSigmoid: input.output.twoClassFromSigmoid,
    },
  };
}

/**
 * The manifest JSON text for `entries`, keeping `previous` entries of other tasks. Validated with
 * parseManifest; returns the text and the parsed manifest.
 */
export function buildManifest(
  entries: readonly Record<string, unknown>[],
  previous?: unknown,
): { text: string; manifest: Manifest } {
  const models: Record<string, unknown> = {};
  const old = (previous as { models?: Record<string, unknown> } | undefined)?.models ?? {};
  const fresh = new Map(entries.map((e) => [e.task as Task, e]));
  for (const task of TASKS) {
    const entry = fresh.get(task) ?? old[task];
    if (entry) models[task] = entry;
  }
  const json = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    generator: '@facekit/export',
    models,
  };
  const manifest = parseManifest(json);
  return { text: `${JSON.stringify(json, null, 2)}\n`, manifest };
}
