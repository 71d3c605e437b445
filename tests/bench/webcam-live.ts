/**
 * What the web demo's live labels cost: builds the demo (with the shipped models, or --models), serves
 * the static build on localhost, and opens it in headless Chromium whose fake camera films a 640×480
 * scene holding 1, 2, … of the demo's sample faces in a row, at 30 frames a second; for each scene it
 * starts the webcam, lets live labels run, and reads the page's own figures after a warm-up (each
 * averaged over half a second): the work a frame took (reading it, the detector, every face's models,
 * drawing) — median and range — and the frames labelled a second (at most the camera's 30), with the
 * faces it labelled. The page shares this machine's cores with the browser's own threads. The static
 * build is served cross-origin isolated, as `pnpm demo` serves it, so `--threads` can take effect.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandArgs, percentiles, refuseFlags, userPath, wholeNumberFlag } from '@facekit/core/node';
import { chromiumMissing, launchChromium } from '../support/chromium.js';
import { buildDemo } from '../support/demo-build.js';
import { CAMERA_SCENE_FACES, cameraScene } from '../support/face-scene.js';
import { liveLabelled, openReadyDemo, threadsQuery } from '../support/demo-page.js';
import { fakeCamera, y4m } from '../support/fake-camera.js';
import { SHIPPED_MODELS } from '../support/paths.js';
import { serveStatic } from '../support/static-server.js';

const HELP = `Usage: pnpm bench:webcam [options]
  --models <dir>    models folder to build the demo with (default: the shipped models/)
  --faces <list>    faces in the camera's scene, one scene each (default 1,2,5; at most 8)
  --seconds <n>     seconds of live labels read per scene, after 2 s of warm-up (default 10)
  --ep <choice>     the page's runtime: wasm, auto or webgpu (default wasm)
  --threads <n>     wasm threads the page asks for (?threads=n; default: the page's own, one)
  -h, --help        this help
`;

const [WIDTH, HEIGHT] = [640, 480];

const { values } = parseCommandArgs(HELP, {
  options: {
    models: { type: 'string' },
    faces: { type: 'string', default: '1,2,5' },
    seconds: { type: 'string', default: '10' },
    ep: { type: 'string', default: 'wasm' },
    threads: { type: 'string' },
  },
});
const threads = threadsQuery(HELP, values.threads);
const seconds = wholeNumberFlag(HELP, 'seconds', values.seconds, 1);
const counts = values.faces.split(',').map((n) => wholeNumberFlag(HELP, 'faces', n, 1));
if (counts.some((n) => n > CAMERA_SCENE_FACES.length))
  refuseFlags(HELP, `--faces takes at most ${CAMERA_SCENE_FACES.length}`);
if (!['wasm', 'auto', 'webgpu'].includes(values.ep))
  refuseFlags(HELP, `--ep takes wasm, auto or webgpu, got "${values.ep}"`);
const missing = chromiumMissing();
if (missing) refuseFlags(HELP, missing);

/** The middle measurement, by the benchmarks' one percentile rule. */
const median = (values: number[]) => percentiles(values)(0.5);

const dir = await mkdtemp(join(tmpdir(), 'facekit-webcam-bench-'));
try {
  await buildDemo(join(dir, 'site'), values.models ? userPath(values.models) : SHIPPED_MODELS);
  const site = await serveStatic({ '/': { dir: join(dir, 'site') } }, { crossOriginIsolated: true });
  const rows: string[] = [];
  for (const n of counts) {
    const video = join(dir, `faces-${n}.y4m`);
    await writeFile(video, y4m(await cameraScene(n, WIDTH, HEIGHT), 2));
    const browser = await launchChromium({ width: 1200, height: 1100 }, fakeCamera(video));
    try {
      const { page } = browser;
      const provider = await openReadyDemo(page, `${site.origin}/?ep=${values.ep}${threads}`);
      await page.locator('#webcam-toggle').click();
      await page.waitForTimeout(2_000);
      const perFrame: number[] = [];
      const rates: number[] = [];
      let labelled = '';
      for (const end = performance.now() + seconds * 1000; performance.now() < end;) {
        await page.waitForTimeout(500);
        const text = (await page.locator('#live-status').textContent()) ?? '';
        const [, ms, rate] = /· (\d+) ms a frame, ([\d.]+) frames\/s/.exec(text) ?? [];
        if (!ms || !rate) throw new Error(`no live labels after warm-up: "${text}"`);
        perFrame.push(Number(ms));
        rates.push(Number(rate));
        labelled = await liveLabelled(page);
      }
      rows.push(
        `| ${n} | ${labelled} | ${provider} | ${median(perFrame)} | ${Math.min(...perFrame)}–${Math.max(...perFrame)} | ${median(rates)} |`,
      );
    } finally {
      await browser.close();
    }
  }
  await site.close();
  console.log(
    `# web demo live labels — ${new Date().toISOString()}, ${WIDTH}×${HEIGHT} fake camera, ${seconds} s a scene, localhost`,
  );
  console.log(
    '| faces in scene | labelled | provider | ms of work a frame, median | range | frames labelled a second, median |',
  );
  console.log('|---:|---:|---|---:|---:|---:|');
  for (const row of rows) console.log(row);
} finally {
  await rm(dir, { recursive: true, force: true });
}
