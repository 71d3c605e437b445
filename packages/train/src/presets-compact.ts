/**
 * The `compact` family of presets: one VGG-style stack per task — four 3×3 conv stages with batch norm
 * and ReLU, max pooling between them, global average pooling or a flatten, dropout and a softmax head
 * (gender too, as two classes, so label smoothing applies) — plus the fitting recipe (augmentation,
 * label smoothing, cosine learning rate, early stopping). The ablation presets change one ingredient
 * each, so that what each one adds can be measured on the validation part with
 * `pnpm train --preset <name>`.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, taskClassCount, type AgeGrouping, type Task } from '@facekit/core';
import { batchNormalization } from './batch-norm-training.js';
import type { AugmentOptions } from './data/augment.js';
import { layerSeeds, type FitSettings, type Preset } from './presets.js';

export interface CompactArchitecture {
  /** Filters of the conv stages, each at half the resolution of the one before (48, 24, 12, 6, 3). */
  readonly widths: readonly number[];
  /** 3×3 convs per stage (each with its batch norm and ReLU); 1 for every stage when absent. */
  readonly convs?: readonly number[];
  /**
   * Every conv after the first as a separable one (a 3×3 depthwise conv, then a 1×1 conv across the
   * channels, then batch norm and ReLU, as in Xception): about a ninth of the multiply-adds and weights.
   */
  readonly separable?: boolean;
  readonly batchNorm: boolean;
  /** Global average pooling after the last stage; else flatten into the head. */
  readonly globalPool: boolean;
  readonly dropout: number;
}

export const FACE_AUGMENT: AugmentOptions = {
  flip: 0.5,
  shift: 3,
  scale: 0.08,
  brightness: 0.1,
  contrast: 0.2,
};

/** Flip, a 2-pixel shift and a mild brightness/contrast change: for short schedules on small networks. */
export const LIGHT_AUGMENT: AugmentOptions = {
  flip: 0.5,
  shift: 2,
  scale: 0,
  brightness: 0.05,
  contrast: 0.1,
};

/**
 * For faces from elsewhere: larger shifts and zooms, turns, half-resolution faces and sensor noise on
 * top of the flip and light changes — what the model card's robustness table changes, in milder doses.
 */
export const ROBUST_AUGMENT: AugmentOptions = {
  flip: 0.5,
  shift: 4,
  scale: 0.12,
  brightness: 0.1,
  contrast: 0.25,
  rotate: 15,
  blur: 0.25,
  noise: 0.03,
};

/** The default's light augmentation plus sensor noise of σ up to 0.03: robust's one cheap ingredient. */
export const NOISY_AUGMENT: AugmentOptions = { ...LIGHT_AUGMENT, noise: 0.03 };

/** The default's light augmentation plus random erasing of half the faces (a rectangle of 2–20 %). */
export const ERASING_AUGMENT: AugmentOptions = { ...LIGHT_AUGMENT, erase: 0.5 };

/** Random erasing and sensor noise together, on top of the light augmentation. */
export const NOISY_ERASING_AUGMENT: AugmentOptions = { ...ERASING_AUGMENT, noise: NOISY_AUGMENT.noise };

export const COMPACT: CompactArchitecture = {
  widths: [8, 16, 32, 64],
  batchNorm: true,
  globalPool: true,
  dropout: 0.3,
};

const init = (s: { seed?: number }) => ({ kernelInitializer: tf.initializers.heNormal(s) });

/** The conv stages and the pooling or flatten after them, with their initial weights drawn from `seeds`. */
function trunkLayers(arch: CompactArchitecture, seeds: () => { seed?: number }): tf.layers.Layer[] {
  const layers: tf.layers.Layer[] = [];
  arch.widths.forEach((filters, stage) => {
    for (let c = 0; c < (arch.convs?.[stage] ?? 1); c++) {
      const first = stage === 0 && c === 0;
      const conv = { filters, kernelSize: 3, padding: 'same', useBias: !arch.batchNorm } as const;
      layers.push(
        arch.separable && !first
          ? tf.layers.separableConv2d({
              ...conv,
              depthwiseInitializer: tf.initializers.heNormal(seeds()),
              pointwiseInitializer: tf.initializers.heNormal(seeds()),
            })
          : tf.layers.conv2d({
              ...conv,
              ...init(seeds()),
              ...(first ? { inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1] } : {}),
            }),
      );
      if (arch.batchNorm) layers.push(batchNormalization({ momentum: 0.95 }));
      layers.push(tf.layers.activation({ activation: 'relu' }));
    }
    if (stage < arch.widths.length - 1) layers.push(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  });
  layers.push(arch.globalPool ? tf.layers.globalAveragePooling2d({}) : tf.layers.flatten());
  return layers;
}

/** Dropout and the softmax over `classes`. */
function headLayers(
  arch: CompactArchitecture,
  classes: number,
  seeds: () => { seed?: number },
  name?: string,
): tf.layers.Layer[] {
  return [
    // No seed for dropout: tfjs would then draw the same mask at every step.
    ...(arch.dropout > 0 ? [tf.layers.dropout({ rate: arch.dropout })] : []),
    tf.layers.dense({
      units: classes,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform(seeds()),
      ...(name ? { name } : {}),
    }),
  ];
}

export function buildCompact(
  arch: CompactArchitecture,
  name: string,
  classes: number,
  seed: number | undefined,
): tf.Sequential {
  const seeds = layerSeeds(seed);
  return tf.sequential({ name, layers: [...trunkLayers(arch, seeds), ...headLayers(arch, classes, seeds)] });
}

/**
 * One trunk, one head per task (outputs in `tasks` order, each head's Dense named after its task):
 * the network a shared preset trains. A head with the trunk is the network `buildCompact` makes.
 */
export function buildSharedCompact(
  arch: CompactArchitecture,
  name: string,
  tasks: readonly Task[],
  grouping: AgeGrouping,
  seed: number | undefined,
): tf.LayersModel {
  const seeds = layerSeeds(seed);
  const input = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1], name: 'image' });
  const apply = (layers: tf.layers.Layer[], x: tf.SymbolicTensor) =>
    layers.reduce((t, layer) => layer.apply(t) as tf.SymbolicTensor, x);
  const features = apply(trunkLayers(arch, seeds), input);
  const outputs = tasks.map((task) =>
    apply(headLayers(arch, taskClassCount(task, grouping), seeds, task), features),
  );
  return tf.model({ inputs: input, outputs, name });
}

/** compact-flat's network: more filters in the cheap 12×12 and 6×6 stages, flattened into the head. */
export const COMPACT_FLAT: CompactArchitecture = {
  widths: [8, 16, 48, 128],
  batchNorm: true,
  globalPool: false,
  dropout: 0.3,
};

/** compact-deep's network: compact-flat with two convs in the 12×12 and 6×6 stages (six convs). */
export const COMPACT_DEEP: CompactArchitecture = { ...COMPACT_FLAT, convs: [1, 1, 2, 2] };

/** compact-deep with wider middle stages (24 and 64 filters at 24×24 and 12×12): room random erasing may use. */
export const COMPACT_DEEP_WIDE: CompactArchitecture = { ...COMPACT_DEEP, widths: [8, 24, 64, 128] };

/** compact-sep-wide's network: separable convs after the first, widened to use what they save. */
export const COMPACT_SEP_WIDE: CompactArchitecture = {
  ...COMPACT_FLAT,
  widths: [8, 32, 96, 256],
  separable: true,
};

/**
 * compact-flat with twice the filters in its two full-resolution stages (16 at 48×48, 32 at 24×24): the
 * one place none of the wider networks measured so far added capacity, and where fine texture (age's
 * wrinkles) is still in the image.
 */
export const COMPACT_FLAT_EARLY: CompactArchitecture = { ...COMPACT_FLAT, widths: [16, 32, 48, 128] };

/** compact-deep with the early stages of COMPACT_FLAT_EARLY (16 and 32 filters at 48×48 and 24×24). */
export const COMPACT_DEEP_EARLY: CompactArchitecture = { ...COMPACT_DEEP, widths: COMPACT_FLAT_EARLY.widths };

/** compact-five's network: compact-flat plus a fifth stage at 3×3, so the head sees a 3×3×128 map. */
export const COMPACT_FIVE: CompactArchitecture = { ...COMPACT_FLAT, widths: [8, 16, 48, 128, 128] };

/** AdamW's decay for the `-wd` presets: per step the kernels shrink by 1 − rate × 0.05. */
const WEIGHT_DECAY = 0.05;

/** Mixup's α for the `-mix` presets: λ ~ Beta(0.2, 0.2), mostly near 0 or 1 (a light blend). */
const MIXUP_ALPHA = 0.2;

/**
 * The `-soft` presets' age spread (data/age-spread.ts): σ = max(1 year, 5 % of the age), so a face at
 * a group boundary trains towards 70/30 (20|21) to 54/46 (90|91) between the two groups, one 4+ years
 * inside a group (under 40) towards that group alone.
 */
const AGE_SPREAD = 0.05;

/**
 * The `-ema` presets' weight average decay per step: with ~99 steps an epoch (12,658 faces, batch 128)
 * the average reaches back about 1 / (1 − 0.997) ≈ 330 steps, three to four epochs.
 */
const EMA_DECAY = 0.997;

/**
 * The `-sgd` presets' optimizer: Nesterov SGD at 0.01, momentum 0.9 (a step of 0.1 in effect), L2 5e-4 on
 * the kernels, the same cosine schedule and warm-up as the Adam recipe. 0.03 and 0.1 diverged in
 * six-epoch runs on 1,500 faces (the three heads' summed loss through flattened 6×6×128 features).
 */
const SGD: Partial<FitSettings> = { optimizer: 'sgd', learningRate: 0.01, weightDecay: 5e-4 };

const RECIPE: FitSettings = {
  epochs: 30,
  batchSize: 128,
  learningRate: 3e-3,
  augment: FACE_AUGMENT,
  labelSmoothing: 0.1,
  schedule: { kind: 'cosine', warmupEpochs: 1, minFactor: 0.02 },
  patience: 8,
};

/**
 * A compact preset: a network per task, or with `shared`, one trunk whose head per task trains with
 * the others (see Preset.buildShared).
 */
function compactPreset(
  name: string,
  description: string,
  arch: CompactArchitecture,
  fit: (task: Task) => FitSettings,
  shared = false,
): Preset {
  const id = name.replace(/-/g, '_');
  return {
    name,
    description,
    build: (task, grouping, seed) =>
      buildCompact(arch, `${task}_${id}`, taskClassCount(task, grouping), seed),
    ...(shared
      ? { buildShared: (tasks, grouping, seed) => buildSharedCompact(arch, id, tasks, grouping, seed) }
      : {}),
    fit,
  };
}

/**
 * `compact-flat` (the default's recipe), the path that led to it, its ablations (each changes one
 * ingredient), and the shared presets the default ensemble (`shared-ensemble-flip`, presets.ts) is made of,
 * measured on the validation part — see bench/ACCURACY.md.
 */
export function compactPresets(): Preset[] {
  const compact = (drop: Partial<FitSettings>) => () => ({ ...RECIPE, ...drop });
  const { augment: _a, labelSmoothing: _l, schedule: _s, ...bare } = RECIPE;
  const FLAT: FitSettings = { ...RECIPE, augment: LIGHT_AUGMENT, labelSmoothing: 0.05 };
  const flat = (change: Partial<FitSettings>) => () => ({ ...FLAT, ...change });
  return [
    compactPreset(
      'compact-flat',
      'Four conv stages (8-16-48-128) with batch norm, flattened into the softmax head; light augmentation (flip, 2-pixel shift, mild brightness/contrast), label smoothing 0.05, cosine LR from 3e-3, early stopping after 15 epochs without progress; 45 epochs.',
      COMPACT_FLAT,
      flat({ epochs: 45, patience: 15 }),
    ),
    compactPreset(
      'shared-flat',
      "compact-flat's network as one trunk with a head per task, the three tasks trained together (their losses summed); each task exported as its head with the trunk; 45 epochs, patience 15.",
      COMPACT_FLAT,
      flat({ epochs: 45, patience: 15 }),
      true,
    ),
    compactPreset(
      'shared-deep',
      "compact-deep's network (two convs in the 12×12 and 6×6 stages) as one trunk with a head per task, the three tasks trained together; 45 epochs, patience 15.",
      COMPACT_DEEP,
      flat({ epochs: 45, patience: 15 }),
      true,
    ),
    compactPreset(
      'shared-flat-wd',
      'shared-flat with decoupled weight decay 0.05 on the kernels (AdamW; ablation).',
      COMPACT_FLAT,
      flat({ epochs: 45, patience: 15, weightDecay: WEIGHT_DECAY }),
      true,
    ),
    compactPreset(
      'shared-deep-wd',
      'shared-deep with decoupled weight decay 0.05 on the kernels (AdamW; ablation).',
      COMPACT_DEEP,
      flat({ epochs: 45, patience: 15, weightDecay: WEIGHT_DECAY }),
      true,
    ),
    compactPreset(
      'shared-flat-mix',
      'shared-flat trained on mixup blends of faces and their targets, α = 0.2 (ablation).',
      COMPACT_FLAT,
      flat({ epochs: 45, patience: 15, mixup: MIXUP_ALPHA }),
      true,
    ),
    compactPreset(
      'shared-deep-mix',
      'shared-deep trained on mixup blends of faces and their targets, α = 0.2 (ablation).',
      COMPACT_DEEP,
      flat({ epochs: 45, patience: 15, mixup: MIXUP_ALPHA }),
      true,
    ),
    compactPreset(
      'shared-deep-aug',
      'shared-deep with the stronger augmentation of compact (±3 px shift, ±8 % scale, ±0.1 brightness, ±20 % contrast; ablation).',
      COMPACT_DEEP,
      flat({ epochs: 45, patience: 15, augment: FACE_AUGMENT }),
      true,
    ),
    compactPreset(
      'shared-deep-robust',
      'shared-deep trained on faces changed as faces from elsewhere differ: shifts up to 4 px, ±12 % zoom, turns up to 15°, a quarter at half resolution, noise up to σ = 0.03, stronger light changes (ablation).',
      COMPACT_DEEP,
      flat({ epochs: 45, patience: 15, augment: ROBUST_AUGMENT }),
      true,
    ),
    compactPreset(
      'shared-flat-robust',
      "shared-flat trained on faces changed as faces from elsewhere differ (shared-deep-robust's augmentation; ablation).",
      COMPACT_FLAT,
      flat({ epochs: 45, patience: 15, augment: ROBUST_AUGMENT }),
      true,
    ),
    compactPreset(
      'shared-deep-noise',
      'shared-deep trained on faces with Gaussian noise of σ up to 0.03 added (8 grey levels) on top of its light augmentation (ablation).',
      COMPACT_DEEP,
      flat({ epochs: 45, patience: 15, augment: NOISY_AUGMENT }),
      true,
    ),
    compactPreset(
      'shared-flat-noise',
      'shared-flat trained on faces with Gaussian noise of σ up to 0.03 added (ablation).',
      COMPACT_FLAT,
      flat({ epochs: 45, patience: 15, augment: NOISY_AUGMENT }),
      true,
    ),
    compactPreset(
      'shared-deep-erase',
      'shared-deep trained with random erasing: half the faces get a rectangle of 2–20 % of the image painted one grey, on top of its light augmentation (ablation).',
      COMPACT_DEEP,
      flat({ epochs: 45, patience: 15, augment: ERASING_AUGMENT }),
      true,
    ),
    compactPreset(
      'shared-deep-wide-erase',
      'shared-deep widened in its middle stages (8-24-64-128) and trained with random erasing (ablation).',
      COMPACT_DEEP_WIDE,
      flat({ epochs: 45, patience: 15, augment: ERASING_AUGMENT }),
      true,
    ),
    compactPreset(
      'shared-deep-wide-erase-noise',
      'shared-deep-wide-erase also trained on faces with sensor noise of σ up to 0.03 (ablation).',
      COMPACT_DEEP_WIDE,
      flat({ epochs: 45, patience: 15, augment: NOISY_ERASING_AUGMENT }),
      true,
    ),
    compactPreset(
      'shared-deep-soft',
      "shared-deep whose age head trains towards soft targets: each face's age read as a Gaussian of σ = max(1, 5 % of the age) years, split between the groups it spans (ablation).",
      COMPACT_DEEP,
      flat({ epochs: 45, patience: 15, ageSpread: AGE_SPREAD }),
      true,
    ),
    compactPreset(
      'shared-flat-soft',
      "shared-flat whose age head trains towards soft targets (shared-deep-soft's; ablation).",
      COMPACT_FLAT,
      flat({ epochs: 45, patience: 15, ageSpread: AGE_SPREAD }),
      true,
    ),
    compactPreset(
      'shared-deep-wide-erase-soft',
      'shared-deep-wide-erase whose age head also trains towards soft targets near the group boundaries (ablation).',
      COMPACT_DEEP_WIDE,
      flat({ epochs: 45, patience: 15, augment: ERASING_AUGMENT, ageSpread: AGE_SPREAD }),
      true,
    ),
    compactPreset(
      'shared-deep-wide-erase-soft-noise',
      'shared-deep-wide-erase-soft also trained on faces with sensor noise of σ up to 0.03 (ablation).',
      COMPACT_DEEP_WIDE,
      flat({ epochs: 45, patience: 15, augment: NOISY_ERASING_AUGMENT, ageSpread: AGE_SPREAD }),
      true,
    ),
    compactPreset(
      'shared-flat-soft-noise',
      'shared-flat-soft also trained on faces with sensor noise of σ up to 0.03 (ablation).',
      COMPACT_FLAT,
      flat({ epochs: 45, patience: 15, augment: NOISY_AUGMENT, ageSpread: AGE_SPREAD }),
      true,
    ),
    compactPreset(
      'shared-flat-erase',
      "shared-flat trained with random erasing (shared-deep-erase's augmentation; ablation).",
      COMPACT_FLAT,
      flat({ epochs: 45, patience: 15, augment: ERASING_AUGMENT }),
      true,
    ),
    compactPreset(
      'shared-flat-ema',
      'shared-flat whose kept weights are a moving average of the weights over training (decay 0.997 a step, about the last three to four epochs; ablation).',
      COMPACT_FLAT,
      flat({ epochs: 45, patience: 15, weightAverage: EMA_DECAY }),
      true,
    ),
    compactPreset(
      'shared-deep-ema',
      "shared-deep whose kept weights are a moving average of the weights over training (shared-flat-ema's; ablation).",
      COMPACT_DEEP,
      flat({ epochs: 45, patience: 15, weightAverage: EMA_DECAY }),
      true,
    ),
    compactPreset(
      'shared-flat-sgd',
      'shared-flat trained with Nesterov SGD (rate 0.01, momentum 0.9, L2 5e-4 on the kernels) instead of Adam (ablation).',
      COMPACT_FLAT,
      flat({ epochs: 45, patience: 15, ...SGD }),
      true,
    ),
    compactPreset(
      'shared-deep-sgd',
      "shared-deep trained with Nesterov SGD (shared-flat-sgd's; ablation).",
      COMPACT_DEEP,
      flat({ epochs: 45, patience: 15, ...SGD }),
      true,
    ),
    compactPreset(
      'shared-flat-age2',
      "shared-flat with the age head's loss counted twice in the summed loss, so the shared trunk leans towards age, the task furthest from its target (ablation).",
      COMPACT_FLAT,
      flat({ epochs: 45, patience: 15, taskWeights: { age: 2 } }),
      true,
    ),
    compactPreset(
      'shared-flat-weighted',
      "shared-flat whose age and ethnicity heads weigh each face by its class, (mean count / count)^0.5, so the rarer groups count more (compact-flat-weighted's weights at full length; ablation).",
      COMPACT_FLAT,
      flat({ epochs: 45, patience: 15, classWeightPower: 0.5 }),
      true,
    ),
    compactPreset(
      'shared-flat-early',
      'shared-flat with twice the filters in its 48×48 and 24×24 stages (16-32-48-128; ablation).',
      COMPACT_FLAT_EARLY,
      flat({ epochs: 45, patience: 15 }),
      true,
    ),
    compactPreset(
      'shared-flat-early-soft',
      "shared-flat-early whose age head trains towards soft targets (shared-flat-soft's; ablation).",
      COMPACT_FLAT_EARLY,
      flat({ epochs: 45, patience: 15, ageSpread: AGE_SPREAD }),
      true,
    ),
    compactPreset(
      'shared-deep-early',
      "shared-deep with shared-flat-early's wider full-resolution stages (16-32-48-128, six convs; ablation).",
      COMPACT_DEEP_EARLY,
      flat({ epochs: 45, patience: 15 }),
      true,
    ),
    compactPreset(
      'shared-sep-wide',
      "compact-sep-wide's network (separable convs, 8-32-96-256) as one trunk with a head per task; 45 epochs, patience 15 (ablation).",
      COMPACT_SEP_WIDE,
      flat({ epochs: 45, patience: 15 }),
      true,
    ),
    compactPreset(
      'compact-five',
      'compact-flat with a fifth conv stage (128 filters at 3×3) before the flatten; 40 epochs, patience 15 (ablation).',
      COMPACT_FIVE,
      flat({ epochs: 40, patience: 15 }),
    ),
    compactPreset(
      'compact-bare',
      'Four conv stages (8-16-32-64) with batch norm and GAP, Adam 1e-3, nothing else (ablation).',
      COMPACT,
      () => ({ ...bare, learningRate: 1e-3 }),
    ),
    compactPreset(
      'compact',
      'compact-bare plus flip/shift/scale/brightness/contrast augmentation, label smoothing 0.1 and cosine LR from 3e-3 (ablation).',
      COMPACT,
      compact({}),
    ),
    compactPreset(
      'compact-no-aug',
      'compact without augmentation (ablation).',
      COMPACT,
      compact({ augment: undefined }),
    ),
    compactPreset(
      'compact-flatten',
      'compact with the last stage flattened into the head instead of global average pooling (ablation).',
      { ...COMPACT, globalPool: false },
      compact({}),
    ),
    compactPreset(
      'compact-flat-no-aug',
      'compact-flat without augmentation (ablation).',
      COMPACT_FLAT,
      flat({ augment: undefined }),
    ),
    compactPreset(
      'compact-flat-full-aug',
      'compact-flat with the stronger augmentation of compact (±3 px shift, ±8 % scale; ablation).',
      COMPACT_FLAT,
      flat({ augment: FACE_AUGMENT }),
    ),
    compactPreset(
      'compact-flat-no-ls',
      'compact-flat without label smoothing (ablation).',
      COMPACT_FLAT,
      flat({ labelSmoothing: undefined }),
    ),
    compactPreset(
      'compact-flat-const-lr',
      'compact-flat with a constant 1e-3 learning rate (ablation).',
      COMPACT_FLAT,
      flat({ schedule: undefined, learningRate: 1e-3 }),
    ),
    compactPreset(
      'compact-flat-no-bn',
      'compact-flat without batch norm (ablation).',
      { ...COMPACT_FLAT, batchNorm: false },
      flat({}),
    ),
    compactPreset(
      'compact-flat-narrow',
      'compact-flat with the narrower 8-16-32-64 stages (ablation).',
      { ...COMPACT_FLAT, widths: [8, 16, 32, 64] },
      flat({}),
    ),
    compactPreset(
      'compact-deep',
      'compact-flat with two convs in the 12×12 and 6×6 stages (ablation).',
      COMPACT_DEEP,
      flat({}),
    ),
    compactPreset(
      'compact-deep12',
      'compact-flat with two convs in the 12×12 stage (ablation).',
      { ...COMPACT_FLAT, convs: [1, 1, 2, 1] },
      flat({}),
    ),
    compactPreset(
      'compact-deep7',
      'Five stages 8-16-32-64-128 with two convs at 12×12 and 6×6: seven convs, flattened (ablation).',
      { ...COMPACT_FLAT, widths: [8, 16, 32, 64, 128], convs: [1, 1, 2, 2, 1] },
      flat({}),
    ),
    compactPreset(
      'compact-five256',
      'compact-flat with a fifth stage (256 filters at 3×3) before the flatten (ablation).',
      { ...COMPACT_FLAT, widths: [8, 16, 48, 128, 256] },
      flat({}),
    ),
    compactPreset(
      'compact-wide24',
      'compact-flat with 32 filters in the 24×24 stage (ablation).',
      { ...COMPACT_FLAT, widths: [8, 32, 48, 128] },
      flat({}),
    ),
    compactPreset(
      'compact-flat-sep',
      'compact-flat with every conv after the first separable (3×3 depthwise, then 1×1; ablation).',
      { ...COMPACT_FLAT, separable: true },
      flat({}),
    ),
    compactPreset(
      'compact-sep-wide',
      'Separable convs after the first, wider to spend what they save: 8-32-96-256 (ablation).',
      COMPACT_SEP_WIDE,
      flat({}),
    ),
    compactPreset(
      'compact-sep-wide16',
      'Separable convs after the first, 16-32-96-192 (ablation).',
      { ...COMPACT_FLAT, separable: true, widths: [16, 32, 96, 192] },
      flat({}),
    ),
    compactPreset(
      'compact-sep-deep',
      'Separable convs after the first, 8-24-64-192, two in the 12×12 and 6×6 stages (ablation).',
      { ...COMPACT_FLAT, separable: true, widths: [8, 24, 64, 192], convs: [1, 1, 2, 2] },
      flat({}),
    ),
    compactPreset(
      'compact-flat-weighted',
      'compact-flat with class weights (mean count / count)^0.5 for the rarer groups (ablation).',
      COMPACT_FLAT,
      flat({ classWeightPower: 0.5 }),
    ),
  ];
}
