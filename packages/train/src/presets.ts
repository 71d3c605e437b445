/**
 * Training presets: a network per task plus how to fit it. Adding a preset means adding one entry to
 * PRESETS: a builder per task and the fitting settings. `seed` is exactly the original study's three
 * networks (38,230 / 2,981 / 673 parameters).
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, taskClassCount, type AgeGrouping, type Task } from '@facekit/core';
import type { AugmentOptions } from './data/augment.js';
import { combineMembers } from './ensemble.js';
import { compactPresets } from './presets-compact.js';
import type { LearningRateSchedule } from './schedule.js';

export interface FitSettings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Training-batch augmentation (none when absent). */
  readonly augment?: AugmentOptions;
  /** Label smoothing ε for softmax heads. */
  readonly labelSmoothing?: number;
  /** Class weights (mean count / count)^power from the training part; absent: unweighted. */
  readonly classWeightPower?: number;
  /** Learning-rate schedule over the epochs (constant when absent); see schedule.ts. */
  readonly schedule?: LearningRateSchedule;
  /** Stop after this many epochs without a lower validation loss (never when absent). */
  readonly patience?: number;
  /**
   * Mixup's α (data/mixup.ts): each training face and its targets blended with another face of the
   * batch by λ ~ Beta(α, α); no mixing when absent. Training accuracy is then read against the blend.
   */
  readonly mixup?: number;
  /** Adam (the default) or SGD with Nesterov momentum 0.9 (nesterov-sgd.ts). */
  readonly optimizer?: 'adam' | 'sgd';
  /**
   * Weight decay of the kernels. With Adam, decoupled (AdamW, adamw.ts): per step, × (1 − rate × decay);
   * with SGD, an L2 term: `decay × kernel` added to the kernel's gradient.
   */
  readonly weightDecay?: number;
  /**
   * Soft age targets (data/age-spread.ts): a face labelled a years trains towards the groups' shares
   * of a Gaussian around a with σ = max(1 year, ageSpread · a), not one-hot; one-hot when absent.
   */
  readonly ageSpread?: number;
  /**
   * Decay per step of a moving average of the weights (weight-average.ts), which is then validated,
   * kept and shipped instead of the last step's weights; no average when absent.
   */
  readonly weightAverage?: number;
  /**
   * A shared network's loss weight per task: the loss trained on is each head's loss times its weight
   * (1 when absent), summed. Early stopping and the kept epoch still read the plain sum of the
   * validation losses, so runs stay comparable. No effect on one-task networks.
   */
  readonly taskWeights?: Partial<Record<Task, number>>;
}

export interface Preset {
  readonly name: string;
  readonly description: string;
  /**
   * A fresh, uncompiled network for `task`, its initial weights drawn from `seed`. Its output is
   * softmax over the labels, or one sigmoid unit for gender.
   */
  build(task: Task, grouping: AgeGrouping, seed?: number): tf.Sequential;
  /**
   * Present on presets that train their tasks together: one network, a trunk shared by one head per
   * task (outputs in `tasks` order, each as `build` would end), exported as one ONNX file with an
   * output per task.
   */
  buildShared?(tasks: readonly Task[], grouping: AgeGrouping, seed?: number): tf.LayersModel;
  /** The fitting settings; a shared preset's are the same for every task. */
  fit(task: Task): FitSettings;
  /**
   * Present on ensemble presets: the member networks, trained one after the other on the same tasks
   * (member k with seed + k), then joined into one network (ensemble.ts).
   */
  readonly members?: readonly MemberSpec[];
}

export interface MemberSpec {
  /** The member's (shared) preset. */
  readonly preset: string;
  /** Also averaged over the mirrored face once joined (test-time flip averaging; no training cost). */
  readonly mirrored?: boolean;
}

/**
 * Seeds for a network's initial weights, one per layer in build order, so `--seed` makes them
 * reproducible. Without a seed, tfjs draws them from Math.random.
 */
export function layerSeeds(seed: number | undefined): () => { seed?: number } {
  let next = seed === undefined ? undefined : seed * 1009;
  return () => (next === undefined ? {} : { seed: next++ });
}

const glorot = (s: { seed?: number }) => ({ kernelInitializer: tf.initializers.glorotUniform(s) });

const conv = (seeds: () => { seed?: number }, filters: number, first = false) =>
  tf.layers.conv2d({
    filters,
    kernelSize: 3,
    padding: 'same',
    activation: 'relu',
    ...glorot(seeds()),
    ...(first ? { inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1] } : {}),
  });
const pool = () => tf.layers.maxPooling2d({ poolSize: 2, strides: 2 });

const seed: Preset = {
  name: 'seed',
  description: "The original study's three small CNNs: Conv-Pool-Conv-Pool-Dense, Adam 1e-3, 25 epochs.",
  build(task, grouping, seed) {
    const seeds = layerSeeds(seed);
    const model = tf.sequential({ name: `${task}_seed` });
    switch (task) {
      case 'age':
        model.add(conv(seeds, 8, true));
        model.add(pool());
        model.add(conv(seeds, 16));
        model.add(pool());
        model.add(tf.layers.flatten());
        model.add(tf.layers.dense({ units: 16, activation: 'relu', ...glorot(seeds()) }));
        // No seed for dropout: tfjs would then draw the same mask at every step.
        model.add(tf.layers.dropout({ rate: 0.3 }));
        model.add(
          tf.layers.dense({
            units: taskClassCount('age', grouping),
            activation: 'softmax',
            ...glorot(seeds()),
          }),
        );
        break;
      case 'ethnicity':
      case 'gender':
        model.add(conv(seeds, 2, true));
        model.add(pool());
        model.add(conv(seeds, 4));
        model.add(pool());
        model.add(tf.layers.flatten());
        model.add(
          task === 'ethnicity'
            ? tf.layers.dense({
                units: taskClassCount('ethnicity'),
                activation: 'softmax',
                ...glorot(seeds()),
              })
            : tf.layers.dense({ units: 1, activation: 'sigmoid', ...glorot(seeds()) }),
        );
        break;
    }
    return model;
  },
  fit: (task) => ({ epochs: 25, batchSize: task === 'age' ? 128 : 32, learningRate: 1e-3 }),
};

/** An ensemble of `members` (shared presets), built untrained for a look at its graph (bench:latency). */
function ensemblePreset(name: string, description: string, members: readonly MemberSpec[]): Preset {
  const first = () => getPreset(members[0]!.preset);
  return {
    name,
    description,
    members,
    build: () => {
      throw new Error(`${name} is an ensemble: it is built from its trained members (see combineMembers)`);
    },
    buildShared: (tasks, grouping, seed = 0) =>
      combineMembers(
        members.map((m, k) => ({
          model: getPreset(m.preset).buildShared!(tasks, grouping, seed + k),
          mirrored: m.mirrored ?? false,
        })),
        tasks,
        name.replace(/-/g, '_'),
      ),
    fit: (task) => first().fit(task),
  };
}

/** The ensembles of shared presets (the default among them), each joined into one network. */
const ENSEMBLE_PRESETS: readonly Preset[] = [
  ensemblePreset(
    'shared-ensemble',
    'shared-deep and shared-flat trained one after the other (seeds s and s + 1) and joined into one network that averages their logits per task; one ONNX file.',
    [{ preset: 'shared-deep' }, { preset: 'shared-flat' }],
  ),
  ensemblePreset(
    'shared-ensemble-flip',
    'shared-ensemble whose shared-flat member also answers for the mirrored face (test-time flip averaging at a quarter of the cost of flipping both); trained exactly as shared-ensemble.',
    [{ preset: 'shared-deep' }, { preset: 'shared-flat', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-wd',
    'shared-ensemble-flip whose members train with decoupled weight decay (shared-deep-wd + shared-flat-wd mirrored; ablation).',
    [{ preset: 'shared-deep-wd' }, { preset: 'shared-flat-wd', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-mix',
    'shared-ensemble-flip whose members train with mixup α = 0.2 (shared-deep-mix + shared-flat-mix mirrored; ablation).',
    [{ preset: 'shared-deep-mix' }, { preset: 'shared-flat-mix', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-deepmix',
    'shared-ensemble-flip whose larger member alone trains with mixup α = 0.2 (shared-deep-mix + shared-flat mirrored; ablation).',
    [{ preset: 'shared-deep-mix' }, { preset: 'shared-flat', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-robust',
    'shared-ensemble-flip whose members train on faces changed as faces from elsewhere differ: larger shifts and zooms, turns, half resolution, noise (shared-deep-robust + shared-flat-robust mirrored).',
    [{ preset: 'shared-deep-robust' }, { preset: 'shared-flat-robust', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-noise',
    'shared-ensemble-flip whose members also train on faces with sensor noise (σ up to 0.03) added (shared-deep-noise + shared-flat-noise mirrored).',
    [{ preset: 'shared-deep-noise' }, { preset: 'shared-flat-noise', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-erase',
    'shared-ensemble-flip whose members train with random erasing (shared-deep-erase + shared-flat-erase mirrored; ablation).',
    [{ preset: 'shared-deep-erase' }, { preset: 'shared-flat-erase', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-deeperase',
    'shared-ensemble-flip whose larger member alone trains with random erasing (shared-deep-erase + shared-flat mirrored; ablation).',
    [{ preset: 'shared-deep-erase' }, { preset: 'shared-flat', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-wideerase',
    'shared-ensemble-flip whose larger member is widened and trains with random erasing (shared-deep-wide-erase + shared-flat mirrored; ablation).',
    [{ preset: 'shared-deep-wide-erase' }, { preset: 'shared-flat', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-widenoise',
    'shared-ensemble-flip-wideerase whose members also train on faces with sensor noise (σ up to 0.03): shared-deep-wide-erase-noise + shared-flat-noise mirrored.',
    [{ preset: 'shared-deep-wide-erase-noise' }, { preset: 'shared-flat-noise', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-soft',
    'shared-ensemble-flip whose members train age towards soft targets near group boundaries (shared-deep-soft + shared-flat-soft mirrored; ablation).',
    [{ preset: 'shared-deep-soft' }, { preset: 'shared-flat-soft', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-widesoft',
    'shared-ensemble-flip-wideerase with soft age targets in both members (shared-deep-wide-erase-soft + shared-flat-soft mirrored; ablation).',
    [{ preset: 'shared-deep-wide-erase-soft' }, { preset: 'shared-flat-soft', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-widesoft-deepnoise',
    'shared-ensemble-flip-widesoft whose larger member alone also trains on faces with sensor noise (shared-deep-wide-erase-soft-noise + shared-flat-soft mirrored; ablation).',
    [{ preset: 'shared-deep-wide-erase-soft-noise' }, { preset: 'shared-flat-soft', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-widesoft-noise',
    'shared-ensemble-flip-widesoft whose members also train on faces with sensor noise, for photos from other pipelines (shared-deep-wide-erase-soft-noise + shared-flat-soft-noise mirrored).',
    [{ preset: 'shared-deep-wide-erase-soft-noise' }, { preset: 'shared-flat-soft-noise', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-ema',
    'shared-ensemble-flip whose members keep a moving average of their weights (shared-deep-ema + shared-flat-ema mirrored; ablation).',
    [{ preset: 'shared-deep-ema' }, { preset: 'shared-flat-ema', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-sgd',
    'shared-ensemble-flip whose members train with Nesterov SGD instead of Adam (shared-deep-sgd + shared-flat-sgd mirrored; ablation).',
    [{ preset: 'shared-deep-sgd' }, { preset: 'shared-flat-sgd', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-early',
    'shared-ensemble-flip whose mirrored member has twice the filters in its two full-resolution stages (shared-deep + shared-flat-early mirrored; ablation).',
    [{ preset: 'shared-deep' }, { preset: 'shared-flat-early', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-early-soft',
    'shared-ensemble-flip-early with soft age targets in both members (shared-deep-soft + shared-flat-early-soft mirrored; ablation).',
    [{ preset: 'shared-deep-soft' }, { preset: 'shared-flat-early-soft', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-deepearly',
    'shared-ensemble-flip whose larger member has twice the filters in its two full-resolution stages (shared-deep-early + shared-flat mirrored; ablation).',
    [{ preset: 'shared-deep-early' }, { preset: 'shared-flat', mirrored: true }],
  ),
  ensemblePreset(
    'shared-ensemble-flip-sep',
    'shared-ensemble-flip plus a third member with separable convs, shared-sep-wide (ablation).',
    [{ preset: 'shared-deep' }, { preset: 'shared-flat', mirrored: true }, { preset: 'shared-sep-wide' }],
  ),
  ensemblePreset(
    'shared-ensemble-aug',
    'shared-ensemble with stronger augmentation for its larger member (shared-deep-aug + shared-flat; ablation).',
    [{ preset: 'shared-deep-aug' }, { preset: 'shared-flat' }],
  ),
];

export const PRESETS: Readonly<Record<string, Preset>> = {
  seed,
  ...Object.fromEntries([...compactPresets(), ...ENSEMBLE_PRESETS].map((p) => [p.name, p])),
};

export const DEFAULT_PRESET = 'shared-ensemble-flip';

/**
 * Presets kept as the measured ablation (packages/train/bench/ACCURACY.md) rather than offered for use:
 * their descriptions end "(…; ablation)." by convention, which the presets test holds every preset to.
 */
export function isAblation(preset: Preset): boolean {
  return /\bablation\)\.$/.test(preset.description);
}

export function getPreset(name: string): Preset {
  const preset = PRESETS[name];
  if (preset) return preset;
  const names = Object.keys(PRESETS);
  const closest = names.reduce((a, b) => (editDistance(name, b) < editDistance(name, a) ? b : a));
  const guess = editDistance(name, closest) <= 3 ? ` — did you mean "${closest}"?` : '';
  throw new Error(
    `unknown preset "${name}"${guess} (\`pnpm train --list-presets\` lists all ${names.length})`,
  );
}

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}
