/**
 * `pnpm export`: flags → exportRun, with progress lines and a summary table. Exits non-zero, with
 * the error's code and message, when a task cannot be converted or its verification fails; in that
 * case models/ is left as it was.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { isTask, TASKS, type Task } from '@facekit/core';
import { pathArg } from '@facekit/train';
import { exportRun, type TaskExport } from './export-run.js';
import { latestRun, trainedOn } from './run/read-run.js';
import { OPSET } from './onnx/proto.js';
import {
  checkFlags,
  folderToWrite,
  parseCommandArgs,
  pathForUser,
  projectRoot,
  refuseFlags,
  resolveDataPath,
  runCommand,
  userPath,
  wholeNumber,
} from '@facekit/core/node';

const HELP = `Usage: pnpm export [options]

Converts a training run's tfjs models to ONNX (opset ${OPSET}), verifies each against tfjs with
onnxruntime-node (and loads it in onnxruntime-web), and writes models/: <task>/model.onnx (or, for a
shared or ensemble run, one shared/model.onnx with an output per task), <task>/tfjs/, manifest.json
and MODEL_CARD.md. Tasks not exported keep their entries and files: a shared run trained or exported
for fewer tasks is written as shared-<tasks>/model.onnx (e.g. shared-age), beside the file they use.

Options:
  --run <dir>      run folder (default: the latest finished run under runs/)
  --out <dir>      output folder (default: models/)
  --task <name>    age | ethnicity | gender; repeat or comma-separate (default: the run's finished tasks)
  --data <file>    CSV whose faces are used for verification and, when it is the file the run was
                   trained on, for the card's robustness table (default: the run's own file, as run.json
                   names it, then $FACEKIT_DATA, data/age_gender.csv, ../shared/data/utkface48.csv;
                   synthetic inputs only if none)
  --faces <n>      real faces used for verification (default: 256)
  -h, --help       this help
`;

function parseTasks(values: string[] | undefined): Task[] | undefined {
  if (!values?.length) return undefined;
  const names = values.flatMap((v) => v.split(',')).map((v) => v.trim());
  for (const name of names)
    if (!isTask(name)) throw new Error(`--task ${name}: tasks are ${TASKS.join(', ')}`);
  return TASKS.filter((t) => names.includes(t));
}

function summary(results: readonly TaskExport[]): string {
  const rows = [
    ['task', 'file', 'size', 'nodes', 'max abs diff', 'argmax agreement', 'samples', 'ort-web max diff'],
    ...results.map((r) => [
      r.task,
      r.file,
      `${(r.exported.bytes.length / 1024).toFixed(1)} KiB`,
      String(r.exported.nodes),
      r.verification.maxAbsDiff.toExponential(2),
      `${(r.verification.argmaxAgreement * 100).toFixed(1)}%`,
      String(r.verification.samples),
      r.verification.web ? r.verification.web.maxAbsDiff.toExponential(2) : '—',
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const DEFAULT_FACES = 256;

async function main(): Promise<number> {
  tf.env().set('PROD', true); // no "install tfjs-node" banner in the middle of the progress lines
  const { values } = parseCommandArgs(HELP, {
    options: {
      run: { type: 'string' },
      out: { type: 'string' },
      task: { type: 'string', multiple: true },
      data: { type: 'string' },
      faces: { type: 'string', default: String(DEFAULT_FACES) },
    },
  });
  const root = projectRoot();
  // The flags are checked before any work, and refused as every command refuses them (exit status 2).
  const { tasks, faces, outDir } = checkFlags(HELP, () => {
    const out = folderToWrite('out', values.out, join(root, 'models'));
    return {
      tasks: parseTasks(values.task),
      faces: wholeNumber('faces', values.faces, 0),
      outDir: out,
    };
  });
  const runDir = values.run ? userPath(values.run) : await latestRun(join(root, 'runs'));
  if (values.run && !existsSync(runDir)) refuseFlags(HELP, `--run ${values.run}: no such folder (${runDir})`);
  let dataPath: string | undefined;
  try {
    // The run's own file first: only that one gives the model card its robustness table.
    dataPath = (values.data ? undefined : await trainedOn(runDir)) ?? resolveDataPath(values.data);
  } catch (error) {
    if (values.data || process.env.FACEKIT_DATA) throw error;
    process.stdout.write('note: no data file found; verifying on synthetic inputs only\n');
  }
  const rel = (p: string) => pathArg(p, root);
  // The model card's command: the flags given, so that it makes the same card again.
  const command = [
    `pnpm export --run ${rel(runDir)}`,
    ...(values.out ? [`--out ${rel(outDir)}`] : []),
    ...(tasks ? [`--task ${tasks.join(',')}`] : []),
    ...(values.data && dataPath ? [`--data ${rel(dataPath)}`] : []),
    ...(faces !== DEFAULT_FACES ? [`--faces ${faces}`] : []),
  ].join(' ');
  const started = performance.now();
  const result = await exportRun({
    runDir,
    outDir,
    ...(tasks ? { tasks } : {}),
    ...(dataPath ? { dataPath } : {}),
    faces,
    command,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(
    `\n${summary(result.results)}\n\nexported to ${pathForUser(outDir)} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return 0;
}

runCommand(HELP, main);
