/**
 * The parity report as markdown (tests/artifacts/parity-report.md): the runtimes and why any was
 * skipped, a runtime × runtime table of the largest probability difference and of argmax agreement,
 * the per-task figures of every pair, and per-face latency of all the models together; then the face
 * detector: per pair the largest score and box differences and whether the faces found are the same,
 * and per runtime the latency of one detector run.
 */
import type { Task } from '@facekit/core';
import type { DetectorInputs } from '../support/detector-inputs.js';
import {
  COLD_RUNS,
  detectedSquares,
  summarize,
  type LatencySummary,
  type DetectorPairResult,
  type PairResult,
  type RuntimeRecord,
} from './pairs.js';

export interface ReportInput {
  readonly models: string;
  readonly inputs: string;
  readonly count: number;
  readonly singles: number;
  readonly tasks: readonly Task[];
  readonly records: readonly RuntimeRecord[];
  readonly pairs: readonly PairResult[];
  /** The face detector: what was compared (or why not), its inputs and pairs. */
  readonly detector?: {
    readonly source: string;
    readonly inputs?: DetectorInputs;
    readonly pairs?: readonly DetectorPairResult[];
  };
}

function detectorSection(r: ReportInput): string[] {
  const d = r.detector;
  if (!d) return [];
  if (!d.inputs || !d.pairs) return ['## Face detector', '', `Not compared: ${d.source}.`, ''];
  const { inputs, pairs } = d;
  const reference = r.records.find((x) => x.status === 'ran' && x.detector);
  const found = reference
    ? inputs.names.map((name, i) => `${name}: ${detectedSquares(reference.detector!, inputs, i).length}`)
    : [];
  const latency = r.records.flatMap((x) => {
    if (!x.detectorLatency?.timed.length) return [];
    const s = summarize(x.detectorLatency);
    return [`| ${x.name} | ${s.median.toFixed(2)} | ${s.p95.toFixed(2)} | ${s.runs} | ${warmUpCell(s)} |`];
  });
  return [
    '## Face detector',
    '',
    `- Model: ${d.source}`,
    `- Inputs: ${inputs.count} (${inputs.source}), one at a time (its input is [1, 256, 256, 3])`,
    '- Pass rule: max |Δscore| ≤ 5e-5 and max |Δbox| ≤ 2e-3 px over all 896 anchors between float32 CPU runtimes (5e-4 and 1e-2 px with a GPU runtime), and `readDetections` gives the same faces (count, crops) for every input',
    ...(reference ? [`- Faces found (${reference.name}): ${found.join('; ')}`] : []),
    '',
    '| pair | max \\|Δscore\\| | max \\|Δbox\\| px | faces identical | |',
    '|---|---|---|---|---|',
    ...pairs.map(
      (p) =>
        `| ${p.a} ↔ ${p.b} | ${sci(p.maxScoreDiff)} | ${sci(p.maxBoxDiff)} | ${p.squaresDiffer.length === 0 ? `yes (${p.faces} faces)` : `no: ${p.squaresDiffer.join(', ')}`} | ${p.ok ? '' : '✗'} |`,
    ),
    '',
    ...(latency.length
      ? [
          '### Latency: one detector run (256×256, batch 1)',
          '',
          `| runtime | median ms | p95 ms | runs | warm-up runs (median of the first ${COLD_RUNS}) |`,
          '|---|---|---|---|---|',
          ...latency,
          '',
        ]
      : []),
  ];
}

const warmUpCell = (s: LatencySummary) => `${s.warmUpRuns} (${s.cold.toFixed(2)} ms)`;
const sci = (x: number) => (x === 0 ? '0' : x.toExponential(1));
const pct = (ok: number, all: number) => `${((100 * ok) / all).toFixed(ok === all ? 0 : 2)}% (${ok}/${all})`;

function matrix(
  names: readonly string[],
  pairs: readonly PairResult[],
  cell: (p: PairResult) => string,
): string[] {
  const find = (a: string, b: string) =>
    pairs.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a));
  const lines = [`| | ${names.join(' | ')} |`, `|---|${names.map(() => '---').join('|')}|`];
  for (const a of names)
    lines.push(`| **${a}** | ${names.map((b) => (a === b ? '—' : cell(find(a, b)!))).join(' | ')} |`);
  return lines;
}

export function parityMarkdown(r: ReportInput): string {
  const ran = r.records.filter((x) => x.status === 'ran').map((x) => x.name);
  const failed = r.pairs.filter((p) => !p.ok);
  const broken = r.records.filter((x) => x.status === 'failed').map((x) => x.name);
  const skipped = r.records.filter((x) => x.status === 'skipped').map((x) => x.name);
  const some = (n: number) => `${n} runtime${n > 1 ? 's' : ''}`;
  const verdict = [
    failed.length === 0
      ? `all ${r.pairs.length} pairs agree`
      : `${failed.length} of ${r.pairs.length} pairs disagree`,
    ...(broken.length ? [`${some(broken.length)} failed (${broken.join(', ')})`] : []),
    // A pass over fewer runtimes says so where the verdict is read.
    ...(skipped.length ? [`${some(skipped.length)} skipped (${skipped.join(', ')})`] : []),
    ...(r.detector?.pairs
      ? [
          r.detector.pairs.every((p) => p.ok)
            ? `face detector: all ${r.detector.pairs.length} pairs agree`
            : `face detector: ${r.detector.pairs.filter((p) => !p.ok).length} of ${r.detector.pairs.length} pairs disagree`,
        ]
      : []),
  ].join('; ');
  const lines = [
    '# Cross-runtime parity report',
    '',
    `Generated ${new Date().toISOString()}.`,
    '',
    `- Models: ${r.models}`,
    `- Inputs: ${r.count} (${r.inputs}); every input in batches of 64, ${r.singles > 0 ? `the first ${r.singles} also one at a time` : 'none one at a time'}`,
    `- Pass rule: max |Δp| ≤ 1e-5 between float32 CPU runtimes (1e-4 with a GPU runtime), identical argmax; every runtime that can load the models runs`,
    `- Verdict: **${verdict}**`,
    '',
    '## Runtimes',
    '',
    '| runtime | status | batch 1 vs 64, max \\|Δp\\| | details |',
    '|---|---|---|---|',
    ...r.records.map(
      (x) =>
        `| ${x.name} | ${x.status} | ${x.batchOneDiff === undefined ? '' : sci(x.batchOneDiff)} | ${x.detail.replace(/\|/g, '\\|')} |`,
    ),
    '',
    '## Largest probability difference (all tasks)',
    '',
    ...matrix(ran, r.pairs, (p) => `${sci(p.maxAbsDiff)}${p.ok ? '' : ' ✗'}`),
    '',
    '## Argmax agreement (all tasks)',
    '',
    ...matrix(ran, r.pairs, (p) => pct(p.samples - p.argmaxMismatches, p.samples)),
    '',
    '## Per task',
    '',
    `| pair | ${r.tasks.map((t) => `${t} max \\|Δp\\|`).join(' | ')} | argmax agreement |`,
    `|---|${r.tasks.map(() => '---').join('|')}|---|`,
    ...r.pairs.map(
      (p) =>
        `| ${p.a} ↔ ${p.b} | ${r.tasks.map((t) => sci(p.perTask.get(t)!.maxAbsDiff)).join(' | ')} | ${pct(p.samples - p.argmaxMismatches, p.samples)} |`,
    ),
    '',
    '## Latency: one face through all models (batch 1)',
    '',
    `| runtime | median ms | p95 ms | mean ms | faces | warm-up runs (median of the first ${COLD_RUNS}) |`,
    '|---|---|---|---|---|---|',
    ...r.records.flatMap((x) => {
      if (!x.latency?.timed.length) return [];
      const s = summarize(x.latency);
      return [
        `| ${x.name} | ${s.median.toFixed(2)} | ${s.p95.toFixed(2)} | ${s.mean.toFixed(2)} | ${s.runs} | ${warmUpCell(s)} |`,
      ];
    }),
    '',
    "Each runtime is timed after a warm-up (`pnpm parity --warm-up`): V8 runs WebAssembly from its baseline compiler at first and swaps in optimised code, compiled in the background, once it is hot — a few seconds into a page's or process's life. The last column says how long the warm-up was and what its first runs took (in Chromium the classifiers are timed after the detector, in the same WebAssembly module, so theirs start partly warm).",
    "Chromium's parity page is not cross-origin isolated (the demo's is, for ?threads=; both run wasm on one thread), so its timer moves in 100 µs steps: its figures are good to ±0.1 ms.",
    '',
    ...detectorSection(r),
  ];
  return lines.join('\n');
}
