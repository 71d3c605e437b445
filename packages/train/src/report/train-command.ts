/**
 * The command line that reproduces a run, as its report and the model card give it: every setting
 * that changes the weights, with paths a shell reads back as they were.
 */
import { join, relative } from 'node:path';
import { TASKS } from '@facekit/core';
import { projectRoot } from '@facekit/core/node';
import { PRESETS } from '../presets.js';
import type { RunInfo } from '../run-folder.js';

/** A path as a command shows it: relative inside the project or beside it, absolute elsewhere. */
export function shownPath(path: string, root: string = projectRoot()): string {
  const rel = relative(root, path);
  return rel.startsWith(join('..', '..')) ? path : rel;
}

/** `word` as a POSIX shell reads it back: bare when it is plain, else in single quotes. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A path as a command's argument: shown as shownPath shows it (the project root as `.`), quoted for the shell. */
export function pathArg(path: string, root: string = projectRoot()): string {
  return shellWord(shownPath(path, root) || '.');
}

/** The `pnpm train` command line that makes `run` again, into `runDir`, from the data file it read. */
export function trainCommand(run: RunInfo, runDir: string, root: string = projectRoot()): string {
  const tasks = TASKS.filter((t) => run.tasks[t] !== undefined);
  const epochs = [...new Set(tasks.map((t) => run.epochs[t]))];
  const preset = PRESETS[run.preset];
  const parts = [
    'pnpm train',
    `--data ${pathArg(run.data.path, root)}`,
    `--preset ${shellWord(run.preset)}`,
    `--backend ${run.backend}`,
    `--seed ${run.seed}`,
  ];
  if (run.splitSeed !== undefined) parts.push(`--split-seed ${run.splitSeed}`);
  if (tasks.length < TASKS.length) parts.push(`--task ${tasks.join(',')}`);
  if (epochs.length === 1 && tasks.some((t) => preset?.fit(t).epochs !== epochs[0]))
    parts.push(`--epochs ${epochs[0]}`);
  if (run.testFraction !== 0.3) parts.push(`--test-fraction ${run.testFraction}`);
  if (run.validationFraction !== 0.1) parts.push(`--validation-fraction ${run.validationFraction}`);
  if (run.ageGrouping !== 'six') parts.push(`--age-grouping ${run.ageGrouping}`);
  // Threads split each batch differently, and so round differently: the count asked for is kept.
  if (run.threads !== undefined) parts.push(`--threads ${run.threads}`);
  // Without it the run stops at the first bad row the original passed over.
  if (run.data.skippedRows > 0) parts.push('--skip-invalid');
  parts.push(`--out ${pathArg(runDir, root)}`);
  return parts.join(' ');
}
