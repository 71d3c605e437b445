/**
 * `pnpm bench:robustness [--part validation|test] <run folder>…`: the model card's robustness table
 * (src/robustness) for finished runs side by side, on the part of each run's split you choose — the
 * validation part (default) when the table is to choose between recipes, since the test part is read
 * for the card only. Each run's networks are exported to ONNX in memory exactly as `pnpm export` does, and
 * answered by onnxruntime-node. The last line is each task's mean over the changed faces.
 */
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { Task } from '@facekit/core';
import { existingFileFlag, parseCommandArgs, refuseFlags, userPath } from '@facekit/core/node';
import { loadLayersModel, mdTable } from '@facekit/train';
import { exportUnit, exportUnits } from '../src/export-run.js';
import { joinRobustness, measureRobustness, type RobustnessRow } from '../src/robustness/measure.js';
import { readSplitFaces, selectRun } from '../src/run/read-run.js';

const HELP = `Usage: pnpm bench:robustness [--part validation|test] [--data <csv>] <run folder>…

The model card's robustness table for finished runs side by side: each run's faces changed one way at
a time (shifts, crops, turns, light, blur, noise, JPEG), answered by its networks exported to ONNX in
memory; the last line is each task's mean over the changes.

Options:
  --part <name>   validation (default: what to choose between recipes on) or test
  --data <csv>    the data file the runs were trained on, when it has moved since (default: the
                  path in each run's run.json); checked against the runs' own record of it
  -h, --help      this help
`;

const { values, positionals } = parseCommandArgs(HELP, {
  options: {
    part: { type: 'string', default: 'validation' },
    data: { type: 'string' },
  },
  allowPositionals: true,
});
const part = values.part as 'validation' | 'test';
if (!['validation', 'test'].includes(part))
  refuseFlags(HELP, `--part must be validation or test, got "${part}"`);
if (positionals.length === 0) refuseFlags(HELP, `name at least one run folder\n\n${HELP.trimEnd()}`);
const dataPath = existingFileFlag(HELP, 'data', values.data);
tf.env().set('PROD', true); // no "install tfjs-node" banner between the table's lines
await tf.setBackend('cpu');

/** One run's rows: every unit (a shared file, or a task's own) exported in memory and measured. */
async function runRows(runDir: string): Promise<{ tasks: readonly Task[]; rows: RobustnessRow[] }> {
  const { info, tasks } = await selectRun(runDir);
  // The run's own data file (run.json) unless --data names where it is now.
  if (dataPath === undefined && !existsSync(info.data.path))
    throw new Error(
      `${runDir} was trained on ${info.data.path}, which no longer exists (name where it is now with --data)`,
    );
  const faces = await readSplitFaces(runDir, info, dataPath ?? info.data.path, tasks, part);
  if (typeof faces === 'string') throw new Error(`${runDir}: ${faces}`);
  let rows: RobustnessRow[] = [];
  for (const unit of await exportUnits(runDir, tasks)) {
    const model = await loadLayersModel(unit.source);
    const exported = await exportUnit(model, unit, info);
    model.dispose();
    const outputs = unit.tasks.map((task) => ({
      task,
      name: exported.outputs[unit.heads.indexOf(task)]!.name,
    }));
    rows = joinRobustness(rows, await measureRobustness(exported.bytes, outputs, faces));
  }
  return { tasks, rows };
}

const results: { runDir: string; tasks: readonly Task[]; rows: RobustnessRow[] }[] = [];
try {
  for (const runDir of positionals) results.push({ runDir, ...(await runRows(userPath(runDir))) });
} catch (error) {
  // A run that cannot be read (not a run, unfinished, its data gone) is said in one line.
  process.stderr.write(`pnpm bench:robustness: ${(error as Error).message}\n`);
  process.exit(1);
}
const pct = (a: number | undefined) => (a === undefined ? '—' : `${(a * 100).toFixed(1)} %`);
const header = ['change', ...results.flatMap((r) => r.tasks.map((t) => `${r.runDir} ${t}`))];
const names = results[0]!.rows.map((r) => r.name);
const body = names.map((name, k) => [
  name,
  ...results.flatMap((r) => r.tasks.map((t) => pct(r.rows[k]!.accuracy[t]))),
]);
const mean = (r: (typeof results)[number], t: Task) =>
  r.rows.slice(1).reduce((s, row) => s + (row.accuracy[t] ?? 0), 0) / (r.rows.length - 1);
body.push(['mean over the changes', ...results.flatMap((r) => r.tasks.map((t) => pct(mean(r, t))))]);
console.log(`${part} part`);
console.log(
  mdTable(
    header,
    body,
    header.map((_, i) => i > 0),
  ),
);
