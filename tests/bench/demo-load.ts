/**
 * What the web demo costs a visitor before its first answer: builds the demo (with the shipped models,
 * or --models), serves the static build on localhost, and opens it in a fresh headless Chromium (cold
 * cache) once per run and runtime choice, timing navigation to "Ready" and counting the bytes fetched.
 * `?ep=wasm` and `?ep=auto` (on this Chromium: no GPU adapter, so wasm too) fetch the 14 MB wasm-only
 * runtime; `?ep=webgpu` (SwiftShader) the 28 MB JSEP one. Localhost only: on a network, add the
 * bytes' transfer time. Then, in each loaded page, the sample faces are classified one after another and
 * the page's own time per face is kept. The build is served cross-origin isolated, as `pnpm demo`
 * serves it, so `--threads` can take effect.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { parseCommandArgs, percentiles, refuseFlags, userPath, wholeNumberFlag } from '@facekit/core/node';
import { chromiumMissing, launchChromium } from '../support/chromium.js';
import { buildDemo } from '../support/demo-build.js';
import { openReadyDemo, threadsQuery } from '../support/demo-page.js';
import { SHIPPED_MODELS } from '../support/paths.js';
import { serveStatic } from '../support/static-server.js';

const HELP = `Usage: pnpm bench:demo [options]
  --models <dir>   models folder to build the demo with (default: the shipped models/)
  --ep <list>      runtime choices to open the page with: wasm, auto, webgpu (default wasm,auto,webgpu)
  --runs <n>       page loads per choice, each in a fresh browser profile (default 3)
  --threads <n>    wasm threads the page asks for (?threads=n; default: the page's own, one)
  --faces <n>      sample faces classified after each load, timed by the page (default 16)
  -h, --help       this help
`;

const { values } = parseCommandArgs(HELP, {
  options: {
    models: { type: 'string' },
    ep: { type: 'string', default: 'wasm,auto,webgpu' },
    runs: { type: 'string', default: '3' },
    threads: { type: 'string' },
    faces: { type: 'string', default: '16' },
  },
});
const runs = wholeNumberFlag(HELP, 'runs', values.runs, 1);
const faces = wholeNumberFlag(HELP, 'faces', values.faces, 1);
const threads = threadsQuery(HELP, values.threads);

/**
 * The page's own time for one face through every model (its "in 3.2 ms on wasm"), for `count`
 * sample faces clicked in turn: what a thread count changes once the page is ready.
 */
async function faceTimes(page: Page, count: number): Promise<number[]> {
  const samples = page.locator('[data-sample]');
  const timing = page.locator('#timing');
  const available = await samples.count();
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    await timing.evaluate((el) => (el.textContent = ''));
    await samples.nth(i % available).click();
    await page.waitForFunction(() =>
      /in [\d.]+ ms/.test(document.getElementById('timing')?.textContent ?? ''),
    );
    times.push(Number(/in ([\d.]+) ms/.exec((await timing.textContent()) ?? '')![1]));
  }
  return times;
}
const choices = values.ep.split(',');
for (const ep of choices)
  if (!['wasm', 'auto', 'webgpu'].includes(ep))
    refuseFlags(HELP, `--ep takes wasm, auto and webgpu, got "${ep}"`);
const missing = chromiumMissing();
if (missing) refuseFlags(HELP, missing);

const out = await mkdtemp(join(tmpdir(), 'facekit-demo-bench-'));
try {
  await buildDemo(out, values.models ? userPath(values.models) : SHIPPED_MODELS);
  const site = await serveStatic({ '/': { dir: out } }, { crossOriginIsolated: true });
  const rows: string[] = [];
  for (const ep of choices) {
    const times: number[] = [];
    let megabytes = 0;
    let runtime = '';
    const perFace: number[] = [];
    for (let run = 0; run < runs; run++) {
      const browser = await launchChromium();
      let bytes = 0;
      const wasm = new Set<string>();
      browser.page.on('response', (response) => {
        bytes += Number(response.headers()['content-length'] ?? 0);
        const file = /\/ort\/([^/?]+\.wasm)$/.exec(response.url())?.[1];
        if (file) wasm.add(file);
      });
      const started = performance.now();
      const provider = await openReadyDemo(browser.page, `${site.origin}/?ep=${ep}${threads}`);
      times.push(performance.now() - started);
      megabytes = bytes / 1e6;
      runtime = `${[...wasm].join(', ')} (${provider})`;
      perFace.push(...(await faceTimes(browser.page, faces)));
      await browser.close();
    }
    times.sort((a, b) => a - b);
    const ms = (t: number) => Math.round(t).toLocaleString('en');
    const face = percentiles(perFace);
    rows.push(
      `| ${ep} | ${runtime} | ${megabytes.toFixed(1)} | ${ms(times[Math.floor(times.length / 2)]!)} | ${ms(times[0]!)}–${ms(times.at(-1)!)} | ${face(0.5).toFixed(1)} | ${face(0.95).toFixed(1)} |`,
    );
  }
  await site.close();
  console.log(
    `# web demo load — ${new Date().toISOString()}, ${runs} cold loads per choice, localhost; then ${faces} sample faces classified per load`,
  );
  console.log(
    '| ?ep= | runtime fetched (provider) | MB fetched | ready, median ms | range ms | ms a face, median | p95 |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
} finally {
  await rm(out, { recursive: true, force: true });
}
