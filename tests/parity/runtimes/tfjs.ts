/**
 * The tfjs source models (models/<task>/tfjs, loaded with @facekit/train's loader) on tfjs's pure-JS
 * cpu backend: the reference every exported graph must reproduce. A one-unit sigmoid head is widened
 * to [1 − p, p] the way the exporter's graph does, so its rows compare with the ONNX runtimes'.
 * The detector's reference is the original BlazeFace graph model from @vladmandic/human (the export's
 * source reader), its raw outputs decoded by the export's `decodeRaw` into the ONNX file's scores
 * and boxes.
 */
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { inputShape, type Task } from '@facekit/core';
import { loadDetectorGraph, readDetectorSource, tfjsDetect } from '@facekit/export';
import { loadLayersModel } from '@facekit/train';
import {
  detectEach,
  detectorSlice,
  inBatches,
  slice,
  timeEach,
  type ParityContext,
  type ParityModel,
  type Runtime,
} from './runtime.js';

export function tfjsRuntime(): Runtime {
  const models = new Map<Task, { model: tf.LayersModel; info: ParityModel }>();
  let context: ParityContext;
  let detector: { model: tf.GraphModel; version: string } | undefined;
  const detectOne = async (i: number) =>
    tfjsDetect(detector!.model, detectorSlice(context.detector!.inputs, i), context.detector!.rawOutputs);
  const predict = (task: Task, input: Float32Array, n: number) => {
    const { model, info } = models.get(task)!;
    return tf.tidy(() => {
      const y = model.predict(tf.tensor(input, inputShape(n))) as tf.Tensor2D;
      const rows = y.shape[1] === 1 && info.width === 2 ? tf.concat([tf.sub(1, y), y], 1) : y;
      return rows.dataSync() as Float32Array;
    });
  };
  return {
    name: 'tfjs cpu',
    gpu: false,
    async open(ctx) {
      context = ctx;
      tf.env().set('PROD', true); // no "install tfjs-node" banner among the suite's lines
      await tf.setBackend('cpu');
      for (const m of ctx.models) {
        if (!m.entry.tfjs) return `the manifest names no tfjs source for ${m.task}`;
        models.set(m.task, { model: await loadLayersModel(join(ctx.dir, dirname(m.entry.tfjs))), info: m });
      }
      if (ctx.detector) {
        const source = await readDetectorSource();
        detector = { model: await loadDetectorGraph(source), version: source.version };
      }
      return null;
    },
    run: async (task, count, batchSize) =>
      inBatches(count, batchSize, models.get(task)!.info.width, async (start, n) =>
        predict(task, slice(context.inputs, start, n), n),
      ),
    latency: (runs, warmUp) =>
      timeEach(runs, warmUp, async (i) => {
        for (const task of models.keys())
          predict(task, slice(context.inputs, i % context.inputs.count, 1), 1);
      }),
    detect: (count) => detectEach(count, detectOne),
    detectorLatency: (runs, warmUp) =>
      timeEach(runs, warmUp, async (i) => {
        await detectOne(i % context.detector!.inputs.count);
      }),
    describe: () =>
      `@tensorflow/tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}${detector ? `; detector: BlazeFace graph model of @vladmandic/human ${detector.version}` : ''}`,
    async close() {
      detector?.model.dispose();
      detector = undefined;
      for (const { model } of models.values()) model.dispose();
      models.clear();
    },
  };
}
