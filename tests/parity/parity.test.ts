/**
 * The cross-runtime parity suite, written once and run against every runtime that can load the
 * models: the tfjs source models, onnxruntime-node (CPU; WebGPU where an adapter exists),
 * onnxruntime-web wasm in Node and in headless Chromium, and onnxruntime-web WebGPU in Chromium. Each runtime gets the same faces and edge
 * inputs in batches of 64 and one at a time; then every pair must agree (max |Δp| ≤ 1e-5 on float32
 * CPU, identical argmax). The face detector (face-detector.onnx) runs in every runtime too, on photos
 * letterboxed by core's detectorInput and edge inputs, the original BlazeFace graph model in tfjs as
 * the reference: every pair within the detector's tolerance (scores 5e-5, boxes 2e-3 px on CPU), and
 * readDetections must give the same faces from every runtime's outputs.
 * The report goes to tests/artifacts/parity-report.md.
 * Sizes: FACEKIT_PARITY_FACES (default 61, so with the edge inputs one batch of 64),
 * FACEKIT_PARITY_SINGLES (inputs also run one at a time, default 64), FACEKIT_PARITY_LATENCY (faces timed),
 * FACEKIT_PARITY_PHOTOS (detector photos, default 2, plus 3 edge inputs), FACEKIT_PARITY_DETECTOR_LATENCY
 * (detector runs timed, default 3), FACEKIT_PARITY_WARM_UP (seconds each runtime runs untimed before
 * each latency figure, at most 1,000 runs; default 1).
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETECTOR_INFO_FILE, parseDetectorInfo, sha256Hex, type Task } from '@facekit/core';
import { loadModels } from '@facekit/core/node';
import { compareOutputs, type HeadOutputs } from '@facekit/export';
import { detectorInputs } from '../support/detector-inputs.js';
import { parityInputs, type ParityInputs } from '../support/faces.js';
import { releaseTestModels, testModels } from '../support/models.js';
import { artifactsDir, SHIPPED_MODELS } from '../support/paths.js';
import {
  compareDetectorPairs,
  comparePairs,
  COLD_RUNS,
  CPU_TOLERANCE,
  GPU_TOLERANCE,
  summarize,
  type RuntimeRecord,
} from './pairs.js';
import { parityMarkdown } from './report.js';
import { chromiumRuntime } from './runtimes/chromium.js';
import { ortNodeCpu, ortNodeWebgpu, ortWebNode } from './runtimes/onnxruntime.js';
import type { ParityContext, ParityDetector, Runtime, Timings, WarmUp } from './runtimes/runtime.js';
import { tfjsRuntime } from './runtimes/tfjs.js';

const FACES = Number(process.env.FACEKIT_PARITY_FACES ?? 61);
const LATENCY_RUNS = Number(process.env.FACEKIT_PARITY_LATENCY ?? 50);
const PHOTOS = Number(process.env.FACEKIT_PARITY_PHOTOS ?? 2);
const DETECTOR_LATENCY_RUNS = Number(process.env.FACEKIT_PARITY_DETECTOR_LATENCY ?? 3);
/** Untimed runs before each latency figure: up to 1,000, for at most FACEKIT_PARITY_WARM_UP seconds. */
const WARM_UP: WarmUp = { runs: 1000, ms: 1000 * Number(process.env.FACEKIT_PARITY_WARM_UP ?? 1) };
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
/**
 * Per runtime: generous for the pure-JS tfjs reference on 1,000 faces of a large model, and for
 * BlazeFace in tfjs (≈ 0.65 s an input) or on SwiftShader.
 */
const RUNTIME_TIMEOUT = 120_000 + FACES * 600 + (PHOTOS + 3 + DETECTOR_LATENCY_RUNS) * 3_000 + 2 * WARM_UP.ms;

/** "2.21 ms median after 612 warm-up runs (the first 20 of them 7.10 ms)", for the log. */
function latencyLine(timings: Timings): string {
  const s = summarize(timings);
  const first = Math.min(COLD_RUNS, s.warmUpRuns);
  return `${s.median.toFixed(2)} ms median after ${s.warmUpRuns} warm-up runs (the first ${first} of them ${s.cold.toFixed(2)} ms)`;
}

/**
 * face-detector.onnx beside the models under test, else the shipped one, checked against its
 * face-detector.json; null (with why) when neither folder has one.
 */
async function parityDetector(dir: string): Promise<ParityDetector | string> {
  const home = [dir, SHIPPED_MODELS].find((d) => existsSync(join(d, DETECTOR_INFO_FILE)));
  if (!home) return `no ${DETECTOR_INFO_FILE} in ${dir} or ${SHIPPED_MODELS}`;
  const text = await readFile(join(home, DETECTOR_INFO_FILE), 'utf8');
  const info = parseDetectorInfo(text);
  const file = join(home, info.file);
  const bytes = new Uint8Array(await readFile(file));
  const sha256 = await sha256Hex(bytes);
  if (sha256 !== info.sha256)
    throw new Error(`${file}: sha256 ${sha256}, ${DETECTOR_INFO_FILE} says ${info.sha256}`);
  const rawOutputs = (JSON.parse(text) as { source: { rawOutputs: HeadOutputs } }).source.rawOutputs;
  return { file, bytes, rawOutputs, inputs: await detectorInputs(PHOTOS) };
}

let context: ParityContext;
let inputs: ParityInputs;
let singles = 0;
let modelsSource = '';
let detectorSource = '';
const records: RuntimeRecord[] = [];

beforeAll(async () => {
  const set = await testModels();
  const loaded = await loadModels(set.dir);
  inputs = await parityInputs(FACES);
  singles = Math.min(inputs.count, Number(process.env.FACEKIT_PARITY_SINGLES ?? 64));
  const detector = await parityDetector(loaded.dir);
  detectorSource =
    typeof detector === 'string'
      ? `not compared: ${detector}`
      : `${detector.file} (sha256 ${(await sha256Hex(detector.bytes)).slice(0, 12)})`;
  context = {
    ...(typeof detector === 'string' ? {} : { detector }),
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
        let detector: RuntimeRecord['detector'];
        let detectorLatency: Timings | undefined;
        if (context.detector && runtime.detect) {
          detector = await runtime.detect(context.detector.inputs.count);
          expect(detector.scores.every(Number.isFinite), 'detector: non-finite scores').toBe(true);
          expect(detector.boxes.every(Number.isFinite), 'detector: non-finite boxes').toBe(true);
          if (runtime.detectorLatency && DETECTOR_LATENCY_RUNS > 0) {
            detectorLatency = await runtime.detectorLatency(DETECTOR_LATENCY_RUNS, WARM_UP);
            console.log(
              `parity: ${runtime.name}: ${latencyLine(detectorLatency)} per detector run (256×256)`,
            );
          }
        }
        const latency =
          runtime.latency && LATENCY_RUNS > 0 ? await runtime.latency(LATENCY_RUNS, WARM_UP) : undefined;
        if (latency)
          console.log(`parity: ${runtime.name}: ${latencyLine(latency)} per face (all models, batch 1)`);
        records.push({
          name: runtime.name,
          gpu: runtime.gpu,
          status: 'ran',
          detail: runtime.describe(),
          outputs,
          ...(batchOneDiff === undefined ? {} : { batchOneDiff }),
          ...(latency ? { latency } : {}),
          ...(detector ? { detector } : {}),
          ...(detectorLatency ? { detectorLatency } : {}),
        });
      } catch (error) {
        failed(error as Error);
      } finally {
        await runtime.close();
      }
    },
  );
});

describe('every pair of runtimes on the face detector', () => {
  it('agrees on every score and box within tolerance, and readDetections finds the same faces', (ctx) => {
    if (!context.detector) ctx.skip(detectorSource);
    const ran = records.filter((r) => r.status === 'ran');
    for (const name of REQUIRED_RUNTIMES)
      expect(
        ran.find((r) => r.name === name)?.detector,
        `${name} must have run the detector (${records.find((r) => r.name === name)?.detail ?? 'not in the list'})`,
      ).toBeDefined();
    const failures = compareDetectorPairs(records, context.detector!.inputs)
      .filter((p) => !p.ok)
      .map(
        (p) =>
          `${p.a} ↔ ${p.b}: max |Δscore| ${p.maxScoreDiff} (tolerance ${p.tolerance.scores}), max |Δbox| ${p.maxBoxDiff} px (tolerance ${p.tolerance.boxes})${p.squaresDiffer.length ? `, other faces in ${p.squaresDiffer.join(', ')}` : ''}`,
      );
    expect(failures).toEqual([]);
  });
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
    detector: {
      source: detectorSource,
      ...(context.detector
        ? {
            inputs: context.detector.inputs,
            pairs: compareDetectorPairs(records, context.detector.inputs),
          }
        : {}),
    },
  });
  const file = join(await artifactsDir(), 'parity-report.md');
  await writeFile(file, markdown);
  console.log(`parity: report written to ${file}`);
});
