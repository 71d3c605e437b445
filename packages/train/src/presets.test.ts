import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { getPreset } from './presets.js';

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
