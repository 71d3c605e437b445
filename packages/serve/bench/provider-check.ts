/**
 * `pnpm --filter @facekit/serve providers:check`: what each execution provider does with the models
 * on this machine — whether it initialises (and why not), how fast onnxruntime runs the models on it at
 * batch 1, 64 and 256, and how far its probabilities are from the CPU provider's on the same faces
 * (max abs difference, argmax agreement). Run on a GPU machine to see webgpu/cuda against cpu.
 */
import { dataFileFlag, loadModels, modelsFolder, parseCommandArgs, userPath } from '@facekit/core/node';
import { bindModels } from '../src/onnx-providers.js';
import { DEFAULT_MODELS } from '../src/options.js';
import { measureCeiling } from './ceiling.js';
import { compareResults, probabilities, providerStatuses } from './provider-measure.js';
import { loadFaces } from './payloads.js';
import { fmt, table } from './table.js';

const HELP = `Usage: pnpm --filter @facekit/serve providers:check [options]

What each execution provider does with the models here: whether it initialises (and why not), faces/s
at batch 1, 64 and 256, and its agreement with the cpu provider on the same faces.

Options:
  --models <dir>    models folder (default: models/)
  --data <csv>      faces to run (default: the dataset CSV, else generated faces)
  --faces <n>       faces (default: 256)
  --seconds <s>     seconds per throughput figure (default: 2)
  --threads <n>     cpu intra-op threads, 0 for onnxruntime's choice (default: 1)
  -h, --help        this help
`;

const { values } = parseCommandArgs(HELP, {
  options: {
    models: { type: 'string' },
    data: { type: 'string' },
    faces: { type: 'string', default: '256' },
    seconds: { type: 'string', default: '2' },
    threads: { type: 'string', default: '1' },
  },
});
const dir = modelsFolder(values.models ? userPath(values.models) : DEFAULT_MODELS);
const { models } = await loadModels(dir);
const { faces, source } = await loadFaces(Number(values.faces), dataFileFlag(HELP, values.data));
const threads = Number(values.threads);
const settings = { intraOpThreads: threads, warmBatchSizes: [1, 64, 256] };
console.log(
  `# execution providers — models ${dir}, ${faces.length} faces from ${source}, ${threads || 'auto'} CPU intra-op thread(s)\n`,
);

const statuses = await providerStatuses(models, settings);
const attempts = statuses.map((s) => [s.provider, s.ok ? 'ok' : 'failed', s.detail]);
const working = statuses.filter((s) => s.ok).map((s) => s.provider);
console.log(table(['provider', 'status', 'detail'], attempts));

const cpu = await bindModels(models, 'cpu', settings);
const reference = await probabilities(cpu, faces, 1);
await cpu.release();
const parity: (string | number)[][] = [];
const speed: (string | number)[][] = [];
for (const name of working) {
  const bound = await bindModels(models, name, settings);
  for (const batch of [1, 64, 256]) {
    const { maxDiff, agreement } = compareResults(await probabilities(bound, faces, batch), reference);
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
