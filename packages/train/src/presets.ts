/**
 * Training presets: a network per task plus how to fit it. Adding a preset means adding one entry to
 * PRESETS: a builder per task and the fitting settings. `seed` is exactly the original study's three
 * networks (38,230 / 2,981 / 673 parameters).
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, taskClassCount, type AgeGrouping, type Task } from '@facekit/core';

export interface FitSettings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
}

export interface Preset {
  readonly name: string;
  readonly description: string;
  /** A fresh, uncompiled network for `task`. Its output is softmax over the labels, or one sigmoid unit for gender. */
  build(task: Task, grouping: AgeGrouping): tf.Sequential;
  fit(task: Task): FitSettings;
}

const conv = (filters: number, first = false) =>
  tf.layers.conv2d({
    filters,
    kernelSize: 3,
    padding: 'same',
    activation: 'relu',
    ...(first ? { inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1] } : {}),
  });
const pool = () => tf.layers.maxPooling2d({ poolSize: 2, strides: 2 });

const seed: Preset = {
  name: 'seed',
  description: "The original study's three small CNNs: Conv-Pool-Conv-Pool-Dense, Adam 1e-3, 25 epochs.",
  build(task, grouping) {
    const model = tf.sequential({ name: `${task}_seed` });
    switch (task) {
      case 'age':
        model.add(conv(8, true));
        model.add(pool());
        model.add(conv(16));
        model.add(pool());
        model.add(tf.layers.flatten());
        model.add(tf.layers.dense({ units: 16, activation: 'relu' }));
        model.add(tf.layers.dropout({ rate: 0.3 }));
        model.add(tf.layers.dense({ units: taskClassCount('age', grouping), activation: 'softmax' }));
        break;
      case 'ethnicity':
      case 'gender':
        model.add(conv(2, true));
        model.add(pool());
        model.add(conv(4));
        model.add(pool());
        model.add(tf.layers.flatten());
        model.add(
          task === 'ethnicity'
            ? tf.layers.dense({ units: taskClassCount('ethnicity'), activation: 'softmax' })
            : tf.layers.dense({ units: 1, activation: 'sigmoid' }),
        );
        break;
    }
    return model;
  },
  fit: (task) => ({ epochs: 25, batchSize: task === 'age' ? 128 : 32, learningRate: 1e-3 }),
};

export const PRESETS: Readonly<Record<string, Preset>> = { seed };

export const DEFAULT_PRESET = 'seed';

export function getPreset(name: string): Preset {
  const preset = PRESETS[name];
  if (!preset) throw new Error(`unknown preset "${name}"; presets: ${Object.keys(PRESETS).join(', ')}`);
  return preset;
}
