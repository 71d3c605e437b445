/**
 * Whether the web demo's page keeps memory per photo: builds the demo (with the shipped models, or
 * --models), serves the static build on localhost, opens it in headless Chromium, and picks N photos one
 * after the other through the file picker (photos of 2, 10 and 4 faces in turn, the two faces' last
 * before each checkpoint, so each is detected,
 * classified and every face labelled), waiting for each to be labelled. At checkpoints it collects
 * garbage and reads the JS heap in use, the DOM nodes and event listeners, the renderer's resident
 * memory and onnxruntime-web's wasm memory (page-memory.ts); then it prints what each grew per photo
 * between the 10th photo and the last. Memory that grows before a collection and not after is garbage,
 * not a leak; the first photos warm caches (the detector's and models' kernels, the decoders), hence
 * the 10th as the baseline.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandArgs, refuseFlags, userPath, wholeNumberFlag } from '@facekit/core/node';
import { chromiumMissing, launchChromium } from '../support/chromium.js';
import { buildDemo } from '../support/demo-build.js';
import { closeFacesPhoto, crowdPhoto, twoFacesPhoto } from '../support/demo-photos.js';
import { feedPhoto } from '../support/feed-photo.js';
import { watchPageMemory, type MemorySample } from '../support/page-memory.js';
import { SHIPPED_MODELS } from '../support/paths.js';
import { serveStatic } from '../support/static-server.js';

const HELP = `Usage: pnpm bench:demo-memory [options]
  --models <dir>   models folder to build the demo with (default: the shipped models/)
  --photos <n>     photos picked one after the other (default 200; at least 20)
  --ep <choice>    the page's runtime: wasm, auto or webgpu (default wasm)
  -h, --help       this help
`;

const { values } = parseCommandArgs(HELP, {
  options: {
    models: { type: 'string' },
    photos: { type: 'string', default: '200' },
    ep: { type: 'string', default: 'wasm' },
  },
});
const count = wholeNumberFlag(HELP, 'photos', values.photos, 20, 100_000);
if (!['wasm', 'auto', 'webgpu'].includes(values.ep))
  refuseFlags(HELP, `--ep takes wasm, auto or webgpu, got "${values.ep}"`);
const missing = chromiumMissing();
if (missing) refuseFlags(HELP, missing);

/** 10, 50, 100, 200, 500, 1000, 2000, … up to the last photo, which is always one. */
function checkpoints(last: number): number[] {
  const at = [10, 50];
  for (let decade = 100; decade < last; decade *= 10) at.push(decade, decade * 2, decade * 5);
  return [...new Set([...at.filter((n) => n < last), last])];
}

const MB = (bytes: number | null) => (bytes === null ? '–' : (bytes / 2 ** 20).toFixed(2));

const out = await mkdtemp(join(tmpdir(), 'facekit-demo-memory-'));
try {
  await buildDemo(out, values.models ? userPath(values.models) : SHIPPED_MODELS);
  // Isolated, as pnpm demo serves the page (cross-origin-isolation.ts).
  const site = await serveStatic({ '/': { dir: out } }, { crossOriginIsolated: true });
  const browser = await launchChromium();
  try {
    const { page, context } = browser;
    const memory = await watchPageMemory(context, page);
    await page.goto(`${site.origin}/?ep=${values.ep}`);
    const status = page.locator('#status');
    await status
      .and(page.locator('[data-state="ready"], [data-state="error"]'))
      .waitFor({ timeout: 120_000 });
    if ((await status.getAttribute('data-state')) !== 'ready')
      throw new Error(`${await status.textContent()}`);
    const provider = /· (\w+)/.exec((await status.textContent()) ?? '')?.[1] ?? '?';
    const photos = await Promise.all([twoFacesPhoto().then((p) => p.png), crowdPhoto(), closeFacesPhoto()]);
    const samples: [number, MemorySample][] = [[0, await memory.sample()]];
    const started = performance.now();
    let fed = 0;
    for (const checkpoint of checkpoints(count)) {
      for (; fed < checkpoint; fed++) {
        // The photo before a reading is always the two faces': the page then shows the same DOM at
        // every checkpoint, and what differs between readings is what the page kept.
        const photo = fed + 1 === checkpoint ? photos[0]! : photos[fed % photos.length]!;
        await feedPhoto(page, photo, `photo-${fed + 1}.png`);
      }
      samples.push([fed, await memory.sample()]);
      process.stderr.write(`${fed}/${count} photos\n`);
    }
    const seconds = (performance.now() - started) / 1000;

    console.log(
      `# web demo memory — ${new Date().toISOString()}, ${count} photos (2, 10 and 4 faces in turn) on ${provider}, ` +
        `${(seconds / count).toFixed(2)} s a photo; every figure after a forced garbage collection`,
    );
    console.log(
      '| photos | JS heap used, MB | DOM nodes | listeners | documents | renderer RSS, MB | wasm memory, MB |',
    );
    console.log('|---:|---:|---:|---:|---:|---:|---:|');
    for (const [n, s] of samples)
      console.log(
        `| ${n === 0 ? '0 (ready)' : n} | ${MB(s.jsHeapUsed)} | ${s.nodes} | ${s.listeners} | ${s.documents} | ${MB(s.rendererRss)} | ${MB(s.wasm)} |`,
      );
    const [first, last] = [samples.find(([n]) => n === 10)![1], samples.at(-1)![1]];
    const per = (a: number | null, b: number | null, unit: number) =>
      a === null || b === null ? '–' : ((b - a) / unit / (count - 10)).toFixed(unit === 1 ? 2 : 1);
    console.log(
      `Growth per photo, photo 10 → ${count}: JS heap ${per(first.jsHeapUsed, last.jsHeapUsed, 1024)} KB, ` +
        `DOM nodes ${per(first.nodes, last.nodes, 1)}, listeners ${per(first.listeners, last.listeners, 1)}, ` +
        `renderer RSS ${per(first.rendererRss, last.rendererRss, 1024)} KB, wasm ${per(first.wasm, last.wasm, 1024)} KB`,
    );
  } finally {
    await browser.close();
    await site.close();
  }
} finally {
  await rm(out, { recursive: true, force: true });
}
