/**
 * The page `pnpm demo` serves is cross-origin isolated, so onnxruntime-web's wasm runs the threads
 * `?threads=N` asks for: every response (the page, its modules, the runtime's .mjs that its worker
 * threads start from, the models) carries COOP and COEP, and in headless Chromium the page reports
 * `crossOriginIsolated`, runs 2 threads when asked and answers a sample face on them, and runs one
 * thread, the demo's default, when not asked. The dev server is started as `pnpm demo` starts it
 * (dev.ts), on the models under test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, type Browser } from '../support/chromium.js';
import { releaseTestModels, testModels } from '../support/models.js';
import { REPO_ROOT } from '../support/paths.js';

const missing = chromiumMissing();

describe.skipIf(missing !== null)('web demo: cross-origin isolated under `pnpm demo`', () => {
  let demo: ChildProcess | undefined;
  let origin = '';
  let output = '';
  let browser: Browser | undefined;

  beforeAll(async () => {
    const models = await testModels();
    demo = spawn(
      process.execPath,
      ['--import', 'tsx', 'packages/web-demo/dev.ts', '--port', '0', '--host', '127.0.0.1'],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, FACEKIT_MODELS: models.dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    demo.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    demo.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    for (const until = Date.now() + 90_000; !origin;) {
      origin =
        /Local:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(output.replace(/\x1b\[[0-9;]*m/g, ''))?.[1] ?? '';
      if (Date.now() > until || demo.exitCode !== null)
        throw new Error(`pnpm demo never listened:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) {
      const exited = new Promise((r) => demo!.once('exit', r));
      demo.kill('SIGTERM');
      await exited;
    }
    await releaseTestModels();
  });

  it('sends COOP and COEP with the page, its modules, the runtime and the models', async () => {
    for (const path of ['/', '/src/main.ts', '/ort/ort-wasm-simd-threaded.mjs', '/models/manifest.json']) {
      const response = await fetch(`${origin}${path}`);
      await response.arrayBuffer();
      expect(response.status, path).toBe(200);
      expect(response.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(response.headers.get('cross-origin-embedder-policy'), path).toBe('require-corp');
    }
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
