import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { UnsupportedLayerError } from '@facekit/core';
import { exportLayersModel } from './export-model.js';
import { useCpu } from './test-support.js';

async function failure(build: () => tf.LayersModel): Promise<UnsupportedLayerError> {
  await useCpu();
  const error = await exportLayersModel(build()).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnsupportedLayerError);
  return error as UnsupportedLayerError;
}

describe('unsupported layers and options', () => {
  it('names the layer, its class and what is unsupported', async () => {
    const e = await failure(() => {
      const m = tf.sequential();
      m.add(tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3 }));
      m.add(tf.layers.upSampling2d({ name: 'grow', size: [2, 2] }));
      m.add(tf.layers.flatten());
      m.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
      return m;
    });
    expect(e.code).toBe('UNSUPPORTED_LAYER');
    expect(e.layerName).toBe('grow');
    expect(e.layerClass).toBe('UpSampling2D');
    expect(e.message).toBe('layer "grow" (UpSampling2D): layer class UpSampling2D is not supported');
  });

  it('an unsupported activation, padding mode, data format and batch-norm axis', async () => {
    const gelu = await failure(() =>
      tf.sequential({
        layers: [tf.layers.dense({ inputShape: [4], units: 2, activation: 'gelu', name: 'head' })],
      }),
    );
    expect(gelu.message).toMatch(/^layer "head" \(Dense\): activation "gelu"; supported: linear, relu/);
    const causal = await failure(() =>
      tf.sequential({
        layers: [
          tf.layers.inputLayer({ inputShape: [6, 6, 1] }),
          tf.layers.maxPooling2d({ poolSize: 2, padding: 'causal' as 'same', name: 'p' }),
          tf.layers.flatten(),
        ],
      }),
    );
    expect(causal.message).toMatch(/layer "p" \(MaxPooling2D\): padding "causal"/);
    const first = await failure(() =>
      tf.sequential({
        layers: [
          tf.layers.inputLayer({ inputShape: [6, 6, 1] }),
          tf.layers.globalAveragePooling2d({ dataFormat: 'channelsFirst', name: 'gap' }),
        ],
      }),
    );
    expect(first.message).toMatch(/layer "gap" \(GlobalAveragePooling2D\): dataFormat "channelsFirst"/);
    const bn = await failure(() =>
      tf.sequential({
        layers: [
          tf.layers.inputLayer({ inputShape: [6, 6, 2] }),
          tf.layers.batchNormalization({ axis: 1, name: 'bn' }),
          tf.layers.flatten(),
        ],
      }),
    );
    expect(bn.message).toMatch(/layer "bn" \(BatchNormalization\): axis 1/);
    // Channels-first padding and flattening are refused by name, not exported to compute something else.
    const padded = await failure(() =>
      tf.sequential({
        layers: [
          tf.layers.inputLayer({ inputShape: [6, 6, 2] }),
          tf.layers.zeroPadding2d({ padding: 1, dataFormat: 'channelsFirst', name: 'pad' }),
          tf.layers.flatten(),
        ],
      }),
    );
    expect(padded.message).toMatch(/layer "pad" \(ZeroPadding2D\): dataFormat "channelsFirst"/);
    const flattened = await failure(() =>
      tf.sequential({
        layers: [
          tf.layers.inputLayer({ inputShape: [6, 6, 2] }),
          tf.layers.flatten({ dataFormat: 'channelsFirst', name: 'flat' }),
          tf.layers.dense({ units: 2, activation: 'softmax' }),
        ],
      }),
    );
    expect(flattened.message).toMatch(/layer "flat" \(Flatten\): dataFormat "channelsFirst"/);
  });

  it("a dilated 'same' window on an image of unknown size, which onnxruntime refuses at run time", async () => {
    const dilated = await failure(() =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({
            inputShape: [null, null, 1] as unknown as number[],
            filters: 2,
            kernelSize: 3,
            dilationRate: 2,
            padding: 'same',
            name: 'wide',
          }),
          tf.layers.globalAveragePooling2d({}),
          tf.layers.dense({ units: 2, activation: 'softmax' }),
        ],
      }),
    );
    expect(dilated.message).toMatch(/layer "wide" \(Conv2D\): "same" padding of a dilated window/);
  });

  it('a one-unit head that is not a sigmoid: it is no probability to widen to [1 − p, p]', async () => {
    const linear = await failure(() =>
      tf.sequential({
        name: 'scores',
        layers: [tf.layers.dense({ inputShape: [4], units: 1, name: 'score' })],
      }),
    );
    expect(linear.message).toMatch(
      /layer "scores" \(Sequential\): output probabilities is one unit ending in linear, not sigmoid/,
    );
  });

  it('a nested model, a recurrent layer and a rank-3 output (a layer applied twice converts: merge.test.ts)', async () => {
    const nested = await failure(() => {
      const inner = tf.sequential({
        name: 'inner',
        layers: [tf.layers.dense({ inputShape: [4], units: 2 })],
      });
      const input = tf.input({ shape: [4] });
      return tf.model({ inputs: input, outputs: inner.apply(input) as tf.SymbolicTensor });
    });
    expect(nested.message).toMatch(/layer "inner" \(Sequential\): .*nested models/);
    const repeat = await failure(() =>
      tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [3], units: 2 }),
          tf.layers.repeatVector({ n: 3, name: 'rep' }),
        ],
      }),
    );
    expect(repeat.message).toBe('layer "rep" (RepeatVector): layer class RepeatVector is not supported');
    const lstm = await failure(() =>
      tf.sequential({ layers: [tf.layers.lstm({ inputShape: [3, 4], units: 2 })] }),
    );
    expect(lstm.message).toMatch(/input shape \[N, 3, 4\] \(expected \[N, H, W, C\] or \[N, F\]\)/);
    const map = await failure(() =>
      tf.sequential({
        name: 'maps',
        layers: [tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 1 })],
      }),
    );
    expect(map.message).toMatch(
      /layer "maps" \(Sequential\): output shape \[N, 4, 4, 2\] \(expected \[N, K\]\)/,
    );
  });
});
