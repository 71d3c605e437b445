/**
 * Start-up: a models folder that does not match its manifest stops the start with a clear message
 * (before a port is opened), and the provider choice falls back — reported, never silently — when a
 * provider cannot run the models; a stop while the face detector loads is told as such, not as a fault.
 */
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dawnAdapter } from '@facekit/core/node';
import { memoryLogger } from './logger.js';
import { bindModels } from './onnx-providers.js';
import { pixelsWorkerStarted } from './pixels-off-thread.js';
import { ProviderRegistry } from './provider-registry.js';
import { startServer } from './server.js';
import { modelsWithDetector } from '../test/face-photos.js';
import { fixtureOnnx, writeFixtureModels } from '../test/fixture-models.js';
import { CLASSIFY, gql, startTestServer, testPixels } from '../test/harness.js';
import type { BoundModels, FallbackSettings } from './onnx-providers.js';

async function startError(models: string, options = {}) {
  const { logger } = memoryLogger();
  try {
    const server = await startServer({ models, port: 0, host: '127.0.0.1', ...options }, { logger });
    await server.ready;
  } catch (error) {
    return error as Error & { code: string };
  }
  throw new Error('expected the start to fail');
}

describe('a models folder that does not match its manifest stops the start', () => {
  it('a corrupted byte: sha256 mismatch naming the file', async () => {
    const { dir } = await writeFixtureModels();
    const file = path.join(dir, 'ethnicity.onnx');
    const bytes = await readFile(file);
    bytes[bytes.length - 5] = 255 - bytes[bytes.length - 5]!;
    await writeFile(file, bytes);
    const error = await startError(dir);
    expect(error.code).toBe('MODEL_MISMATCH');
    expect(error.message).toMatch(
      /ethnicity\.onnx: sha256 is [0-9a-f]{64}, the manifest says [0-9a-f]{64} — the file is corrupt/,
    );
  });

  it('a truncated file, a missing file, a bad manifest', async () => {
    const a = await writeFixtureModels();
    const age = path.join(a.dir, 'age.onnx');
    await writeFile(age, (await readFile(age)).subarray(0, 100));
    expect(await startError(a.dir)).toMatchObject({
      code: 'MODEL_MISMATCH',
      message: expect.stringMatching(/age\.onnx: is 100 bytes, .* truncated/),
    });
    const b = await writeFixtureModels();
    await rm(path.join(b.dir, 'gender.onnx'));
    expect(await startError(b.manifestPath)).toMatchObject({
      code: 'MODEL_LOAD_FAILED',
      message: expect.stringMatching(/gender\.onnx: cannot read the gender model/),
    });
    const c = await writeFixtureModels();
    c.manifest.models.age!.labels = ['young', 'old'];
    await writeFile(c.manifestPath, JSON.stringify(c.manifest));
    expect(await startError(c.dir)).toMatchObject({
      code: 'INVALID_MANIFEST',
      message: expect.stringContaining(`${c.manifestPath}: models.age.labels must be [1-10`),
    });
    await writeFile(c.manifestPath, '{ not json');
    expect(await startError(c.dir)).toMatchObject({
      code: 'INVALID_MANIFEST',
      message: expect.stringContaining(`${c.manifestPath}: is not valid JSON (`),
    });
    expect(await startError(path.join(c.dir, 'nowhere'))).toMatchObject({ code: 'MODEL_LOAD_FAILED' });
  });

  it('garbage bytes that the manifest vouches for, and a graph whose output does not fit the labels', async () => {
    const { dir, manifestPath, manifest } = await writeFixtureModels();
    const garbage = Buffer.from('this is not an onnx file at all');
    await writeFile(path.join(dir, 'gender.onnx'), garbage);
    const { sha256OfBytes } = await import('@facekit/core/node');
    Object.assign(manifest.models.gender!, { sha256: sha256OfBytes(garbage), bytes: garbage.length });
    await writeFile(manifestPath, JSON.stringify(manifest));
    expect(await startError(dir)).toMatchObject({
      code: 'MODEL_LOAD_FAILED',
      message: expect.stringMatching(/gender\.onnx: not a valid ONNX model/),
    });
    const wrong = fixtureOnnx(6, 1); // six outputs where gender has two labels
    await writeFile(path.join(dir, 'gender.onnx'), wrong);
    Object.assign(manifest.models.gender!, { sha256: sha256OfBytes(wrong), bytes: wrong.length });
    await writeFile(manifestPath, JSON.stringify(manifest));
    const error = await startError(dir, { executionProviders: ['cpu'] });
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.message).toMatch(
      /cpu: .*gender\.onnx: output "probabilities" has shape \[1,6\] for 1 faces, expected \[1, 2\]/,
    );
  });
});

describe('execution provider choice', () => {
  it('falls back from a provider that fails, and says so in the logs and in health', async () => {
    const registry = (models: Parameters<typeof bindModels>[0], settings: Parameters<typeof bindModels>[2]) =>
      new ProviderRegistry<BoundModels>()
        .register({
          name: 'warp-drive',
          priority: 99,
          init: () => Promise.reject(new Error('driver exploded')),
        })
        .register({ name: 'cpu', priority: 1, init: () => bindModels(models, 'cpu', settings) });
    const server = await startTestServer({}, { registry });
    try {
      const res = await gql(server.url, '{ health { provider providers { name outcome reason } } }');
      expect(res.body.data!.health).toEqual({
        provider: 'cpu',
        providers: [
          { name: 'warp-drive', outcome: 'failed', reason: 'driver exploded' },
          { name: 'cpu', outcome: 'chosen', reason: null },
        ],
      });
      expect(server.logs).toContainEqual(
        expect.objectContaining({ level: 'warn', provider: 'warp-drive', reason: 'driver exploded' }),
      );
      expect(server.logs).toContainEqual(expect.objectContaining({ msg: 'ready', provider: 'cpu' }));
    } finally {
      await server.stop();
    }
  });

  it('lets a GPU lost while serving fall back to cpu only where the user allows cpu', async () => {
    for (const [executionProviders, cpuFallback] of [
      [[], true],
      [['webgpu', 'cpu'], true],
      [['cpu'], true],
      [['webgpu'], false],
    ] as const) {
      let asked: FallbackSettings | undefined;
      const registry = (
        models: Parameters<typeof bindModels>[0],
        settings: Parameters<typeof bindModels>[2],
        fallback: FallbackSettings,
      ) => {
        asked = fallback;
        return new ProviderRegistry<BoundModels>()
          .register({ name: 'webgpu', priority: 2, init: () => bindModels(models, 'cpu', settings) })
          .register({ name: 'cpu', priority: 1, init: () => bindModels(models, 'cpu', settings) });
      };
      const server = await startTestServer({ executionProviders }, { registry });
      await server.stop();
      expect(asked?.cpuFallback, executionProviders.join(',')).toBe(cpuFallback);
    }
  });

  it('answers health while warming: not ready, and classify says NOT_READY', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const registry = (models: Parameters<typeof bindModels>[0], settings: Parameters<typeof bindModels>[2]) =>
      new ProviderRegistry<BoundModels>().register({
        name: 'cpu',
        priority: 1,
        init: async () => {
          await gate;
          return bindModels(models, 'cpu', settings);
        },
      });
    const { dir } = await writeFixtureModels();
    const { logger } = memoryLogger();
    const server = await startServer({ models: dir, port: 0, host: '127.0.0.1' }, { logger, registry });
    try {
      const starting = await gql(server.url, '{ health { ready status provider } }');
      expect(starting.body.data!.health).toEqual({ ready: false, status: 'starting', provider: null });
      expect((await fetch(server.url.replace('/graphql', '/readyz'))).status).toBe(503);
      const early = await gql(server.url, CLASSIFY, { input: { pixels: testPixels(1) } });
      expect(early.body.errors![0]!.extensions!.code).toBe('NOT_READY');
      release();
      await server.ready;
      // Warmed with the models, so that the first photo does not wait ~200 ms for its thread.
      expect(pixelsWorkerStarted()).toBe(true);
      const ready = await gql(server.url, '{ health { ready status provider } }');
      expect(ready.body.data!.health).toEqual({ ready: true, status: 'ready', provider: 'cpu' });
      expect((await fetch(server.url.replace('/graphql', '/readyz'))).status).toBe(200);
    } finally {
      release();
      await server.stop();
    }
  });

  it('tries webgpu before cpu when asked, and serves with it where Vulkan offers an adapter', async () => {
    // The test setup offers SwiftShader's Vulkan driver where no GPU is present (CI: always).
    const adapter = await dawnAdapter().catch(() => null);
    const server = await startTestServer({ executionProviders: ['webgpu', 'cpu'] });
    try {
      if (adapter) expect(server.state.attempts[0]).toEqual({ name: 'webgpu', outcome: 'chosen' });
      else expect(server.state.attempts.map((a) => a.outcome)).toEqual(['failed', 'chosen']);
    } finally {
      await server.stop();
    }
  });

  it('reports why webgpu was not used where Vulkan offers no adapter, and serves with cpu', async () => {
    // A fresh process whose Vulkan loader is given no driver at all.
    const harness = new URL('../test/harness.ts', import.meta.url).href;
    const { dir } = await writeFixtureModels();
    const script = `import { startTestServer } from ${JSON.stringify(harness)};
const server = await startTestServer({ models: ${JSON.stringify(dir)}, executionProviders: ['webgpu', 'cpu'] });
console.log(JSON.stringify(server.state.attempts));
await server.stop();`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { env: { ...process.env, VK_DRIVER_FILES: '/nonexistent.json', VK_ADD_DRIVER_FILES: '' } },
    );
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject([
      {
        name: 'webgpu',
        outcome: 'failed',
        reason: expect.stringMatching(/age\.onnx: webgpu: cannot create a session \(.*adapter/i),
      },
      { name: 'cpu', outcome: 'chosen' },
    ]);
  }, 60_000);

  it('by default passes over webgpu when its only adapter is a software one, and says so', async (ctx) => {
    // The test setup shows Dawn Chromium's SwiftShader where no GPU is present (CI: always).
    const adapter = await dawnAdapter().catch(() => null);
    if (!adapter?.software) ctx.skip(adapter ? `a GPU is present (${adapter.description})` : 'no adapter');
    const server = await startTestServer();
    try {
      expect(server.state.attempts).toMatchObject([
        {
          name: 'cuda',
          outcome: 'skipped',
          reason: expect.stringMatching(/^CUDA provider libraries are not installed/),
        },
        { name: 'webgpu', outcome: 'skipped', reason: expect.stringMatching(/software one \(.+\)/) },
        { name: 'cpu', outcome: 'chosen' },
      ]);
      const health = await gql(server.url, '{ health { providers { name outcome } } }');
      expect(health.body.data!.health).toMatchObject({
        providers: [
          { name: 'cuda' },
          { name: 'webgpu', outcome: 'skipped' },
          { name: 'cpu', outcome: 'chosen' },
        ],
      });
    } finally {
      await server.stop();
    }
  });

  it('refuses an unknown --ep and closes the port', async () => {
    const { dir } = await writeFixtureModels();
    const { logger } = memoryLogger();
    const server = await startServer(
      { models: dir, port: 0, host: '127.0.0.1', executionProviders: ['tpu'] },
      { logger },
    );
    await expect(server.ready).rejects.toThrow('unknown execution provider "tpu"; known: cuda, webgpu, cpu');
    await expect(fetch(server.url)).rejects.toThrow();
  });
});

describe('stopping while the face detector loads', () => {
  it('says the load was cut short, and does not warn of a broken detector', async () => {
    const { logger, lines } = memoryLogger();
    const server = await startServer(
      { models: await modelsWithDetector(), port: 0, host: '127.0.0.1' },
      { logger },
    );
    // The detector takes hundreds of ms to start its thread; the stop comes before that.
    await server.stop();
    await server.ready.catch(() => undefined);
    const about = lines.filter((line) => String(line.msg).includes('detector'));
    expect(about.map((line) => [line.level, line.msg])).toEqual([
      ['info', 'face detector not started: the server stopped while it loaded'],
    ]);
  });
});
