import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_PRESET, getPreset, isAblation, PRESETS } from './presets.js';
// After presets.js, which imports presets-compact.js (the two import each other).
import { NOISY_AUGMENT, NOISY_ERASING_AUGMENT, ROBUST_AUGMENT } from './presets-compact.js';

describe('seed preset', () => {
  it('has exactly the original study parameter counts', async () => {
    await tf.setBackend('cpu');
    const seed = getPreset('seed');
    expect(seed.build('age', 'six').countParams()).toBe(38230);
    expect(seed.build('ethnicity', 'six').countParams()).toBe(2981);
    expect(seed.build('gender', 'six').countParams()).toBe(673);
    expect(seed.build('age', 'decades').outputs[0]!.shape).toEqual([null, 10]);
  });
});

describe('getPreset', () => {
  it('names the closest preset when a name is mistyped, and where the list is', () => {
    expect(() => getPreset('shared-ensembl-flip')).toThrow(
      /^unknown preset "shared-ensembl-flip" — did you mean "shared-ensemble-flip"\? \(`pnpm train --list-presets` lists all \d+\)$/,
    );
    expect(() => getPreset('resnet50')).toThrow(/^unknown preset "resnet50" \(`pnpm train --list-presets`/);
  });
});

describe('isAblation', () => {
  it('tells the measured ablation from the presets offered for use, by the description every preset ends with', () => {
    const offered = Object.values(PRESETS).filter((p) => !isAblation(p));
    expect(offered.map((p) => p.name)).toContain(DEFAULT_PRESET);
    expect(offered.map((p) => p.name)).toContain('shared-ensemble-flip-widesoft-noise');
    expect(isAblation(getPreset('shared-ensemble-flip-early-soft'))).toBe(true);
    // Every preset whose description speaks of ablation ends it that way, so none is listed as offered.
    expect(Object.values(PRESETS).filter((p) => /ablation/.test(p.description) && !isAblation(p))).toEqual(
      [],
    );
  });
});

describe('seeded initial weights', () => {
  it('are the same for the same seed and differ for another', async () => {
    await tf.setBackend('cpu');
    const seed = getPreset('seed');
    const weights = (s?: number) => seed.build('gender', 'six', s).getWeights()[0]!.dataSync().slice(0, 18);
    expect(weights(3)).toEqual(weights(3));
    expect(weights(3)).not.toEqual(weights(4));
    expect(weights()).not.toEqual(weights());
  });
});

describe('compact presets', () => {
  it('build for every task within the 2 MB float32 limit, gender as a two-class softmax', async () => {
    await tf.setBackend('cpu');
    for (const name of Object.keys(PRESETS).filter((n) => n.startsWith('compact'))) {
      const preset = getPreset(name);
      for (const task of ['age', 'ethnicity', 'gender'] as const) {
        const model = preset.build(task, 'six', 1);
        expect(model.countParams() * 4, `${name} ${task}`).toBeLessThan(2 * 1024 * 1024);
        expect(model.outputs[0]!.shape[1]).toBe(task === 'age' ? 6 : task === 'ethnicity' ? 5 : 2);
        expect(preset.fit(task).batchSize).toBeGreaterThan(0);
        model.dispose();
      }
    }
  });

  it('each ablation differs from compact in the ingredient it names', () => {
    const full = getPreset('compact').fit('age');
    expect(full.augment).toBeDefined();
    expect(getPreset('compact-no-aug').fit('age').augment).toBeUndefined();
    expect(getPreset('compact-flat-no-aug').fit('age').augment).toBeUndefined();
    expect(getPreset('compact-flat-no-ls').fit('age').labelSmoothing).toBeUndefined();
    expect(getPreset('compact-flat-const-lr').fit('age').schedule).toBeUndefined();
    expect(getPreset('compact-flat-weighted').fit('age').classWeightPower).toBe(0.5);
    expect(getPreset('shared-flat').fit('age').weightDecay).toBeUndefined();
    expect(getPreset('shared-flat-wd').fit('age')).toEqual({
      ...getPreset('shared-flat').fit('age'),
      weightDecay: 0.05,
    });
    expect(getPreset('shared-deep-wd').fit('age')).toEqual({
      ...getPreset('shared-deep').fit('age'),
      weightDecay: 0.05,
    });
    for (const member of ['shared-flat', 'shared-deep'])
      expect(getPreset(`${member}-mix`).fit('age')).toEqual({ ...getPreset(member).fit('age'), mixup: 0.2 });
    for (const member of ['shared-flat', 'shared-deep'])
      expect(getPreset(`${member}-robust`).fit('age')).toEqual({
        ...getPreset(member).fit('age'),
        augment: ROBUST_AUGMENT,
      });
    expect(getPreset('shared-ensemble-flip-robust').members).toEqual([
      { preset: 'shared-deep-robust' },
      { preset: 'shared-flat-robust', mirrored: true },
    ]);
    for (const member of ['shared-flat', 'shared-deep'])
      expect(getPreset(`${member}-soft`).fit('age')).toEqual({
        ...getPreset(member).fit('age'),
        ageSpread: 0.05,
      });
    expect(getPreset('shared-deep-wide-erase-soft').fit('age')).toEqual({
      ...getPreset('shared-deep-wide-erase').fit('age'),
      ageSpread: 0.05,
    });
    expect(getPreset('shared-ensemble-flip-widesoft').members).toEqual([
      { preset: 'shared-deep-wide-erase-soft' },
      { preset: 'shared-flat-soft', mirrored: true },
    ]);
    expect(getPreset('shared-deep-wide-erase-soft-noise').fit('age')).toEqual({
      ...getPreset('shared-deep-wide-erase-soft').fit('age'),
      augment: NOISY_ERASING_AUGMENT,
    });
    expect(getPreset('shared-flat-soft-noise').fit('age')).toEqual({
      ...getPreset('shared-flat-soft').fit('age'),
      augment: NOISY_AUGMENT,
    });
    expect(getPreset('shared-ensemble-flip-widesoft-deepnoise').members).toEqual([
      { preset: 'shared-deep-wide-erase-soft-noise' },
      { preset: 'shared-flat-soft', mirrored: true },
    ]);
    expect(getPreset('shared-ensemble-flip-widesoft-noise').members).toEqual([
      { preset: 'shared-deep-wide-erase-soft-noise' },
      { preset: 'shared-flat-soft-noise', mirrored: true },
    ]);
    expect(getPreset('shared-ensemble-flip-soft').members).toEqual([
      { preset: 'shared-deep-soft' },
      { preset: 'shared-flat-soft', mirrored: true },
    ]);
    expect(getPreset('shared-ensemble-flip-deepmix').members).toEqual([
      { preset: 'shared-deep-mix' },
      { preset: 'shared-flat', mirrored: true },
    ]);
    const bare = getPreset('compact-bare').fit('age');
    expect([bare.augment, bare.labelSmoothing, bare.schedule]).toEqual([undefined, undefined, undefined]);
    const layers = (name: string) =>
      getPreset(name)
        .build('age', 'six')
        .layers.map((l) => l.getClassName());
    expect(layers('compact')).toContain('BatchNormalization');
    expect(layers('compact-flat-no-bn')).not.toContain('BatchNormalization');
    expect(layers('compact')).toContain('GlobalAveragePooling2D');
    expect(layers('compact-flatten')).toContain('Flatten');
    expect(layers('compact-flat')).toContain('Flatten');
    const count = (name: string, layer: string) => layers(name).filter((l) => l === layer).length;
    expect([count('compact-flat', 'Conv2D'), count('compact-flat', 'MaxPooling2D')]).toEqual([4, 3]);
    expect([count('compact-deep', 'Conv2D'), count('compact-deep', 'BatchNormalization')]).toEqual([6, 6]);
    expect([count('compact-five', 'Conv2D'), count('compact-five', 'MaxPooling2D')]).toEqual([5, 4]);
    expect(getPreset('compact-five').build('age', 'six').outputs[0]!.shape).toEqual([null, 6]);
    expect([count('compact-flat-sep', 'Conv2D'), count('compact-flat-sep', 'SeparableConv2D')]).toEqual([
      1, 3,
    ]);
    expect(count('compact-sep-deep', 'SeparableConv2D')).toBe(5);
    expect(getPreset('compact-flat-sep').build('age', 'six').countParams()).toBeLessThan(
      getPreset('compact-flat').build('age', 'six').countParams() / 2,
    );
  });
});
