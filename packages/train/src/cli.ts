/**
 * `pnpm train`: flags → runTraining. Ctrl-C stops at the next batch boundary; the last finished
 * epoch's checkpoint stays, and `--resume <run folder>` carries on from it.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { isAgeGrouping, isTask, TASKS, type Task } from '@facekit/core';
import { TRAINING_BACKEND_NAMES } from './backends/index.js';
import {
  checkFlags,
  folderToWrite,
  fraction,
  onLauncherGone,
  parseCommandArgs,
  pathForUser,
  projectRoot,
  resolveDataPath,
  runCommand,
  userPath,
  wholeNumber,
} from '@facekit/core/node';
import { DEFAULT_PRESET, getPreset, isAblation, PRESETS, type Preset } from './presets.js';
import { runsByStart } from './run-folder.js';
import { runTraining } from './run.js';

/** A preset the help recommends, by name: renaming it fails every `pnpm train`, the help test included. */
const named = (name: string) => getPreset(name).name;
const [forGrain, forCrops, seed] = [
  'shared-ensemble-flip-widesoft-noise',
  'shared-ensemble-flip-robust',
  'seed',
].map(named);
/** What `--list-presets` adds to the presets the help names: the rest offered, and the ablation. */
const ablationCount = Object.values(PRESETS).filter(isAblation).length;
const otherOffered = Object.values(PRESETS).filter(
  (p) => !isAblation(p) && ![DEFAULT_PRESET, forGrain, forCrops, seed].includes(p.name),
).length;

const HELP = `Usage: pnpm train [options]

Trains the age-group, ethnicity and gender CNNs from the Kaggle face CSV and writes a run folder
(models, split, history, metrics, SVG plots, report.md).

Options:
  --data <file>             CSV (default: $FACEKIT_DATA, data/age_gender.csv, ../shared/data/utkface48.csv)
  --task <name>             age | ethnicity | gender; repeat or comma-separate (default: all three)
  --preset <name>           ${DEFAULT_PRESET} (default): faces prepared like the training data;
                            ${forGrain}: photos from other pipelines (grain);
                            ${forCrops}: also other crops and turns; ${seed}: the
                            original study's networks. --list-presets shows ${otherOffered} more to train with and
                            ${ablationCount} measured ingredients (packages/train/bench/ACCURACY.md)
  --list-presets            every preset with what it is (the default first, the ablation last), then exit
  --epochs <n>              override the preset's epochs
  --backend <name>          ${TRAINING_BACKEND_NAMES.join(' | ')} (default: the first that works here, in this order: a GPU first)
  --seed <n>                seed of the split, initial weights, shuffles and dropout (default: 42)
  --split-seed <n>          draw the split with this seed instead (default: --seed): runs with other
                            seeds or presets then train and validate on the very same faces
  --test-fraction <f>       test share of the data (default: 0.3)
  --validation-fraction <f> validation share carved from the training part (default: 0.1)
  --age-grouping <g>        six | decades (default: six)
  --threads <n>             training threads on CPU backends (default: as many as pay off)
  --skip-invalid            skip malformed CSV rows (counted and reported) instead of stopping
  --out <dir>               run folder (default: runs/<date>-<preset>)
  --resume <dir|latest>     continue an interrupted run from its last checkpoint (latest: the run
                            started last under runs/)
  -h, --help                this help
`;

function parseTasks(values: string[] | undefined): Task[] {
  if (!values?.length) return [...TASKS];
  const names = values.flatMap((v) => v.split(',')).map((v) => v.trim());
  for (const name of names)
    if (!isTask(name)) throw new Error(`--task ${name}: tasks are ${TASKS.join(', ')}`);
  return TASKS.filter((t) => names.includes(t));
}

/** Every preset, its description wrapped and indented beneath its name. */
function presetList(width = 100): string {
  const describe = (presets: readonly Preset[]) =>
    presets.flatMap(({ name, description }) => {
      const lines = [name === DEFAULT_PRESET ? `${name} (default)` : name];
      let line = '   ';
      for (const word of description.split(' ')) {
        if (line.length + 1 + word.length > width && line.trim()) {
          lines.push(line);
          line = '   ';
        }
        line += ` ${word}`;
      }
      return [...lines, line];
    });
  const all = Object.values(PRESETS);
  const offered = all.filter((p) => !isAblation(p) && p.name !== DEFAULT_PRESET);
  const ablation = all.filter(isAblation);
  return `${[
    'To train with (the default first):',
    ...describe([getPreset(DEFAULT_PRESET), ...offered]),
    '',
    `Measured and not chosen (${ablation.length}; the ablation in packages/train/bench/ACCURACY.md):`,
    ...describe(ablation),
  ].join('\n')}\n`;
}

/** Seeds are whole numbers a 32-bit generator takes as they are (1.5 or -1 used to pass). */
const MAX_SEED = 2 ** 32 - 1;

/** Flags that shape a run when it starts; a resumed run keeps what it was started with (run.json). */
const FIXED_AT_START = [
  'task',
  'preset',
  'epochs',
  'seed',
  'split-seed',
  'test-fraction',
  'validation-fraction',
  'age-grouping',
  'out',
] as const;

/** The run under `runsDir` started last (run.json's createdAt), finished or not. */
async function latestRun(runsDir: string): Promise<string> {
  const latest = (await runsByStart(runsDir)).at(-1);
  if (!latest)
    throw new Error(`--resume latest: no runs in ${runsDir} (a run elsewhere: --resume <its folder>)`);
  return latest.dir;
}

/**
 * What a failure line adds after its error, by code. As pnpm evaluate says it: a bad row stops the run,
 * and the flag that passes over such rows — offered only where it was not given, since with it a row
 * error is one the flag cannot pass over (no valid row left, a quote that hides where its row ends).
 */
const hints: Record<string, string> = {};

async function main(): Promise<number> {
  const { values } = parseCommandArgs(HELP, {
    options: {
      data: { type: 'string' },
      task: { type: 'string', multiple: true },
      preset: { type: 'string' },
      epochs: { type: 'string' },
      backend: { type: 'string' },
      seed: { type: 'string' },
      'split-seed': { type: 'string' },
      'test-fraction': { type: 'string' },
      'validation-fraction': { type: 'string' },
      'age-grouping': { type: 'string' },
      'skip-invalid': { type: 'boolean', default: false },
      threads: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'string' },
      'list-presets': { type: 'boolean', default: false },
    },
  });
  if (values['list-presets']) {
    process.stdout.write(presetList());
    return 0;
  }
  const resume = values.resume;
  if (!values['skip-invalid'])
    hints.INVALID_CSV_ROW = '--skip-invalid trains on the other rows and counts these';
  // Every flag is checked before anything is read or written; a wrong one is refused in one line, exit
  // status 2, as by every other command.
  const {
    preset,
    grouping,
    backend,
    epochs,
    testFraction,
    validationFraction,
    threads,
    tasks,
    seed,
    splitSeed,
    out,
  } = checkFlags(HELP, () => {
    const fixed = FIXED_AT_START.filter((flag) => values[flag] !== undefined);
    if (resume !== undefined && fixed.length > 0)
      throw new Error(
        `--resume continues a run with the settings it was started with (its run.json); ` +
          `drop ${fixed.map((f) => `--${f}`).join(', ')}, or start a new run without --resume`,
      );
    const grouping = values['age-grouping'] ?? 'six';
    if (!isAgeGrouping(grouping)) throw new Error(`--age-grouping must be six or decades, got "${grouping}"`);
    const backend = values.backend;
    if (backend !== undefined && !TRAINING_BACKEND_NAMES.includes(backend))
      throw new Error(`--backend must be one of ${TRAINING_BACKEND_NAMES.join(', ')}, got "${backend}"`);
    const cores = availableParallelism();
    return {
      preset: getPreset(values.preset ?? DEFAULT_PRESET).name,
      grouping,
      backend,
      epochs:
        values.epochs === undefined
          ? undefined
          : wholeNumber('epochs', values.epochs, 1, 10_000, 'passes over the training part'),
      testFraction:
        values['test-fraction'] === undefined
          ? 0.3
          : fraction('test-fraction', values['test-fraction'], false),
      validationFraction:
        values['validation-fraction'] === undefined
          ? 0.1
          : fraction('validation-fraction', values['validation-fraction'], true),
      threads:
        values.threads === undefined
          ? undefined
          : wholeNumber('threads', values.threads, 1, cores, `this machine has ${cores} cores`),
      tasks: parseTasks(values.task),
      seed: values.seed === undefined ? 42 : wholeNumber('seed', values.seed, 0, MAX_SEED),
      splitSeed:
        values['split-seed'] === undefined
          ? undefined
          : wholeNumber('split-seed', values['split-seed'], 0, MAX_SEED),
      // A file where the run folder (or one above it) would go: said now, not as a bare ENOTDIR once the
      // data has been read and split.
      out: values.out === undefined ? undefined : folderToWrite('out', values.out, ''),
    };
  });
  const runsDir = join(projectRoot(), 'runs');
  const runDir = resume
    ? resume === 'latest'
      ? await latestRun(runsDir)
      : userPath(resume)
    : (out ?? join(runsDir, `${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}-${preset}`));
  // Looked for once every flag is known good. Resumed without --data: the run's own file (run.json).
  const dataPath =
    resume !== undefined && values.data === undefined ? undefined : resolveDataPath(values.data);

  let stopRequested = 0;
  process.on('SIGINT', () => {
    // One Ctrl-C can arrive twice (from the terminal and relayed by tsx/pnpm): only a second press,
    // a moment later, quits without waiting for the batch.
    if (stopRequested && Date.now() - stopRequested > 1000) process.exit(130);
    if (stopRequested) return;
    stopRequested = Date.now();
    process.stderr.write('\nstopping after this batch (Ctrl-C again to quit at once)…\n');
  });
  // SIGTERM (a supervisor, `kill <pid>`) stops the run as the first Ctrl-C does, saying how to resume;
  // so does pnpm's exit when it was sent one (pnpm passes no signal on, and the run would go on training,
  // orphaned, on every core).
  const stopSoon = (why: string) => () => {
    if (stopRequested) return;
    stopRequested = Date.now();
    process.stderr.write(`\n${why}: stopping after this batch…\n`);
  };
  process.on('SIGTERM', stopSoon('SIGTERM'));
  onLauncherGone(stopSoon('the package manager that started this run has exited'));

  const outcome = await runTraining({
    ...(dataPath === undefined ? {} : { dataPath }),
    tasks,
    preset,
    ...(epochs === undefined ? {} : { epochs }),
    ...(backend === undefined ? {} : { backend }),
    ...(threads === undefined ? {} : { threads }),
    seed,
    ...(splitSeed === undefined ? {} : { splitSeed }),
    testFraction,
    validationFraction,
    ageGrouping: grouping,
    skipInvalid: values['skip-invalid'],
    runDir,
    resume: resume !== undefined,
    log: (line) => process.stderr.write(`${line}\n`),
    shouldStop: () => stopRequested > 0,
  });
  const shown = pathForUser(outcome.runDir);
  if (outcome.interrupted) {
    process.stderr.write(`interrupted: resume with  pnpm train --resume ${shown}\n`);
    return 130;
  }
  process.stderr.write(`run folder: ${shown} (report: ${join(shown, 'report.md')})\n`);
  return 0;
}

runCommand(HELP, main, hints);
