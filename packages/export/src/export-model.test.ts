import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { getPreset, loadLayersModel, saveLayersModel } from '@facekit/train';
import { TASKS } from '@facekit/core';
import { inspectOnnx } from '@facekit/core/node';
import { exportLayersModel } from './export-model.js';
import { exportAndVerify, randomizeWeights, useCpu } from './test-support.js';
import { disagreement, verifyExport, VerificationError } from './verify/verify.js';
import { tempFolder } from '../../../tests/support/temp-folder.js';

describe('exportLayersModel', () => {
  for (const task of TASKS) {
    it(`the seed preset's ${task} network: contract and parity (batch 1, 3, 7) in onnxruntime-node and -web`, async () => {
      const model = getPreset('seed').build(task, 'six');
      randomizeWeights(model, 41, 0.3);
      const { exported, report } = await exportAndVerify(model, { web: true });
      expect(exported.opset).toBe(17);
      expect(exported.inputShape).toEqual(['N', 48, 48, 1]);
      expect(exported.outputs[0]!.shape).toEqual(['N', task === 'age' ? 6 : task === 'ethnicity' ? 5 : 2]);
      expect(inspectOnnx(exported.bytes)).toMatchObject({
        opset: 17,
        irVersion: 8,
        inputs: ['image'],
        outputs: ['probabilities'],
      });
      expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
      expect(report.argmaxAgreement).toBe(1);
      expect(report.web?.samples).toBe(7);
      expect(report.web?.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    });
  }

  it('fails an export that onnxruntime-web runs differently, though onnxruntime-node agrees', async () => {
    const model = getPreset('seed').build('gender', 'six');
    randomizeWeights(model, 41, 0.3);
    const { report } = await exportAndVerify(model, { web: true });
    expect(disagreement(report)).toBeUndefined();
    const web = report.web!;
    expect(disagreement({ ...report, web: { ...web, maxAbsDiff: 1e-3 } })).toBe(
      'onnxruntime-web differs: max abs difference 0.001, 0 argmax differ',
    );
    expect(disagreement({ ...report, web: { ...web, maxAbsDiff: Number.NaN } })).toMatch(
      /^onnxruntime-web differs/,
    );
    expect(disagreement({ ...report, web: { ...web, argmaxMismatches: 2 } })).toMatch(/, 2 argmax differ$/);
    expect(disagreement({ ...report, argmaxMismatches: 1 })).toBe(`1 of ${report.samples} argmax differ`);
  });

  it('exports a shared trunk with a head per task as one graph with a named output per head', async () => {
    await useCpu();
    const shared = getPreset('shared-flat').buildShared!(TASKS, 'six', 5);
    randomizeWeights(shared, 46, 0.3);
    const outputNames = TASKS.map((t) => `${t}_probabilities`);
    const exported = await exportLayersModel(shared, { outputNames });
    expect(inspectOnnx(exported.bytes).outputs).toEqual(outputNames);
    expect(exported.outputs.map((o) => o.shape)).toEqual([
      ['N', 6],
      ['N', 5],
      ['N', 2],
    ]);
    // The trunk's four conv + batch-norm pairs are converted (and folded) once, not once per head.
    expect(exported.folded).toHaveLength(4);
    const reports = await verifyExport(shared, exported, { synthetic: 8 });
    expect(reports).toHaveLength(3);
    for (const [index, report] of reports.entries()) {
      expect(report.maxAbsDiff, outputNames[index]).toBeLessThanOrEqual(1e-5);
      expect(report.web?.maxAbsDiff, outputNames[index]).toBeLessThanOrEqual(1e-5);
    }
    await expect(exportLayersModel(shared)).rejects.toThrow(/3 outputs need as many distinct outputNames/);
  });

  it('declares a dynamic batch: one session runs batches of 1 and 65', async () => {
    const model = getPreset('seed').build('ethnicity', 'six');
    randomizeWeights(model, 42, 0.3);
    const { exported } = await exportAndVerify(model);
    const session = await ort.InferenceSession.create(exported.bytes);
    for (const n of [1, 65]) {
      const out = await session.run({
        image: new ort.Tensor('float32', new Float32Array(n * 2304).fill(0.5), [n, 48, 48, 1]),
      });
      expect(out.probabilities!.dims).toEqual([n, 5]);
    }
    await session.release();
  });

  it('a model loaded from files twice in one process (tfjs renames its variables kernel_1 …)', async () => {
    const dir = await tempFolder('facekit-twice-');
    const source = getPreset('seed').build('age', 'six');
    source.add(tf.layers.batchNormalization({}));
    randomizeWeights(source, 46, 0.3);
    await saveLayersModel(source, dir);
    await loadLayersModel(dir);
    const again = await loadLayersModel(dir);
    expect(again.layers[0]!.weights[0]!.name).not.toBe(again.layers[0]!.weights[0]!.originalName);
    const { report, exported } = await exportAndVerify(again);
    expect(exported.folded).toHaveLength(0);
    expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
  });

  it('ZeroPadding2D and custom input/output names', async () => {
    const m = tf.sequential();
    m.add(
      tf.layers.zeroPadding2d({
        inputShape: [5, 6, 2],
        padding: [
          [1, 2],
          [0, 3],
        ],
      }),
    );
    m.add(tf.layers.conv2d({ filters: 2, kernelSize: 3, strides: 2 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
    randomizeWeights(m, 43);
    const { exported, report } = await exportAndVerify(m, { inputName: 'x', outputNames: ['y'] });
    expect(inspectOnnx(exported.bytes)).toMatchObject({ inputs: ['x'], outputs: ['y'] });
    expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
  });

  it('verification fails, with figures, when the graph does not compute what the model computes', async () => {
    await useCpu();
    const a = getPreset('seed').build('gender', 'six');
    const b = getPreset('seed').build('gender', 'six');
    randomizeWeights(a, 44, 0.3);
    randomizeWeights(b, 45, 0.3);
    const exported = await exportLayersModel(a);
    const error = await verifyExport(b, exported, { synthetic: 16, web: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).code).toBe('MODEL_MISMATCH');
    expect((error as VerificationError).message).toMatch(
      /export verification failed: max abs difference [\d.e-]+ > 0\.00001/,
    );
    expect((error as VerificationError).report.maxAbsDiff).toBeGreaterThan(1e-3);
  });

  it('counts each sample whose argmax differs once, though the first ones run twice (batched, then alone)', async () => {
    await useCpu();
    const a = getPreset('seed').build('age', 'six');
    const b = getPreset('seed').build('age', 'six');
    randomizeWeights(a, 47, 0.3);
    randomizeWeights(b, 48, 0.3);
    const inputs = tf.tidy(
      () => tf.randomUniform([12, 48, 48, 1], 0, 1, 'float32', 3).dataSync() as Float32Array,
    );
    const winners = (m: tf.LayersModel) =>
      tf.tidy(() =>
        Array.from((m.predict(tf.tensor(inputs, [12, 48, 48, 1])) as tf.Tensor).argMax(1).dataSync()),
      );
    const [wa, wb] = [winners(a), winners(b)];
    const differ = wa.filter((w, i) => w !== wb[i]).length;
    // The first eight samples are the ones that also run one at a time.
    expect(
      wa.slice(0, 8).some((w, i) => w !== wb[i]),
      'a differing sample among the first eight',
    ).toBe(true);
    const error = await verifyExport(b, await exportLayersModel(a), {
      inputs,
      synthetic: 0,
      web: false,
    }).catch((e: unknown) => e);
    const { report } = error as VerificationError;
    expect(report.samples).toBe(12);
    expect(report.argmaxMismatches).toBe(differ);
    expect(report.argmaxAgreement).toBeCloseTo((12 - differ) / 12, 12);
  });

  it('gives one value to two outputs (a head also exported through dropout) as two named outputs', async () => {
    await useCpu();
    const input = tf.input({ shape: [48, 48, 1] });
    const flat = tf.layers
      .flatten()
      .apply(tf.layers.averagePooling2d({ poolSize: 8 }).apply(input)) as tf.SymbolicTensor;
    const head = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor;
    const dropped = tf.layers.dropout({ rate: 0.5 }).apply(head) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [head, dropped] });
    randomizeWeights(model, 49, 0.3);
    const exported = await exportLayersModel(model, { outputNames: ['first', 'second'] });
    expect(inspectOnnx(exported.bytes).outputs).toEqual(['first', 'second']);
    for (const report of await verifyExport(model, exported, { synthetic: 4, web: false }))
      expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-6);
    // The very same tensor twice (tfjs itself cannot predict such a model, but it can be exported).
    const twice = await exportLayersModel(tf.model({ inputs: input, outputs: [head, head] }), {
      outputNames: ['first', 'second'],
    });
    const session = await ort.InferenceSession.create(twice.bytes);
    const x = new ort.Tensor('float32', new Float32Array(2304).fill(0.5), [1, 48, 48, 1]);
    const out = await session.run({ image: x });
    expect(Array.from(out.second!.data as Float32Array)).toEqual(Array.from(out.first!.data as Float32Array));
    await session.release();
  });
});
