/**
 * models/MODEL_CARD.md: what a person needs before using the shipped models — intended use, the
 * data and its licence (UTKFace: non-commercial research only), test metrics overall and per
 * ethnicity × gender group, per task the confusion matrix, accuracy per ethnicity × gender × age
 * group and calibration (see model-card-tasks.ts), accuracy on the test faces changed one way at a
 * time (robustness), how the files were verified, limits, and the command that reproduces them.
 */
import { basename } from 'node:path';
import { manifestTasks, type Manifest, type ManifestModel, type Task } from '@facekit/core';
import { mdTable, PRESETS, type RunInfo, type TaskMetrics } from '@facekit/train';
import type { RobustnessRow } from '../robustness/measure.js';
import type { SplitSizes } from '../run/read-run.js';
import type { VerificationReport } from '../verify/verify.js';
import { ethnicityGenderTable, pct, taskDetails, type TaskFigures } from './model-card-tasks.js';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

const WHAT: Record<Task, string> = {
  age: 'an age group',
  ethnicity: 'an ethnicity category',
  gender: 'a gender category',
};

/** "a, b and c". */
const listed = (items: readonly string[]) =>
  items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

/** The split in words, with the faces each part came to (a small file may leave no validation part). */
function splitLine(run: RunInfo, sizes: ModelCardInput['split']): string {
  const duplicates = `identical images kept on one side (${run.data.duplicateRows} duplicate rows in the file)`;
  if (!sizes)
    return `Split: ${pct(run.testFraction)} held-out test part (metrics below), ${run.validationFraction === 0 ? 'no validation part' : `${pct(run.validationFraction)} of the rest for validation`}; ${duplicates}.`;
  const validation =
    sizes.validation > 0
      ? `${pct(run.validationFraction)} of the other faces for validation (${sizes.validation} faces)`
      : `no validation part (${run.validationFraction === 0 ? 'none was asked for' : `${pct(run.validationFraction)} of each stratum came to no faces`}): the last epoch was kept and no temperature fitted`;
  return `Split: ${pct(run.testFraction)} held-out test part (${sizes.test} faces; metrics below), ${validation}, ${sizes.train} for training; ${duplicates}.`;
}

/** The network's description, and the epochs trained where they are not the preset's. */
function networkLines(run: RunInfo, tasks: readonly Task[]): string[] {
  const preset = PRESETS[run.preset];
  if (!preset) return [];
  const epochs = (n: number) => `${n} epoch${n === 1 ? '' : 's'}`;
  const differ = tasks.filter((t) => run.epochs[t] !== undefined && run.epochs[t] !== preset.fit(t).epochs);
  const trained = new Set(differ.map((t) => run.epochs[t]));
  const note = !differ.length
    ? ''
    : ` **This run trained ${trained.size === 1 ? epochs(run.epochs[differ[0]!]!) : listed(differ.map((t) => `${t} ${epochs(run.epochs[t]!)}`))}**, not the preset's ${preset.fit(differ[0]!).epochs}.`;
  return [`Network (preset \`${run.preset}\`): ${preset.description}${note}`, ''];
}

/** A sentence per file that several tasks share: one run answers them all; size and parameters are the file's. */
function sharedFiles(tasks: readonly Task[], manifest: Manifest): string[] {
  const byFile = new Map<string, Task[]>();
  for (const t of tasks)
    byFile.set(manifest.models[t]!.file, [...(byFile.get(manifest.models[t]!.file) ?? []), t]);
  return [...byFile]
    .filter(([, group]) => group.length > 1)
    .flatMap(([file, group]) => [
      `${group.join(', ')} share \`${file}\`: one network with an output per task, so one run of the file answers all of them (its size and parameters are the whole network's).`,
      '',
    ]);
}

function inputLine(entry: ManifestModel): string {
  const { name, dtype, shape } = entry.input;
  return `Input \`${name}\`: ${dtype} \`[${shape.join(', ')}]\`, whole grey levels / 255.`;
}

/**
 * Whether each task's output has a temperature folded in, from this run's metrics; a task kept from an
 * earlier export has none at hand here, and is pointed to that export's card.
 */
function outputsLine(tasks: readonly Task[], manifest: Manifest, metrics: ModelCardInput['metrics']): string {
  const names = [...new Set(tasks.map((t) => manifest.models[t]!.output.name))];
  const tempered = tasks.filter((t) => metrics[t]?.temperature !== undefined);
  const untempered = tasks.filter((t) => metrics[t] && metrics[t]!.temperature === undefined);
  const unknown = tasks.filter((t) => !metrics[t]);
  const applied =
    tempered.length === tasks.length
      ? 'softmax and temperature applied'
      : untempered.length === tasks.length
        ? 'softmax applied; no temperature was fitted'
        : [
            'softmax applied',
            ...(tempered.length ? [`the fitted temperature for ${listed(tempered)}`] : []),
            ...(untempered.length ? [`none was fitted for ${listed(untempered)}`] : []),
            ...(unknown.length ? [`for ${listed(unknown)} see the card of the export that kept it`] : []),
          ].join('; ');
  const final = `final probabilities in the order of the labels above (${applied})`;
  return names.length === 1
    ? `Output \`${names[0]}\`: \`[N, K]\`, ${final}.`
    : `Outputs ${names.map((n) => `\`${n}\``).join(', ')}: each \`[N, K]\` for its task, ${final}.`;
}

/** What the run's training changed faces by, to read the robustness table against. */
function augmentationSentence(run: RunInfo, task: Task | undefined): string {
  const a = task && PRESETS[run.preset]?.fit(task).augment;
  if (!a)
    return 'Training did not change the faces (no augmentation), so every row below is a change it never showed the models.';
  const parts = [
    a.flip > 0 ? 'mirrored' : undefined,
    a.shift > 0 ? `shifted by up to ${a.shift} px` : undefined,
    a.scale > 0 ? `zoomed by up to ±${Math.round(a.scale * 100)} %` : undefined,
    a.brightness > 0
      ? `brightened or darkened by up to ${Math.round(a.brightness * 255)} grey levels`
      : undefined,
    a.contrast > 0 ? `given up to ±${Math.round(a.contrast * 100)} % contrast` : undefined,
    a.rotate ? `turned by up to ${a.rotate}°` : undefined,
    a.blur ? `${Math.round(a.blur * 100)} % of them at half resolution` : undefined,
    a.noise ? `with noise of σ up to ${Math.round(a.noise * 255)} grey levels` : undefined,
    a.erase ? `${Math.round(a.erase * 100)} % of them with a rectangle painted over` : undefined,
  ].filter((p) => p !== undefined);
  return `Training showed the models faces ${parts.join(', ')} (preset \`${run.preset}\`); larger changes${a.rotate ? '' : ', and turns,'} are ones it did not teach.`;
}

export interface ModelCardInput {
  readonly manifest: Manifest;
  readonly run: RunInfo;
  readonly metrics: Partial<Record<Task, TaskMetrics>>;
  /** This export's verification reports (tasks kept from an earlier export show the manifest's figures). */
  readonly verifications: Partial<Record<Task, VerificationReport>>;
  /** The command lines that reproduce the run and this export. */
  readonly commands: readonly string[];
  /** Faces in each part of the run's split (split.json); absent for a run without one. */
  readonly split?: SplitSizes;
  /** Figures this export copied beside each task's model (`<task>/confusion.svg`, …); only these are embedded. */
  readonly figures?: TaskFigures;
  /** Accuracy of the ONNX files on changed test faces (measure.ts), or why it was not measured. */
  readonly robustness?: readonly RobustnessRow[] | string;
}

/** An accuracy in tenths of a point, as `pct` shows it. */
const shownTenths = (x: number) => Math.round(Number.parseFloat(pct(x)) * 10);

/** Per change, each task's accuracy and its difference from the unchanged faces (the first row). */
function robustnessSection(
  tasks: readonly Task[],
  robustness: readonly RobustnessRow[] | string | undefined,
  augmentation: string,
): string[] {
  const lines = ['## Robustness: the test faces changed one way at a time', ''];
  if (robustness === undefined || typeof robustness === 'string')
    return [...lines, `Not measured by this export${robustness ? `: ${robustness}` : ''}.`, ''];
  const [plain] = robustness;
  const cell = (row: RobustnessRow, t: Task) => {
    const a = row.accuracy[t];
    if (a === undefined) return '—';
    if (row === plain) return pct(a);
    // The difference of the two figures as shown, so that a reader's own subtraction agrees with it.
    const delta = (shownTenths(a) - shownTenths(plain!.accuracy[t]!)) / 10;
    return `${pct(a)} (${delta > 0 ? '+' : delta < 0 ? '−' : '±'}${Math.abs(delta).toFixed(1)})`;
  };
  return [
    ...lines,
    "What a face from elsewhere tends to differ in, simulated on this run's test faces and answered by the ONNX files in onnxruntime-node; the last two rows are what saving a photo does (JPEG, written by sharp), the last through the server's own decoding and reduction of an upload. The first row is the test accuracy read through the ONNX file; the others show accuracy and its change in points.",
    '',
    augmentation,
    '',
    mdTable(
      ['change', ...tasks],
      robustness.map((row) => [row.name, ...tasks.map((t) => cell(row, t))]),
      [false, ...tasks.map(() => true)],
    ),
    '',
  ];
}

export function modelCard(input: ModelCardInput): string {
  const { manifest, run, metrics, verifications, commands, figures = {} } = input;
  const tasks = manifestTasks(manifest);
  // Tasks an export of fewer tasks left in place: their entries, and their test figures, are another run's.
  const keptFrom = (t: Task) => {
    const runId = manifest.models[t]!.training.runId;
    return runId === run.runId ? undefined : runId;
  };
  const kept = tasks.filter((t) => keptFrom(t) !== undefined);
  // The tasks this run trained (and this export wrote).
  const own = tasks.filter((t) => keptFrom(t) === undefined);
  const keptLine = (t: Task) =>
    `Kept from run \`${keptFrom(t)}\` by an earlier export: this table is in the card that export wrote.`;
  const lines = [
    '# Model card: facekit face-attribute models',
    '',
    `Generated by \`pnpm export\` on ${manifest.createdAt} from training run \`${run.runId}\` (preset \`${run.preset}\`, backend \`${run.backend}\`, seed ${run.seed}).`,
    ...kept.map(
      (t) =>
        `The ${t} model was kept from run \`${keptFrom(t)}\` (preset \`${manifest.models[t]!.training.preset}\`): its test figures below are that run's, from the manifest; the data, split and commands here are run \`${run.runId}\`'s.`,
    ),
    '',
    '## Intended use',
    '',
    `Small CNNs that estimate ${listed(tasks.map((t) => WHAT[t]))} from a 48×48 grey face crop.`,
    'They exist to demonstrate and test a TypeScript training → ONNX → server/browser pipeline, and for non-commercial research and teaching.',
    'They are **not** for decisions about people (hiring, access, policing, credit, medical or legal use), not for identifying anyone, and not for commercial use.',
    '',
    '## Data and licence',
    '',
    `Trained on \`${basename(run.data.path)}\`: ${run.data.rows} rows of 48×48 grey faces${run.data.skippedRows > 0 ? ` (${run.data.skippedRows} invalid rows passed over)` : ''}, sha256 \`${run.data.sha256}\`, in the layout of Kaggle's "Age, gender and ethnicity (face data) CSV", whose faces are **UTKFace**'s (Zhang, Song and Qi, 2017).`,
    'UTKFace is released for **non-commercial research purposes only**; models trained on its faces are derived from it and inherit that limit (a file of other faces carries its own licence).',
    splitLine(run, input.split),
    '',
    '## Models',
    '',
    ...networkLines(run, own),
    '| task | labels | file | size | parameters | test accuracy | macro-F1 | ECE | test samples |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|',
    ...tasks.map((t) => {
      const e = manifest.models[t]!;
      // A kept task's figures are in its manifest entry, written by the export that made it.
      const m: Partial<Record<'accuracy' | 'macroF1' | 'expectedCalibrationError' | 'samples', number>> =
        metrics[t] ?? e.metrics;
      return `| ${t} | ${e.labels.join(', ')} | \`${e.file}\` | ${kb(e.bytes)} | ${e.parameters ?? '—'} | ${pct(m.accuracy)} | ${m.macroF1?.toFixed(3) ?? '—'} | ${pct(m.expectedCalibrationError)} | ${m.samples ?? '—'} |`;
    }),
    '',
    ...sharedFiles(tasks, manifest),
    inputLine(manifest.models[tasks[0]!]!) +
      ` ${outputsLine(tasks, manifest, metrics)} ONNX opset ${manifest.models[tasks[0]!]!.opset}.`,
    '',
    '## Accuracy per ethnicity × gender group (test part)',
    '',
  ];
  for (const t of tasks) {
    const m = metrics[t];
    const missing = keptFrom(t) ? keptLine(t) : 'No metrics.json in the run for this task.';
    lines.push(`### ${t}`, '', ...(m ? ethnicityGenderTable(m) : [missing]), '');
  }
  lines.push('## Confusion matrices, accuracy by age group and calibration (test part)', '');
  for (const t of tasks)
    lines.push(...(keptFrom(t) ? [`### ${t}`, '', keptLine(t), ''] : taskDetails(t, metrics[t], figures)));
  lines.push(...robustnessSection(tasks, input.robustness, augmentationSentence(run, tasks[0])));
  lines.push(
    '## Verification of the ONNX files',
    '',
    'Every export runs the tfjs source (cpu backend) and onnxruntime-node on the same inputs (real faces from the data file plus black, white and noise images) and fails if any probability differs by more than the tolerance or any argmax differs; each file is also loaded and run in onnxruntime-web (wasm).',
    '',
    '| task | distinct samples (faces + synthetic) | max abs diff | argmax agreement | onnxruntime-web max abs diff |',
    '|---|---:|---:|---:|---:|',
    ...tasks.map((t) => {
      const v = manifest.models[t]!.verification;
      const fresh = verifications[t];
      const samples = fresh
        ? `${v.samples} (${fresh.realSamples} + ${fresh.syntheticSamples})`
        : `${v.samples}`;
      const web = fresh?.web ? fresh.web.maxAbsDiff.toExponential(2) : 'see manifest';
      return `| ${t} | ${samples} | ${v.maxAbsDiff.toExponential(2)} | ${pct(v.argmaxAgreement)} | ${web} |`;
    }),
    '',
    '## Limits',
    '',
    '- Labels are the dataset\'s annotations, not self-identification: ethnicity is five coarse categories (with a catch-all "Others"), gender is binary; neither describes people who do not fit them.',
    '- Accuracy differs between groups (table above); groups with few test faces have wide uncertainty. The data over-represents some groups and ages.',
    `- Test metrics come from the same distribution as training (aligned, cropped UTKFace photos). Faces that are unaligned, occluded, small, strongly lit or from other sources will do worse: ${Array.isArray(input.robustness) ? 'the robustness table above measures how much for several such changes, one at a time' : 'this export did not measure how much (see Robustness)'}.`,
    "- In a whole photo (the server's `classifyFaces`, the web demo, `pnpm classify`) a face detector (BlazeFace, `face-detector.onnx`) chooses the square first: a face it misses gets no answer, and its square, a little off the training crops' framing, costs some accuracy. The README's \"Face detector\" section measures both (`pnpm bench:detection`).",
    ...own.flatMap((t) => {
      const absent = metrics[t]?.untrainedLabels ?? [];
      return absent.length
        ? [
            `- **${t}: the training part had no faces of ${listed(absent)}**: the model never learnt ${absent.length === 1 ? 'it' : 'them'}, and the test figures say nothing about ${absent.length === 1 ? 'it' : 'them'}.`,
          ]
        : [];
    }),
    '- Age is predicted as a group; neighbouring groups are confused most. ECE (expected calibration error of the top-class confidence, test part) says how far confidences can be taken at face value.',
    '',
    '## Reproduce',
    '',
    `Data: the CSV with sha256 \`${run.data.sha256}\` (${run.data.rows} rows). Training on another backend or machine gives slightly different weights; the export is deterministic for given weights.`,
    '',
    '```sh',
    ...commands,
    '```',
    '',
  );
  return lines.join('\n');
}
