/**
 * The server's models run on their own thread: the same answers as a binding on this thread, bit for
 * bit; the event loop stays free while a batch runs; a failed binding throws the error the thread saw;
 * a thread that dies fails its runs and is replaced by the next, or, if that binding fails, by one
 * bound in the background after a pause, the server reporting itself unready (with why) meanwhile; a
 * live thread whose runs keep failing is replaced likewise; with a fallback provider, one that cannot be
 * bound again serves on the fallback until it can; released models refuse further runs instead of
 * hanging.
 */
// toHealth's module is decorated by type-graphql, which needs the metadata polyfill loaded first (the
// server loads it with the schema).
import 'reflect-metadata';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as WorkerThreads from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pixelsToModelInput, validatePixels } from '@facekit/core';
import { loadModels, type LoadedModel, type LoadedModels } from '@facekit/core/node';
import { createRequestHandler } from './http-server.js';
import { InferenceEngine } from './inference.js';
import { bindModelsOffThread, FAILED_RUNS_BEFORE_REPLACING, type ProviderMove } from './inference-thread.js';
import { memoryLogger } from './logger.js';
import { toHealth } from './schema/health.type.js';
import { ServerState } from './state.js';
import { bindModels, type BoundModels } from './onnx-providers.js';
import { DEFAULT_MODELS, DEFAULT_OPTIONS } from './options.js';
import { fixtureSharedOnnx, writeFixtureModels } from '../test/fixture-models.js';
import { testPixels } from '../test/harness.js';

// Every worker this file starts, so a test can end the inference thread as a crash would.
const started = vi.hoisted(() => [] as Worker[]);
// Workers to end as soon as they start (before binding), as a lost GPU would fail a new binding.
const endOnStart = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:worker_threads', async (importOriginal) =>
  (await import('../../../tests/support/tracked-workers.js')).trackedWorkerThreads(
    await importOriginal<typeof WorkerThreads>(),
    started,
    (worker) => {
      if (endOnStart.count > 0) {
        endOnStart.count--;
        void worker.terminate();
      }
    },
  ),
);

const SETTINGS = { intraOpThreads: 0, warmBatchSizes: [1] };
const faces = (count: number) =>
  pixelsToModelInput(Array.from({ length: count }, (_, i) => validatePixels(testPixels(i))));

/** A server's state and HTTP probes over `bound`, as startServer wires them (no GraphQL needed here). */
async function serveBound(loaded: LoadedModels, bound: BoundModels) {
  const state = new ServerState(DEFAULT_OPTIONS, loaded, memoryLogger().logger);
  state.markReady(new InferenceEngine(bound, { maxBatchSize: 8, maxWaitMs: 0 }), []);
  const server = http.createServer(createRequestHandler(state, () => undefined as never));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { state, server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('models bound on the inference thread (the shipped models)', () => {
  let models: readonly LoadedModel[];
  let offThread: BoundModels;
  beforeAll(async () => {
    models = (await loadModels(DEFAULT_MODELS)).models;
    offThread = await bindModelsOffThread(models, 'cpu', SETTINGS);
  });
  afterAll(() => offThread?.release());

  it('answer as a binding on this thread does, bit for bit', async () => {
    const here = await bindModels(models, 'cpu', SETTINGS);
    try {
      expect(offThread.files.map((f) => f.path)).toEqual(here.files.map((f) => f.path));
      const [there, mine] = await Promise.all([
        offThread.files[0]!.run(faces(5), 5),
        here.files[0]!.run(faces(5), 5),
      ]);
      expect(Object.keys(there)).toEqual(Object.keys(mine));
      for (const name of Object.keys(mine)) expect(Array.from(there[name]!)).toEqual(Array.from(mine[name]!));
    } finally {
      await here.release();
    }
  });

  it('leave the event loop free while a batch runs', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      // 512 faces: over a hundred milliseconds of model work, during which this thread keeps ticking
      // (on this thread, onnxruntime-node's run would hold it from start to end: no tick).
      await offThread.files[0]!.run(faces(512), 512);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThanOrEqual(5);
  });
});

describe('the inference thread', () => {
  it('throws the binding error it saw, naming the file and the missing output', async () => {
    const fixture = await writeFixtureModels({ shared: ['age', 'ethnicity', 'gender'] });
    const { models } = await loadModels(fixture.dir);
    const bytes = fixtureSharedOnnx(['age', 'ethnicity'], 1);
    const failure = bindModelsOffThread(
      models.map((m) => ({ ...m, bytes })),
      'cpu',
      SETTINGS,
    );
    await expect(failure).rejects.toMatchObject({ code: 'MODEL_MISMATCH' });
    await expect(failure).rejects.toThrow(/shared\.onnx: graph has .*it lacks output "gender_probabilities"/);
  });

  it('fails the runs of a thread that dies, and binds a new one for the next run', async () => {
    const before = started.length;
    const { models } = await loadModels(DEFAULT_MODELS);
    const bound = await bindModelsOffThread(models, 'cpu', SETTINGS);
    try {
      const first = await bound.files[0]!.run(faces(2), 2);
      expect(started.length).toBe(before + 1);
      // 512 faces of the shipped models: still running when the thread is ended.
      const inFlight = bound.files[0]!.run(faces(512), 512);
      await started.at(-1)!.terminate();
      await expect(inFlight).rejects.toThrow(/the inference thread exited with code 1/);
      const again = await bound.files[0]!.run(faces(2), 2);
      expect(started.length).toBe(before + 2);
      for (const name of Object.keys(first))
        expect(Array.from(again[name]!)).toEqual(Array.from(first[name]!));
    } finally {
      await bound.release();
    }
  });

  it('replaces a live thread whose runs keep failing, as one whose GPU was lost, but not after a success', async () => {
    const { models } = await loadModels(DEFAULT_MODELS);
    const bound = await bindModelsOffThread(models, 'cpu', SETTINGS);
    // A run onnxruntime refuses on the thread: 5 values for a face of 2,304.
    const failing = () => bound.files[0]!.run(new Float32Array(5), 1);
    try {
      const before = started.length;
      const good = await bound.files[0]!.run(faces(1), 1);
      for (let i = 1; i < FAILED_RUNS_BEFORE_REPLACING; i++)
        await expect(failing()).rejects.toThrow(/does not match data length/);
      await bound.files[0]!.run(faces(1), 1); // a success starts the count again
      for (let i = 1; i < FAILED_RUNS_BEFORE_REPLACING; i++) await expect(failing()).rejects.toThrow();
      expect(started.length).toBe(before);
      await expect(failing()).rejects.toThrow(/does not match data length/);
      // The thread is taken for broken: a new one is bound by the next run, which answers as before.
      const again = await bound.files[0]!.run(faces(1), 1);
      expect(started.length).toBe(before + 1);
      for (const name of Object.keys(good)) expect(Array.from(again[name]!)).toEqual(Array.from(good[name]!));
      expect(bound.unavailable!()).toBeUndefined();
    } finally {
      await bound.release();
    }
  });

  it('after a replacement fails to bind, says why and fails runs with that error, then binds again by itself', async () => {
    const fixture = await writeFixtureModels({ seed: 7 });
    const { models } = await loadModels(fixture.dir);
    const bound = await bindModelsOffThread(models, 'cpu', SETTINGS, { rebindPauseMs: 300 });
    try {
      expect(bound.unavailable!()).toBeUndefined();
      await started.at(-1)!.terminate();
      endOnStart.count = 1;
      const before = started.length;
      await expect(bound.files[0]!.run(faces(1), 1)).rejects.toThrow(/the inference thread exited/);
      expect(bound.unavailable!()).toMatch(/the inference thread exited/);
      // Within the pause: the same error, and no thread started for it.
      await expect(bound.files[0]!.run(faces(1), 1)).rejects.toThrow(/the inference thread exited/);
      expect(started.length).toBe(before + 1);
      // After it, with no run asking: a new thread binds, and the models are available again.
      const deadline = performance.now() + 10_000;
      while (bound.unavailable!() !== undefined && performance.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(bound.unavailable!()).toBeUndefined();
      expect(started.length).toBe(before + 2);
      expect(Object.keys(await bound.files[0]!.run(faces(1), 1))).toEqual(['probabilities']);
      expect(started.length).toBe(before + 2);
    } finally {
      await bound.release();
    }
  });

  it('makes a server whose models cannot run report itself unready, with the reason, until they can', async () => {
    const fixture = await writeFixtureModels({ seed: 8 });
    const loaded = await loadModels(fixture.dir);
    const bound = await bindModelsOffThread(loaded.models, 'cpu', SETTINGS, { rebindPauseMs: 300 });
    const { state, server, base } = await serveBound(loaded, bound);
    const probe = async () => {
      const res = await fetch(`${base}/readyz`);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      return {
        status: res.status,
        body: (await res.json()) as { ready: boolean; reason?: string },
        gauge: /^facekit_ready (\d)$/m.exec(metrics)?.[1],
      };
    };
    try {
      expect(await probe()).toEqual({
        status: 200,
        body: { ready: true, status: 'ready', provider: 'cpu' },
        gauge: '1',
      });
      await started.at(-1)!.terminate();
      endOnStart.count = 1;
      await expect(bound.files[0]!.run(faces(1), 1)).rejects.toThrow(/the inference thread exited/);
      const unready = await probe();
      expect(unready.status).toBe(503);
      expect(unready.body).toMatchObject({ ready: false, status: 'ready' });
      expect(unready.body.reason).toMatch(/the inference thread exited/);
      expect(unready.gauge).toBe('0');
      expect(toHealth(state)).toMatchObject({ ready: false, unavailable: unready.body.reason });
      const deadline = performance.now() + 10_000;
      while ((await probe()).status !== 200 && performance.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await probe()).toMatchObject({ status: 200, body: { ready: true }, gauge: '1' });
      expect(toHealth(state).unavailable).toBeNull();
    } finally {
      server.close();
      await bound.release();
    }
  });

  it('serves on its fallback while the chosen provider cannot be bound again, and goes back once it can', async () => {
    const fixture = await writeFixtureModels({ seed: 9 });
    const loaded = await loadModels(fixture.dir);
    // onnxruntime-node runs cpu alone here, so cpu stands for both the GPU and its fallback; which thread
    // is which shows in the order they start.
    const moves: ProviderMove[] = [];
    const bound = await bindModelsOffThread(loaded.models, 'cpu', SETTINGS, {
      rebindPauseMs: 300,
      fallback: 'cpu',
      onMove: (move) => moves.push(move),
    });
    const { state, server, base } = await serveBound(loaded, bound);
    const readyz = async () => {
      const res = await fetch(`${base}/readyz`);
      return { status: res.status, body: (await res.json()) as { degraded?: string } };
    };
    try {
      const answer = await bound.files[0]!.run(faces(1), 1);
      expect(bound.degraded!()).toBeUndefined();
      // The GPU is lost: its thread dies, and the chosen provider cannot be bound again.
      await started.at(-1)!.terminate();
      endOnStart.count = 1;
      const before = started.length;
      const onFallback = await bound.files[0]!.run(faces(1), 1);
      expect(started.length).toBe(before + 2); // the failed binding, then the fallback's thread
      expect(Array.from(onFallback.probabilities!)).toEqual(Array.from(answer.probabilities!));
      const degraded = bound.degraded!();
      expect(degraded).toMatch(
        /^cpu cannot run the models \(the inference thread exited with code \d\); serving on cpu until it can$/,
      );
      expect(bound.unavailable!()).toBeUndefined();
      expect(moves).toEqual([{ from: 'cpu', to: 'cpu', reason: expect.stringMatching(/exited with code/) }]);
      expect(toHealth(state)).toMatchObject({ ready: true, unavailable: null, degraded });
      expect(await readyz()).toMatchObject({ status: 200, body: { degraded } });
      const fallbackEnded = new Promise((resolve) => started.at(-1)!.once('exit', resolve));
      // In the background, after the pause: the chosen provider binds again, runs go back to it, and
      // the fallback's thread ends.
      const deadline = performance.now() + 10_000;
      while (bound.degraded!() !== undefined && performance.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(bound.degraded!()).toBeUndefined();
      expect(started.length).toBe(before + 3);
      expect(moves[1]).toEqual({ from: 'cpu', to: 'cpu', reason: 'cpu could be bound again' });
      await fallbackEnded;
      expect(Array.from((await bound.files[0]!.run(faces(1), 1)).probabilities!)).toEqual(
        Array.from(answer.probabilities!),
      );
      expect(started.length).toBe(before + 3);
      expect((await readyz()).body.degraded).toBeUndefined();
    } finally {
      server.close();
      await bound.release();
    }
  });

  it('a release waits for a background rebind under way, and ends the thread it started', async () => {
    const fixture = await writeFixtureModels({ seed: 10 });
    const loaded = await loadModels(fixture.dir);
    const bound = await bindModelsOffThread(loaded.models, 'cpu', SETTINGS, {
      rebindPauseMs: 50,
      fallback: 'cpu',
    });
    await bound.files[0]!.run(faces(1), 1);
    // Onto the fallback, as above; then, after the pause, a rebind starts in the background.
    await started.at(-1)!.terminate();
    endOnStart.count = 1;
    const before = started.length;
    await bound.files[0]!.run(faces(1), 1);
    const deadline = performance.now() + 10_000;
    while (started.length < before + 3 && performance.now() < deadline)
      await new Promise((resolve) => setImmediate(resolve));
    const rebind = started.at(-1)!;
    expect(started.length).toBe(before + 3);
    let ended = false;
    rebind.once('exit', () => (ended = true));
    await bound.release();
    // Released only once that thread was bound and closed: nothing of the models runs on.
    expect(ended).toBe(true);
  });

  it('answers a run sent just before the release, and refuses runs after it', async () => {
    const { models } = await loadModels(DEFAULT_MODELS);
    const bound = await bindModelsOffThread(models, 'cpu', SETTINGS);
    const last = bound.files[0]!.run(faces(1), 1);
    const [released, again] = [bound.release(), bound.release()];
    await Promise.all([released, again]);
    expect(Object.keys(await last)).toEqual(models.map((m) => m.entry.output.name));
    await expect(bound.files[0]!.run(faces(1), 1)).rejects.toThrow('the models were released');
    await bound.release(); // and once more is harmless
  });
});
