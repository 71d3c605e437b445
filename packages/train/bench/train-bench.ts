/**
 * `pnpm bench:train`: training throughput of the seed age network (the study's Conv-Pool-Conv-Pool-
 * Dense CNN, 38,230 parameters; Adam 1e-3, categorical cross-entropy, batch 128) on each training
 * backend that initialises here — one epoch over random samples after a warm-up — printed as a table.
 * Random data is enough: the kernels' cost does not depend on the values. Options:
 *   --backend wasm,cpu   which backends (default: every available one)
 *   --samples 4096       samples in the timed epoch      --warmup 512   samples fitted first
 *   --batch 128          batch size                      --repeat 1     timed epochs (best is shown)
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { getPreset } from '../src/presets.js';
import { listTrainingBackends, selectTrainingBackend } from '../src/backends/index.js';

const { values: opts } = parseArgs({
  options: {
    backend: { type: 'string' },
    samples: { type: 'string', default: '4096' },
    warmup: { type: 'string', default: '512' },
    batch: { type: 'string', default: '128' },
    repeat: { type: 'string', default: '1' },
  },
});
const samples = Number(opts.samples);
const warmup = Number(opts.warmup);
const batchSize = Number(opts.batch);
const repeat = Number(opts.repeat);

interface Row {
  backend: string;
  samplesPerSecond: number[];
  loss: number;
}

function randomData(n: number, classes: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => ({
    x: tf.randomUniform([n, 48, 48, 1], 0, 1, 'float32', 1) as tf.Tensor4D,
    y: tf
      .oneHot(tf.randomUniform([n], 0, classes, 'int32', 2) as tf.Tensor1D, classes)
      .toFloat() as tf.Tensor2D,
  }));
}

async function benchOne(backend: string): Promise<Row> {
  await selectTrainingBackend(backend);
  const model = getPreset('seed').build('age', 'six');
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const classes = model.outputs[0]!.shape[1]!;
  const warm = randomData(warmup, classes);
  await model.fit(warm.x, warm.y, { batchSize, epochs: 1, verbose: 0 });
  tf.dispose([warm.x, warm.y]);
  const data = randomData(samples, classes);
  const rates: number[] = [];
  let loss = NaN;
  for (let r = 0; r < repeat; r++) {
    const start = performance.now();
    const history = await model.fit(data.x, data.y, { batchSize, epochs: 1, verbose: 0 });
    rates.push(samples / ((performance.now() - start) / 1000));
    loss = history.history.loss![0] as number;
    console.log(`  ${backend}: ${rates.at(-1)!.toFixed(0)} samples/s`);
  }
  tf.dispose([data.x, data.y]);
  model.dispose();
  return { backend, samplesPerSecond: rates, loss };
}

const available = (await listTrainingBackends()).filter((s) => {
  if (!s.available) console.log(`skipping ${s.name}: ${s.reason}`);
  return s.available;
});
const wanted = opts.backend?.split(',') ?? available.map((s) => s.name);
console.log(
  `seed age network, batch ${batchSize}, ${samples} samples after ${warmup} warm-up, ${repeat} epoch(s)`,
);
const rows: Row[] = [];
for (const name of wanted) rows.push(await benchOne(name));

console.log('\n| backend | samples/s (best) | all epochs | loss |\n|---|---:|---|---:|');
for (const row of rows) {
  const best = Math.max(...row.samplesPerSecond);
  console.log(
    `| ${row.backend} | ${best.toFixed(0)} | ${row.samplesPerSecond.map((v) => v.toFixed(0)).join(', ')} | ${row.loss.toFixed(4)} |`,
  );
}
