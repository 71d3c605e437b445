/**
 * Shared networks: one ONNX file holding a trunk and a head per task, named by several manifest
 * entries. The server must open one session for the file, run it once per batch for every task asked
 * (on the faces that asked for any of them), give each face exactly its tasks read from each entry's
 * output name, and refuse at start a file whose graph lacks a task's output or gives it a wrong shape.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inputShape, INPUT_NAME, pixelsToModelInput, TASKS, validatePixels, type Task } from '@facekit/core';
import { loadModels, sha256OfBytes, type LoadedModel } from '@facekit/core/node';
import { InferenceEngine } from './inference.js';
import { memoryLogger } from './logger.js';
import { bindModels, type BoundFile, type BoundModels } from './onnx-providers.js';
import { startServer } from './server.js';
import {
  fixtureGraphOnnx,
  fixtureSharedOnnx,
  SHARED_FILE,
  writeFixtureModels,
  type FixtureModels,
} from '../test/fixture-models.js';
import { CLASSIFY, CLASSIFY_BATCH, gql, startTestServer, testPixels } from '../test/harness.js';

const SETTINGS = { intraOpThreads: 1, warmBatchSizes: [1] };
const face = (seed: number) => validatePixels(testPixels(seed));

/** Each task's row for one face, from a session of our own on the file's bytes: the reference. */
async function reference(bytes: Uint8Array, seeds: readonly number[]): Promise<Map<Task, Float32Array>[]> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const rows: Map<Task, Float32Array>[] = [];
    for (const seed of seeds) {
      const input = new ort.Tensor('float32', pixelsToModelInput([face(seed)]), inputShape(1));
      const out = await session.run({ [INPUT_NAME]: input });
      rows.push(
        new Map(
          TASKS.filter((t) => session.outputNames.includes(`${t}_probabilities`)).map((t) => [
            t,
            out[`${t}_probabilities`]!.data as Float32Array,
          ]),
        ),
      );
    }
    return rows;
  } finally {
    await session.release();
  }
}

/** Counts a bound file's runs and the faces fed to each. */
function spyRuns(file: BoundFile): { faces: number[] } {
  const seen = { faces: [] as number[] };
  const run = file.run.bind(file);
  vi.spyOn(file, 'run').mockImplementation((input, faces) => {
    seen.faces.push(faces);
    return run(input, faces);
  });
  return seen;
}

async function sharedBytes(fixture: FixtureModels): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path.join(fixture.dir, SHARED_FILE)));
}

describe('a file every task shares', () => {
  let fixture: FixtureModels;
  let bound: BoundModels;
  let engine: InferenceEngine;
  beforeAll(async () => {
    fixture = await writeFixtureModels({ seed: 11, shared: TASKS });
    bound = await bindModels((await loadModels(fixture.dir)).models, 'cpu', SETTINGS);
    engine = new InferenceEngine(bound, { maxBatchSize: 16, maxWaitMs: 1 });
  });
  afterAll(() => bound?.release());

  it('gets one session, answering every task', () => {
    expect(bound.files).toHaveLength(1);
    expect(bound.files[0]!.path).toBe(path.join(fixture.dir, SHARED_FILE));
    expect(bound.files[0]!.models.map((m) => m.task)).toEqual(TASKS);
    expect(engine.tasks).toEqual(TASKS);
  });

  it('runs once per batch, and each face gets exactly its tasks with its own rows', async () => {
    const asked: Task[][] = [['age'], ['gender'], [...TASKS], ['ethnicity', 'age'], ['gender']];
    const seeds = asked.map((_, i) => 40 + i);
    const expected = await reference(await sharedBytes(fixture), seeds);
    const runs = spyRuns(bound.files[0]!);
    const results = await engine.runBatch(asked.map((tasks, i) => ({ pixels: face(seeds[i]!), tasks })));
    expect(runs.faces).toEqual([asked.length]);
    for (const [i, tasks] of asked.entries()) {
      expect([...results[i]!.keys()], `face ${i}`).toEqual(TASKS.filter((t) => tasks.includes(t)));
      for (const task of tasks)
        expect(Array.from(results[i]!.get(task)!), `face ${i} ${task}`).toEqual(
          Array.from(expected[i]!.get(task)!),
        );
    }
    // The rows must differ from face to face, or the comparison above could not tell them apart.
    expect(Array.from(results[1]!.get('gender')!)).not.toEqual(Array.from(results[4]!.get('gender')!));
  });

  it('answers a request for one task', async () => {
    const [expected] = await reference(await sharedBytes(fixture), [7]);
    const [result] = await engine.runBatch([{ pixels: face(7), tasks: ['ethnicity'] }]);
    expect([...result!.keys()]).toEqual(['ethnicity']);
    expect(Array.from(result!.get('ethnicity')!)).toEqual(Array.from(expected!.get('ethnicity')!));
  });
});

describe('a shared file beside a one-task file', () => {
  it('runs each file once, on only the faces that asked for one of its tasks', async () => {
    const fixture = await writeFixtureModels({ seed: 12, shared: ['age', 'gender'] });
    const bound = await bindModels((await loadModels(fixture.dir)).models, 'cpu', SETTINGS);
    try {
      expect(bound.files.map((f) => [path.basename(f.path), f.models.map((m) => m.task)])).toEqual([
        [SHARED_FILE, ['age', 'gender']],
        ['ethnicity.onnx', ['ethnicity']],
      ]);
      const [shared, ethnicity] = bound.files.map(spyRuns);
      const engine = new InferenceEngine(bound, { maxBatchSize: 16, maxWaitMs: 1 });
      const asked: Task[][] = [['ethnicity'], ['gender'], ['age', 'ethnicity'], ['ethnicity']];
      const results = await engine.runBatch(asked.map((tasks, i) => ({ pixels: face(60 + i), tasks })));
      expect(shared!.faces).toEqual([2]);
      expect(ethnicity!.faces).toEqual([3]);
      // Rows of the shared run belong to faces 1 and 2, not to the first two faces of the batch.
      const expected = await reference(await sharedBytes(fixture), [61, 62]);
      expect(Array.from(results[1]!.get('gender')!)).toEqual(Array.from(expected[0]!.get('gender')!));
      expect(Array.from(results[2]!.get('age')!)).toEqual(Array.from(expected[1]!.get('age')!));
      expect([...results[2]!.keys()]).toEqual(['age', 'ethnicity']);
      expect([...results[0]!.keys()]).toEqual(['ethnicity']);
    } finally {
      await bound.release();
    }
  });
});

describe('over HTTP', () => {
  it('one session for the shared file, one run for a classifyBatch, only the tasks asked', async () => {
    const fixture = await writeFixtureModels({ seed: 13, shared: TASKS });
    const server = await startTestServer({ models: fixture.dir, maxBatchSize: 16, maxBatchWaitMs: 5 });
    try {
      const files = server.state.engine!.bound.files;
      expect(files).toHaveLength(1);
      const runs = spyRuns(files[0]!);
      const inputs = [1, 2, 3].map((seed) => ({ pixels: testPixels(seed) }));
      const batch = await gql(server.url, CLASSIFY_BATCH, { inputs });
      expect(batch.body.errors).toBeUndefined();
      expect(runs.faces).toEqual([3]);
      const answers = batch.body.data!.classifyBatch as Record<string, unknown>[];
      for (const answer of answers) for (const task of TASKS) expect(answer[task], task).not.toBeNull();

      const one = await gql(server.url, CLASSIFY, { input: inputs[1], tasks: ['gender'] });
      const answer = one.body.data!.classify as Record<string, { probabilities: { probability: number }[] }>;
      expect(answer.age).toBeNull();
      expect(answer.ethnicity).toBeNull();
      expect(answer.gender!.probabilities.map((p) => p.probability)).toEqual(
        (answers[1]!.gender as typeof answer.gender)!.probabilities.map((p) => p.probability),
      );
      expect(runs.faces).toEqual([3, 1]);

      const models = await gql(server.url, '{ models { task file } }');
      expect(models.body.data!.models).toEqual(TASKS.map((task) => ({ task, file: SHARED_FILE })));
    } finally {
      await server.stop();
    }
  });
});

describe('a shared file that does not hold what the manifest says stops the start', () => {
  async function startError(dir: string) {
    const { logger } = memoryLogger();
    try {
      const server = await startServer(
        { models: dir, port: 0, host: '127.0.0.1', executionProviders: ['cpu'] },
        { logger },
      );
      await server.ready;
    } catch (error) {
      return error as Error & { code: string };
    }
    throw new Error('expected the start to fail');
  }

  /** Replaces the shared file with `bytes`, and every entry naming it with their hash and size. */
  async function replaceShared(fixture: FixtureModels, bytes: Uint8Array): Promise<void> {
    await writeFile(path.join(fixture.dir, SHARED_FILE), bytes);
    for (const entry of Object.values(fixture.manifest.models))
      if (entry.file === SHARED_FILE)
        Object.assign(entry, { sha256: sha256OfBytes(bytes), bytes: bytes.length });
    await writeFile(fixture.manifestPath, JSON.stringify(fixture.manifest));
  }

  it('a graph without one task’s output: MODEL_MISMATCH naming the file and the output', async () => {
    const fixture = await writeFixtureModels({ shared: TASKS });
    await replaceShared(fixture, fixtureSharedOnnx(['age', 'ethnicity'], 1));
    const error = await startError(fixture.dir);
    expect(error.code).toBe('MODEL_MISMATCH');
    expect(error.message).toMatch(/shared\.onnx: .*"gender_probabilities"/);
  });

  it('binding checks the session’s outputs itself, naming the file, the output and its task', async () => {
    const fixture = await writeFixtureModels({ shared: TASKS });
    const { models } = await loadModels(fixture.dir);
    // Bytes the loader never saw: a graph with the age and ethnicity heads only.
    const bytes = fixtureSharedOnnx(['age', 'ethnicity'], 1);
    const tampered: LoadedModel[] = models.map((m) => ({ ...m, bytes }));
    const failure = bindModels(tampered, 'cpu', SETTINGS);
    await expect(failure).rejects.toMatchObject({ code: 'MODEL_MISMATCH' });
    await expect(failure).rejects.toThrow(
      /shared\.onnx: graph has .*outputs \[age_probabilities,ethnicity_probabilities\]; it lacks output "gender_probabilities" \(gender\)/,
    );
  });

  it('a head whose width does not fit its task’s labels: the warm-up names that output', async () => {
    const fixture = await writeFixtureModels({ shared: TASKS });
    const heads = [
      { output: 'age_probabilities', classes: 6 },
      { output: 'ethnicity_probabilities', classes: 5 },
      { output: 'gender_probabilities', classes: 6 },
    ];
    await replaceShared(fixture, fixtureGraphOnnx(heads, 1));
    const error = await startError(fixture.dir);
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.message).toMatch(
      /cpu: .*shared\.onnx: output "gender_probabilities" has shape \[1,6\] for 1 faces, expected \[1, 2\]/,
    );
  });
});
