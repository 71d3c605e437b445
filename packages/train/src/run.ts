/**
 * One training run, start to finish: read and validate the CSV, find duplicates, split (or reload the
 * saved split when resuming), train each requested task on the chosen backend, evaluate on the test
 * part once, and leave a run folder with models, metrics, plots and a report. The CLI only parses
 * flags and calls `runTraining`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ageToGroup, taskLabels, type AgeGrouping, type Task } from '@facekit/core';
import { selectTrainingBackend } from './backends/index.js';
import { taskTargets } from './data/batches.js';
import type { FaceDataset } from './data/dataset.js';
import { findDuplicates } from './data/duplicates.js';
import { loadCsv, skippedReasons } from './data/load-csv.js';
import { checkSplitRows, splitDataset, splitFromJson, splitToJson, type DataSplit } from './data/split.js';
import { predictHeads } from './evaluate.js';
import { saveLayersModel } from './model-io.js';
import { getPreset } from './presets.js';
import { applyTemperature, atSearchBound, fitTemperature } from './temperature.js';
import { trainEnsemble, type TrainEnsembleResult } from './train-ensemble.js';
import { trainNetwork, type TrainNetworkResult } from './train-network.js';
import {
  computeTaskMetrics,
  trainCommand,
  writeRunReport,
  writeTaskArtifacts,
  type TaskReport,
} from './report/index.js';
import type { TaskMetrics, ValidationFigures } from './report/metrics-types.js';
import {
  checkpointDir,
  modelDir,
  readJson,
  sharedModelDir,
  readRunInfo,
  RUN_JSON,
  SPLIT_JSON,
  writeJsonAtomic,
  type RunInfo,
} from './run-folder.js';

export interface TrainingOptions {
  /** The CSV; when resuming, by default the one the run was trained on (run.json). */
  readonly dataPath?: string;
  readonly tasks: readonly Task[];
  readonly preset: string;
  /** Overrides the preset's epochs for every task. */
  readonly epochs?: number;
  readonly backend?: string;
  readonly seed: number;
  /** Seed the train/validation/test split is drawn with (default: `seed`). */
  readonly splitSeed?: number;
  readonly testFraction: number;
  readonly validationFraction: number;
  readonly ageGrouping: AgeGrouping;
  readonly skipInvalid: boolean;
  /** The run folder: new for a fresh run, existing for `resume`. */
  readonly runDir: string;
  readonly resume: boolean;
  /** Training threads on CPU backends (default: as many as pay off). */
  readonly threads?: number;
  readonly log: (line: string) => void;
  readonly shouldStop: () => boolean;
}

export interface TrainingOutcome {
  readonly runDir: string;
  readonly interrupted: boolean;
  readonly reports: TaskReport[];
}

/**
 * Fits each head's temperature on the validation part and folds it into that head (temperature.ts),
 * from one pass of the whole network. Per head, undefined when there is no validation part to fit on.
 */
async function temper(network: TrainNetworkResult, validation: Uint32Array): Promise<(number | undefined)[]> {
  if (validation.length === 0) return network.heads.map(() => undefined);
  const { heads, model } = network;
  const untempered = await predictHeads(
    model,
    heads[0]!.feeder,
    validation,
    heads.map((h) => h.targets),
  );
  return heads.map((head, h) => {
    const { probabilities, classes } = untempered[h]!;
    const truth = Uint8Array.from(validation, (r) => head.targets[r]!);
    const temperature = fitTemperature(probabilities, classes, truth);
    applyTemperature(head.model, temperature);
    return temperature;
  });
}

function demographicsOf(dataset: FaceDataset, rows: Uint32Array, grouping: AgeGrouping) {
  return {
    ethnicity: Uint8Array.from(rows, (r) => dataset.ethnicity[r]!),
    gender: Uint8Array.from(rows, (r) => dataset.gender[r]!),
    ageGroup: Uint8Array.from(rows, (r) => ageToGroup(dataset.age[r]!, grouping)),
    ageLabels: taskLabels('age', grouping),
  };
}

/** A fresh run's folder must not hold a run already (nor be a file): nothing is overwritten. */
async function checkNewRunDir(runDir: string): Promise<void> {
  const found = await stat(runDir).catch(() => undefined);
  if (found && !found.isDirectory()) throw new Error(`${runDir} is a file, not a run folder`);
  if (existsSync(join(runDir, RUN_JSON)))
    throw new Error(
      `${runDir} already holds a run; continue it with --resume ${runDir}, or choose another --out`,
    );
  // A run's files would be mixed with others that no run wrote: a new or empty folder only.
  if (found && (await readdir(runDir)).length > 0)
    throw new Error(`${runDir} holds other files and is not a run folder; choose a new or empty --out`);
}

/** The labels that no face of `rows` carries, given every row's class index. */
function missingClasses(labels: readonly string[], targets: Uint8Array, rows: Uint32Array): string[] {
  const seen = new Set(Array.from(rows, (r) => targets[r]!));
  return labels.filter((_, k) => !seen.has(k));
}

export async function runTraining(options: TrainingOptions): Promise<TrainingOutcome> {
  const { log, runDir } = options;
  const previous = options.resume ? await readRunInfo(runDir) : undefined;
  if (!previous) await checkNewRunDir(runDir);
  const preset = getPreset(previous?.preset ?? options.preset);
  if (previous) {
    // A resumed run repeats an uninterrupted one only on the backend and thread count it ran on.
    const changed = [
      options.backend !== undefined && options.backend !== previous.backend
        ? `backend ${previous.backend} → ${options.backend}`
        : undefined,
      options.threads !== undefined && options.threads !== previous.threads
        ? `threads ${previous.threads ?? 'default'} → ${options.threads}`
        : undefined,
    ].filter((c) => c !== undefined);
    if (changed.length > 0)
      log(
        `warning: resuming with ${changed.join(', ')}: the steps from here, and so the weights, differ from an uninterrupted run's`,
      );
    else if (options.backend === undefined) log(`resuming on the run's backend, ${previous.backend}`);
  }
  const backend = await selectTrainingBackend(options.backend ?? previous?.backend, log);

  const dataPath = options.dataPath ?? previous?.data.path;
  if (!dataPath) throw new Error('no data file given');
  if (previous && !options.dataPath && !existsSync(dataPath))
    throw new Error(
      `run ${previous.runId} was trained on ${dataPath}, which is no longer there; resume with --data <that file, moved> (its sha256, ${previous.data.sha256.slice(0, 12)}…, is checked)`,
    );
  // A run whose invalid rows were skipped skips them again when resumed, or its file would not load.
  const skipInvalid = options.skipInvalid || (previous?.data.skippedRows ?? 0) > 0;
  log(`reading ${dataPath}`);
  const csv = await loadCsv(dataPath, { skipInvalid });
  if (previous && previous.data.sha256 !== csv.sha256) {
    throw new Error(`${dataPath} is not the file run ${previous.runId} was trained on (sha256 differs)`);
  }
  const { dataset } = csv;
  const duplicates = findDuplicates(dataset);
  log(
    `${dataset.size} faces` +
      (csv.skipped.count
        ? `, ${csv.skipped.count} invalid rows skipped (${skippedReasons(csv.skipped)})`
        : '') +
      `; ${duplicates.duplicateRows} duplicate images in ${duplicates.duplicatedGroups} groups, ` +
      `${duplicates.conflictingGroups} with conflicting labels (kept on one side of the split)`,
  );
  for (const example of csv.skipped.examples) log(`  skipped ${example}`);

  const seed = previous?.seed ?? options.seed;
  const threads = options.threads ?? previous?.threads;
  const grouping = previous?.ageGrouping ?? options.ageGrouping;
  const splitPath = join(runDir, SPLIT_JSON);
  const split: DataSplit = previous
    ? splitFromJson(await readJson(splitPath), splitPath)
    : splitDataset(dataset, duplicates, {
        testFraction: options.testFraction,
        validationFraction: options.validationFraction,
        seed: options.splitSeed ?? seed,
        ageGrouping: grouping,
      });
  if (previous) checkSplitRows(split, dataset.size, splitPath);
  const parts = `${split.train.length} train, ${split.validation.length} validation, ${split.test.length} test`;
  log(`split (seed ${split.seed}): ${parts}`);
  if (split.train.length === 0 || split.test.length === 0)
    throw new Error(
      `the split of ${dataset.size} faces leaves no ${split.train.length === 0 ? 'training' : 'test'} faces ` +
        `(${parts}); use more data or other --test-fraction / --validation-fraction`,
    );

  const tasks = previous ? (Object.keys(previous.tasks) as Task[]) : options.tasks;
  // Every row's class index per task, computed once: checked here, trained on below.
  const targetsOf = new Map(tasks.map((task) => [task, taskTargets(dataset, task, grouping)]));
  if (split.validation.length === 0) {
    const why =
      split.validationFraction === 0
        ? '--validation-fraction 0'
        : `${dataset.size} faces are too few for ${(split.validationFraction * 100).toFixed(0)} % of each stratum`;
    log(
      `warning: the validation part is empty (${why}): no early stopping, the last epoch is kept, and no temperature is fitted`,
    );
  }
  // Labels no training face carries, per task: said now, and recorded in the task's metrics.
  const untrained = new Map<Task, string[]>();
  for (const task of tasks) {
    const absent = missingClasses(taskLabels(task, grouping), targetsOf.get(task)!, split.train);
    if (absent.length === 0) continue;
    untrained.set(task, absent);
    log(
      `warning: ${task}: the training part has no faces of ${absent.join(', ')}; ` +
        `the model cannot learn ${absent.length === 1 ? 'it' : 'them'}, and its test figures say nothing about ${absent.length === 1 ? 'it' : 'them'}`,
    );
  }
  const epochsOf = (task: Task) => previous?.epochs[task] ?? options.epochs ?? preset.fit(task).epochs;
  let info: RunInfo = previous ?? {
    runId: runDir.split(/[\\/]/).filter(Boolean).at(-1)!,
    createdAt: new Date().toISOString(),
    preset: preset.name,
    backend: backend.name,
    seed,
    ...(split.seed === seed ? {} : { splitSeed: split.seed }),
    testFraction: split.testFraction,
    validationFraction: split.validationFraction,
    ageGrouping: grouping,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    epochs: Object.fromEntries(tasks.map((t) => [t, epochsOf(t)])),
    data: {
      path: dataPath,
      sha256: csv.sha256,
      rows: dataset.size,
      skippedRows: csv.skipped.count,
      duplicateRows: duplicates.duplicateRows,
      conflictingDuplicateGroups: duplicates.conflictingGroups,
    },
    tasks: Object.fromEntries(tasks.map((t) => [t, 'pending'])),
  };
  if (previous && previous.backend !== backend.name) info = { ...info, backend: backend.name };
  // A thread count changed on resume is the run's from here on (warned above), as a backend is.
  if (previous && options.threads !== undefined && options.threads !== previous.threads)
    info = { ...info, threads: options.threads };
  // The run's file found elsewhere (--data, its sha256 checked above): later resumes and the report's
  // reproduce command look there.
  if (previous && previous.data.path !== dataPath) info = { ...info, data: { ...info.data, path: dataPath } };
  await mkdir(runDir, { recursive: true });
  await writeJsonAtomic(join(runDir, SPLIT_JSON), splitToJson(split));
  await writeJsonAtomic(join(runDir, RUN_JSON), info);

  // A shared preset trains the run's tasks as one network; every other preset, one network per task.
  const networks: Task[][] =
    (preset.buildShared && tasks.length > 1) || preset.members ? [[...tasks]] : tasks.map((t) => [t]);
  const reports: TaskReport[] = [];
  const setStatus = async (group: readonly Task[], status: RunInfo['tasks'][Task]) => {
    info = { ...info, tasks: { ...info.tasks, ...Object.fromEntries(group.map((t) => [t, status])) } };
    await writeJsonAtomic(join(runDir, RUN_JSON), info);
  };
  for (const group of networks) {
    if (group.every((task) => info.tasks[task] === 'done')) {
      log(`${group.join(', ')}: already trained in this run`);
      continue;
    }
    await setStatus(group, 'training');
    const started = performance.now();
    const fitting = {
      heads: group.map((task) => ({ task, targets: targetsOf.get(task)! })),
      dataset,
      split,
      grouping,
      epochs: Math.max(...group.map(epochsOf)),
      resume: options.resume,
      shouldStop: options.shouldStop,
      // A resumed run keeps the thread count it was started with: the steps (and so the weights) of a
      // data-parallel run depend on it.
      ...(threads === undefined ? {} : { threads }),
      log,
    };
    const result: TrainNetworkResult & Partial<Pick<TrainEnsembleResult, 'members'>> = preset.members
      ? await trainEnsemble({ ...fitting, members: preset.members, seed, runDir, name: preset.name })
      : await trainNetwork({
          ...fitting,
          preset,
          seed,
          checkpointDir: checkpointDir(runDir, group.length === 1 ? group[0]! : 'shared'),
        });
    if (result.interrupted) return { runDir, interrupted: true, reports };
    // Wall time of this process's training; a resumed run's earlier part is only in the epochs' own
    // seconds, which the report then sums instead.
    const trainingSeconds = options.resume ? undefined : (performance.now() - started) / 1000;
    // The whole network runs once per pass for all its heads: validation before and after tempering,
    // then test (a head's own model would run the shared trunk again for each head).
    const temperatures = await temper(result, split.validation);
    const allTargets = result.heads.map((h) => h.targets);
    const feeder = result.heads[0]!.feeder;
    const validations =
      split.validation.length > 0
        ? await predictHeads(result.model, feeder, split.validation, allTargets)
        : undefined;
    const tests = await predictHeads(result.model, feeder, split.test, allTargets);
    for (const [h, head] of result.heads.entries()) {
      const { task, targets } = head;
      const temperature = temperatures[h];
      if (temperature !== undefined)
        log(
          `${task}: temperature ${temperature.toFixed(3)} (fitted on validation` +
            (!atSearchBound(temperature)
              ? ')'
              : `; at the end of the range searched: the model is far too ${temperature < 1 ? 'unsure' : 'sure'} of itself)`),
        );
      const validation: ValidationFigures | undefined = validations && {
        samples: split.validation.length,
        accuracy: validations[h]!.accuracy,
        loss: validations[h]!.loss,
      };
      const test = tests[h]!;
      const metrics: TaskMetrics = {
        ...computeTaskMetrics({
          task,
          labels: taskLabels(task, grouping),
          truth: Uint8Array.from(split.test, (r) => targets[r]!),
          probabilities: test.probabilities,
          loss: test.loss,
          demographics: demographicsOf(dataset, split.test, grouping),
          ...(temperature === undefined ? {} : { temperature }),
        }),
        ...(validation ? { validation } : {}),
        ...(untrained.has(task) ? { untrainedLabels: untrained.get(task)! } : {}),
      };
      await saveLayersModel(head.model, modelDir(runDir, task));
      const report: TaskReport = {
        task,
        history: head.history,
        metrics,
        ...(trainingSeconds === undefined ? {} : { trainingSeconds }),
        parameters: head.model.countParams(),
        trainSamples: split.train.length,
        validationSamples: split.validation.length,
        ...(group.length > 1 ? { sharedWith: group.filter((t) => t !== task) } : {}),
        ...(result.members ? { members: result.members.get(task) ?? [] } : {}),
      };
      await writeTaskArtifacts(runDir, report);
      reports.push(report);
      // An ensemble keeps each member at its own best epoch.
      const keptEpochs = report.members?.map((m) => m.keptEpoch) ?? [result.bestEpoch];
      const why = validation
        ? `lowest validation loss${keptEpochs.length > 1 ? ' of each member' : ''}`
        : 'the last: no validation part';
      log(
        `${task}: kept epoch${keptEpochs.length > 1 ? 's' : ''} ${keptEpochs.join(' and ')} (${why}); ` +
          (validation
            ? `validation accuracy ${(validation.accuracy * 100).toFixed(2)}%, loss ${validation.loss.toFixed(4)}; `
            : '') +
          `test accuracy ${(metrics.accuracy * 100).toFixed(2)}%, macro-F1 ${metrics.macroF1.toFixed(3)}`,
      );
    }
    if (group.length > 1 || preset.members) await saveLayersModel(result.model, sharedModelDir(runDir));
    await setStatus(group, 'done');
    result.model.dispose();
  }
  await writeRunReport(runDir, info, reports, {
    skipped: csv.skipped,
    split,
    command: trainCommand(info, runDir),
  });
  return { runDir, interrupted: false, reports };
}
