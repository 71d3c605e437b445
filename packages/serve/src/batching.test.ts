/**
 * Micro-batching must not change answers: the same faces give bit-identical probabilities whether
 * each runs alone or gathered with others — in the engine with real onnxruntime sessions, and over HTTP
 * between a server that never batches and one that does (which must actually have batched).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModels } from '@facekit/core/node';
import { TASKS, validatePixels, type Task } from '@facekit/core';
import { InferenceEngine } from './inference.js';
import { bindModels, type BoundModels } from './onnx-providers.js';
import { CLASSIFY, gql, startTestServer, testPixels, type TestServer } from '../test/harness.js';
import { writeFixtureModels } from '../test/fixture-models.js';

describe('batched answers equal unbatched ones', () => {
  let bound: BoundModels;
  let engine: InferenceEngine;
  beforeAll(async () => {
    const { dir } = await writeFixtureModels({ seed: 3 });
    bound = await bindModels((await loadModels(dir)).models, 'cpu', {
      intraOpThreads: 0,
      warmBatchSizes: [1],
    });
    engine = new InferenceEngine(bound, { maxBatchSize: 64, maxWaitMs: 2 });
  });
  afterAll(() => bound?.release());

  it('in the engine, bit for bit, with mixed task sets', async () => {
    const subsets: Task[][] = [[...TASKS], ['age'], ['gender', 'ethnicity'], ['ethnicity']];
    const jobs = Array.from({ length: 40 }, (_, i) => ({
      pixels: validatePixels(testPixels(i)),
      tasks: subsets[i % subsets.length]!,
    }));
    const together = await engine.runBatch(jobs);
    const viaBatcher = await Promise.all(engine.classifyAll(jobs));
    for (const [i, job] of jobs.entries()) {
      const [alone] = await engine.runBatch([job]);
      expect([...alone!.keys()]).toEqual(TASKS.filter((t) => job.tasks.includes(t)));
      for (const [task, row] of alone!) {
        expect(Array.from(together[i]!.get(task)!)).toEqual(Array.from(row));
        expect(Array.from(viaBatcher[i]!.get(task)!)).toEqual(Array.from(row));
      }
    }
    // Different faces must give different answers, or the comparison above proves nothing.
    expect(Array.from(together[0]!.get('age')!)).not.toEqual(Array.from(together[4]!.get('age')!));
  });
});

describe('over HTTP', () => {
  let unbatched: TestServer;
  let batched: TestServer;
  beforeAll(async () => {
    const { dir } = await writeFixtureModels({ seed: 5 });
    unbatched = await startTestServer({ models: dir, maxBatchSize: 1, maxBatchWaitMs: 0 });
    batched = await startTestServer({ models: dir, maxBatchSize: 32, maxBatchWaitMs: 10 });
  });
  afterAll(async () => {
    await unbatched?.stop();
    await batched?.stop();
  });

  it('48 concurrent requests get the same answers from a batching and a non-batching server', async () => {
    const inputs = Array.from({ length: 48 }, (_, i) => ({ pixels: testPixels(100 + i) }));
    const one = await Promise.all(inputs.map((input) => gql(unbatched.url, CLASSIFY, { input })));
    const many = await Promise.all(inputs.map((input) => gql(batched.url, CLASSIFY, { input })));
    expect(many.map((r) => r.body)).toEqual(one.map((r) => r.body));
    expect(one.every((r) => r.body.errors === undefined)).toBe(true);
    const metrics = await (await fetch(batched.url.replace('/graphql', '/metrics'))).text();
    const count = Number(/facekit_batch_size_count (\d+)/.exec(metrics)![1]);
    const sum = Number(/facekit_batch_size_sum (\d+)/.exec(metrics)![1]);
    expect(sum).toBe(48);
    expect(count).toBeLessThan(48);
  });
});
