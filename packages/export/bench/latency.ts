/**
 * `pnpm bench:latency [preset …]`: per-face latency of a preset's three networks (age, ethnicity,
 * gender) — or of its one shared file — once exported to ONNX, in onnxruntime-web's wasm backend on one thread — the browser's
 * runtime, run in Node — at batch 1. The networks are untrained (seeded initial weights): latency
 * depends on the graph, not the weights, so a preset can be checked against issue 7's 3 ms limit
 * before it is trained. The shipped models' figure in Chromium comes from `pnpm parity`.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { TASKS, taskOutputName } from '@facekit/core';
import { DEFAULT_PRESET, getPreset } from '@facekit/train';
import { checkFlags, parseCommandArgs, percentiles } from '@facekit/core/node';
import { exportLayersModel } from '../src/export-model.js';

const RUNS = 400;
const WARMUP = 50;

/** The preset's networks as exported: one shared file for a shared preset, else one per task. */
function networks(name: string): { model: tf.LayersModel; outputNames?: string[] }[] {
  const preset = getPreset(name);
  if (preset.buildShared)
    return [{ model: preset.buildShared(TASKS, 'six', 1), outputNames: TASKS.map(taskOutputName) }];
  return TASKS.map((task) => ({ model: preset.build(task, 'six', 1) }));
}

async function presetLatency(name: string) {
  const sessions: ort.InferenceSession[] = [];
  let bytes = 0;
  for (const { model, outputNames } of networks(name)) {
    const exported = await exportLayersModel(model, outputNames ? { outputNames } : {});
    bytes += exported.bytes.length;
    sessions.push(await ort.InferenceSession.create(exported.bytes));
    model.dispose();
  }
  const face = new ort.Tensor(
    'float32',
    Float32Array.from({ length: 48 * 48 }, (_, i) => (i % 97) / 97),
    [1, 48, 48, 1],
  );
  const times: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const started = performance.now();
    for (const s of sessions) await s.run({ [s.inputNames[0]!]: face });
    if (i >= WARMUP) times.push(performance.now() - started);
  }
  await Promise.all(sessions.map((s) => s.release()));
  const at = percentiles(times);
  return { name, kib: bytes / 1024, median: at(0.5), p90: at(0.9) };
}

const HELP = `Usage: pnpm bench:latency [preset …]

Per-face latency (all three tasks) of each preset's networks exported to ONNX, in onnxruntime-web's
wasm backend on one thread at batch 1, and the size of its files; untrained weights, since latency
depends on the graph. Default: ${DEFAULT_PRESET}. The shipped models in Chromium: pnpm parity.
`;

const { positionals: names } = parseCommandArgs(HELP, { allowPositionals: true });
const presets = names.length > 0 ? names : [DEFAULT_PRESET];
// Every name is checked before the first is measured: a typo at the end should not wait for the rest.
checkFlags(HELP, () => presets.forEach((name) => getPreset(name)));
tf.env().set('PROD', true); // no "install tfjs-node" banner between the table's lines
await tf.setBackend('cpu');
ort.env.wasm.numThreads = 1;
const width = Math.max(22, ...presets.map((n) => n.length));
console.log(
  `onnxruntime-web ${ort.env.versions.web} wasm, 1 thread, batch 1, ${RUNS} runs answering all three tasks`,
);
console.log(`${'preset'.padEnd(width)} ONNX (all files) median     p90`);
for (const name of presets) {
  const r = await presetLatency(name);
  console.log(
    `${r.name.padEnd(width)} ${r.kib.toFixed(0).padStart(9)} KiB ${r.median.toFixed(2).padStart(7)} ms ${r.p90.toFixed(2).padStart(6)} ms`,
  );
}
