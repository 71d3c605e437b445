/**
 * A learning-curve point: a new run folder that keeps another run's validation and test parts but
 * trains on a seeded share of its training part, so a network trained there is judged on exactly the
 * faces the full run was. Nested: the 70 % share is a subset of the 85 % share (one shuffle, a prefix).
 *   pnpm exec tsx packages/train/bench/subset-run.ts <from run> <share> <new run> <preset> <seed>
 *   pnpm train --resume <new run>
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCommandArgs } from '@facekit/core/node';
import { seededRandom, shuffleInPlace } from '../src/data/random.js';
import { splitFromJson, splitToJson } from '../src/data/split.js';
import { getPreset } from '../src/presets.js';
import {
  readJson,
  readRunInfo,
  RUN_JSON,
  SPLIT_JSON,
  writeJsonAtomic,
  type RunInfo,
} from '../src/run-folder.js';

const HELP = `Usage: pnpm exec tsx packages/train/bench/subset-run.ts <from run> <share> <new run> <preset> <seed>

Writes <new run>: <from run>'s validation and test parts, and a seeded share in (0, 1] of its training
part (nested: a smaller share is a prefix of a larger one), for <preset> with <seed>. Then train it
with \`pnpm train --resume <new run>\`.
`;
const { positionals } = parseCommandArgs(HELP, { allowPositionals: true });
const [from, shareText, to, presetName, seedText] = positionals;
const share = Number(shareText);
const seed = Number(seedText);
if (
  positionals.length !== 5 ||
  !from ||
  !to ||
  !presetName ||
  !(share > 0 && share <= 1) ||
  !Number.isInteger(seed)
) {
  process.stderr.write(HELP);
  process.exit(2);
}
const preset = getPreset(presetName);
const base = await readRunInfo(from);
const split = splitFromJson(await readJson(join(from, SPLIT_JSON)));
// The shuffle depends on the base split only, so every share of one base is a prefix of the same order.
const order = shuffleInPlace(Array.from(split.train), seededRandom(split.seed + 1));
const train = Uint32Array.from(order.slice(0, Math.round(order.length * share))).sort();

const tasks = Object.keys(base.tasks) as (keyof RunInfo['tasks'])[];
const info: RunInfo = {
  ...base,
  runId: to.split(/[\\/]/).filter(Boolean).at(-1)!,
  createdAt: new Date().toISOString(),
  preset: preset.name,
  seed,
  splitSeed: split.seed,
  epochs: Object.fromEntries(tasks.map((t) => [t, preset.fit(t).epochs])),
  tasks: Object.fromEntries(tasks.map((t) => [t, 'pending'])),
};
await mkdir(to, { recursive: true });
await writeJsonAtomic(join(to, SPLIT_JSON), splitToJson({ ...split, train }));
await writeJsonAtomic(join(to, RUN_JSON), info);
process.stdout.write(
  `${to}: ${train.length} of ${split.train.length} training faces, ${split.validation.length} validation, ` +
    `${split.test.length} test (from ${from}); now: pnpm train --resume ${to}\n`,
);
