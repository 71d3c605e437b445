/**
 * The page `pnpm demo` serves, and `vite preview` of the build, is cross-origin isolated, so
 * onnxruntime-web's wasm runs the threads `?threads=N` asks for: every response (the page, its modules,
 * the runtime's .mjs that its worker threads start from, the models) carries COOP and COEP, and in
 * headless Chromium the page reports `crossOriginIsolated`, runs 2 threads when asked and answers a
 * sample face on them, and runs one thread, the demo's default, when not asked. The dev server is
 * started as `pnpm demo` starts it (dev.ts), on the models under test; the preview serves a build of
 * them (its headers come from a hook of their own in cross-origin-isolation.ts, which the dev server's
 * checks do not reach).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, type Browser } from '../support/chromium.js';
import { buildDemo, demoVite, viteOrigin } from '../support/demo-build.js';
import { releaseTestModels, testModels } from '../support/models.js';
import { REPO_ROOT, WEB_DEMO } from '../support/paths.js';
import { tempFolder } from '../support/temp-folder.js';

/** A server started as a child, once it prints the `Local:` address Vite prints, and its origin. */
async function startListening(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ child: ChildProcess; origin: string }> {
  const child = spawn(process.execPath, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  for (const until = Date.now() + 90_000; ;) {
    const origin = viteOrigin(output);
    if (origin) return { child, origin };
    if (Date.now() > until || child.exitCode !== null) {
      await stop(child);
      throw new Error(`${args.join(' ')} never listened:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Every path must come back whole with both headers. */
async function expectIsolationHeaders(origin: string, paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    const response = await fetch(`${origin}${path}`);
    await response.arrayBuffer();
    expect(response.status, path).toBe(200);
    expect(response.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
    expect(response.headers.get('cross-origin-embedder-policy'), path).toBe('require-corp');
  }
}

const missing = chromiumMissing();

describe.skipIf(missing !== null)('web demo: cross-origin isolated under `pnpm demo`', () => {
  let demo: ChildProcess | undefined;
  let origin = '';
  let browser: Browser | undefined;

  beforeAll(async () => {
    const models = await testModels();
    ({ child: demo, origin } = await startListening(
      ['--import', 'tsx', 'packages/web-demo/dev.ts', '--port', '0', '--host', '127.0.0.1'],
      { cwd: REPO_ROOT, env: { ...process.env, FACEKIT_MODELS: models.dir } },
    ));
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stop(demo);
    await releaseTestModels();
  });

  it('sends COOP and COEP with the page, its modules, the runtime and the models', async () => {
    await expectIsolationHeaders(origin, [
      '/',
      '/src/main.ts',
      '/ort/ort-wasm-simd-threaded.mjs',
      '/models/manifest.json',
    ]);
  });

  const ready = async (query: string) => {
    const { page } = browser!;
    await page.goto(`${origin}/${query}`);
    const status = page.locator('#status');
    await status
      .and(page.locator('[data-state="ready"], [data-state="error"]'))
      .waitFor({ timeout: 120_000 });
    return { page, status: (await status.textContent()) ?? '' };
  };

  it(
    'runs wasm on the threads ?threads= asks for, and answers a face on them',
    { timeout: 150_000 },
    async () => {
      const { page, status } = await ready('?ep=wasm&threads=2');
      const log = () => `${status}\n--- page log ---\n${browser!.log.join('\n')}`;
      expect(await page.evaluate(() => crossOriginIsolated), log()).toBe(true);
      expect(status, log()).toMatch(/· wasm, 2 threads$/);
      await page.locator('[data-sample]').first().click();
      await expect
        .poll(() => page.locator('#timing').textContent(), { timeout: 30_000 })
        .toMatch(/in [\d.]+ ms on wasm/);
    },
  );

  it('runs one thread when not asked, the demo default', { timeout: 150_000 }, async () => {
    const { page, status } = await ready('?ep=wasm');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(status).toMatch(/· wasm, 1 thread$/);
  });
});

describe.skipIf(missing !== null)('web demo: cross-origin isolated under `vite preview` of the build', () => {
  let preview: ChildProcess | undefined;
  let origin = '';
  let site = '';
  let browser: Browser | undefined;

  beforeAll(async () => {
    const models = await testModels();
    // A build of its own: about 6 s here, cheap enough not to borrow another suite's.
    site = join(await tempFolder('facekit-preview-'), 'site');
    await buildDemo(site, models.dir);
    ({ child: preview, origin } = await startListening(
      [demoVite(), 'preview', '--outDir', site, '--port', '0', '--strictPort', '--host', '127.0.0.1'],
      { cwd: WEB_DEMO, env: process.env },
    ));
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stop(preview);
    await releaseTestModels();
  });

  it('sends COOP and COEP with the page, its modules, the runtime and the models', async () => {
    // The built names are hashed: the page's module and a model file are read from the build itself.
    const script = (await readdir(join(site, 'assets'))).find(
      (name) => name.startsWith('index-') && name.endsWith('.js'),
    );
    const manifest = JSON.parse(await readFile(join(site, 'models', 'manifest.json'), 'utf8')) as {
      models: Record<string, { file: string }>;
    };
    const model = Object.values(manifest.models)[0]?.file;
    expect(script, "the build's index-*.js").toBeDefined();
    expect(model, 'a model file in the built manifest').toBeDefined();
    await expectIsolationHeaders(origin, [
      '/',
      `/assets/${script}`,
      '/ort/ort-wasm-simd-threaded.mjs',
      '/models/manifest.json',
      `/models/${model}`,
    ]);
  });

  it('is crossOriginIsolated in Chromium', async () => {
    const { page } = browser!;
    await page.goto(`${origin}/?ep=wasm`);
    expect(await page.evaluate(() => crossOriginIsolated), browser!.log.join('\n')).toBe(true);
  });
});
