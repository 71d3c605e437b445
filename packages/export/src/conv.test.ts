import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { exportAndVerify, randomizeWeights } from './test-support.js';

type ConvCase = { name: string; size: [number, number]; channels: number; layer: () => tf.layers.Layer };

const head = (m: tf.Sequential, units = 4) => {
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units, activation: 'softmax' }));
};

const cases: ConvCase[] = [
  {
    name: 'conv2d valid stride 1 bias',
    size: [7, 7],
    channels: 1,
    layer: () => tf.layers.conv2d({ filters: 3, kernelSize: 3 }),
  },
  {
    name: 'conv2d same stride 2 (odd size)',
    size: [9, 7],
    channels: 2,
    layer: () => tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }),
  },
  {
    name: 'conv2d same stride 2 (even size)',
    size: [8, 8],
    channels: 1,
    layer: () => tf.layers.conv2d({ filters: 2, kernelSize: [3, 2], strides: [2, 1], padding: 'same' }),
  },
  {
    name: 'conv2d no bias relu',
    size: [6, 6],
    channels: 3,
    layer: () => tf.layers.conv2d({ filters: 5, kernelSize: 2, useBias: false, activation: 'relu' }),
  },
  {
    name: 'conv2d dilated same',
    size: [9, 9],
    channels: 2,
    layer: () => tf.layers.conv2d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same' }),
  },
  {
    name: 'depthwise multiplier 1',
    size: [7, 7],
    channels: 3,
    layer: () => tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same' }),
  },
  {
    name: 'depthwise multiplier 2 stride 2 no bias',
    size: [8, 9],
    channels: 2,
    layer: () => tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, useBias: false }),
  },
  {
    name: 'separable same relu6',
    size: [7, 7],
    channels: 2,
    layer: () =>
      tf.layers.separableConv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu6' }),
  },
  {
    name: 'separable multiplier 3 valid no bias',
    size: [6, 8],
    channels: 3,
    layer: () => tf.layers.separableConv2d({ filters: 2, kernelSize: 2, depthMultiplier: 3, useBias: false }),
  },
];

describe('convolutions', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const m = tf.sequential();
      m.add(tf.layers.inputLayer({ inputShape: [...c.size, c.channels] }));
      m.add(c.layer());
      head(m);
      randomizeWeights(m, 3);
      const { report } = await exportAndVerify(m);
      expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
      expect(report.argmaxAgreement).toBe(1);
    });
  }
});
