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
 *
 * With --webcam <seconds>, the same readings for live labels instead: Chromium's fake camera films the
 * scene `pnpm bench:webcam` films (2, then 5 of the sample faces; face-scene.ts), the webcam is started
 * with live labels on, and the page is read at 10, 30, 60, 120, 300… seconds and at the end, with the
 * frames labelled so far (the page's own count); the growth is per 1,000 frames from the first reading
 * to the last. Live labels run on every frame for as long as the camera is on, so memory kept a frame
 * would show here long before a photo's would.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandArgs, refuseFlags, userPath, wholeNumberFlag } from '@facekit/core/node';
import { chromiumMissing, launchChromium } from '../support/chromium.js';
import { buildDemo } from '../support/demo-build.js';
import { liveLabelled, openReadyDemo } from '../support/demo-page.js';
import { closeFacesPhoto, crowdPhoto, twoFacesPhoto } from '../support/demo-photos.js';
import { cameraScene } from '../support/face-scene.js';
import { fakeCamera, y4m } from '../support/fake-camera.js';
import { feedPhoto } from '../support/feed-photo.js';
import { watchPageMemory, type MemorySample } from '../support/page-memory.js';
import { SHIPPED_MODELS } from '../support/paths.js';
import { serveStatic } from '../support/static-server.js';

const HELP = `Usage: pnpm bench:demo-memory [options]
  --models <dir>   models folder to build the demo with (default: the shipped models/)
  --photos <n>     photos picked one after the other (default 200; at least 20)
  --webcam <s>     live labels instead of photos: a fake camera filming 2, then 5 faces, s seconds
                   each (at least 20), read at 10, 30, 60, 120, 300… s and at the end
  --ep <choice>    the page's runtime: wasm, auto or webgpu (default wasm)
  -h, --help       this help
`;

const { values } = parseCommandArgs(HELP, {
  options: {
    models: { type: 'string' },
    photos: { type: 'string' },
    webcam: { type: 'string' },
    ep: { type: 'string', default: 'wasm' },
  },
});
if (values.photos !== undefined && values.webcam !== undefined)
  refuseFlags(HELP, '--photos and --webcam measure different things: give one');
const webcam =
  values.webcam === undefined ? null : wholeNumberFlag(HELP, 'webcam', values.webcam, 20, 86_400);
const count = wholeNumberFlag(HELP, 'photos', values.photos ?? '200', 20, 100_000);
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

/** Seconds of live labels to read at: 10, 30, 60, 120, 300, 600, 1200, 1800, 3600… and the last. */
function webcamCheckpoints(last: number): number[] {
  const at = [10, 30, 60, 120, 300, 600, 1200, 1800];
  for (let hour = 3600; hour < last; hour *= 2) at.push(hour);
  return [...new Set([...at.filter((n) => n < last), last])];
}

const MB = (bytes: number | null) => (bytes === null ? '–' : (bytes / 2 ** 20).toFixed(2));

/**
 * The readings as a table (`unit`: "photos", "frames"; `at`: a reading's first column, which can say
 * more than the count), and what each figure grew per `per` of them from the first reading after the
 * ready page (`samples[1]`) to the last, the first readings warming caches, and between the last two.
 */
function report(
  title: string,
  unit: string,
  at: (count: number, i: number) => string,
  samples: readonly [number, MemorySample][],
  per: number,
): void {
  console.log(title);
  console.log(
    `| ${unit} | JS heap used, MB | DOM nodes | listeners | documents | renderer RSS, MB | of it anonymous, MB | wasm memory, MB |`,
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  samples.forEach(([n, s], i) =>
    console.log(
      `| ${at(n, i)} | ${MB(s.jsHeapUsed)} | ${s.nodes} | ${s.listeners} | ${s.documents} | ${MB(s.rendererRss)} | ${MB(s.rendererAnon)} | ${MB(s.wasm)} |`,
    ),
  );
  const each = per === 1 ? unit.replace(/s$/, '') : `${per.toLocaleString('en')} ${unit}`;
  const growth = ([from, first]: [number, MemorySample], [to, last]: [number, MemorySample]) => {
    const units = (to - from) / per;
    const grew = (a: number | null, b: number | null, scale: number) =>
      a === null || b === null || units <= 0 ? '–' : ((b - a) / scale / units).toFixed(scale === 1 ? 2 : 1);
    return (
      `${from} → ${to} ${unit}: JS heap ${grew(first.jsHeapUsed, last.jsHeapUsed, 1024)} KB, ` +
      `DOM nodes ${grew(first.nodes, last.nodes, 1)}, listeners ${grew(first.listeners, last.listeners, 1)}, ` +
      `renderer RSS ${grew(first.rendererRss, last.rendererRss, 1024)} KB ` +
      `(anonymous ${grew(first.rendererAnon, last.rendererAnon, 1024)} KB), wasm ${grew(first.wasm, last.wasm, 1024)} KB`
    );
  };
  console.log(`Growth per ${each}, ${growth(samples[1]!, samples.at(-1)!)}`);
  // The last stretch apart: memory that fills up once (a cache, the camera's buffers) weighs on the
  // first figure, and whether it still grows at the end is what tells a leak from a warm-up.
  if (samples.length > 3)
    console.log(`Of which the last stretch, ${growth(samples.at(-2)!, samples.at(-1)!)}`);
}

/** Photos of 2, 10 and 4 faces picked one after the other, read at checkpoints(count). */
async function photosRun(origin: string): Promise<void> {
  const browser = await launchChromium();
  try {
    const { page, context } = browser;
    const memory = await watchPageMemory(context, page);
    const provider = await openReadyDemo(page, `${origin}/?ep=${values.ep}`);
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
    report(
      `# web demo memory — ${new Date().toISOString()}, ${count} photos (2, 10 and 4 faces in turn) on ${provider}, ` +
        `${(seconds / count).toFixed(2)} s a photo; every figure after a forced garbage collection`,
      'photos',
      (n) => (n === 0 ? '0 (ready)' : String(n)),
      samples,
      1,
    );
  } finally {
    await browser.close();
  }
}

const [WIDTH, HEIGHT] = [640, 480];

/** Live labels on a fake camera filming `faces` faces for `seconds`, read at webcamCheckpoints. */
async function webcamRun(origin: string, dir: string, faces: number, seconds: number): Promise<void> {
  const video = join(dir, `faces-${faces}.y4m`);
  await writeFile(video, y4m(await cameraScene(faces, WIDTH, HEIGHT), 2));
  const browser = await launchChromium({ width: 1200, height: 1100 }, fakeCamera(video));
  try {
    const { page, context } = browser;
    const memory = await watchPageMemory(context, page);
    const provider = await openReadyDemo(page, `${origin}/?ep=${values.ep}`);
    const samples: [number, MemorySample][] = [[0, await memory.sample()]];
    const times = ['ready'];
    const live = page.locator('#live-status');
    await page.locator('#webcam-toggle').click();
    // The page's count of frames labelled, written with its status line every half second.
    await live.and(page.locator('[data-frames]')).waitFor({ timeout: 60_000 });
    const started = performance.now();
    let labelled = '?';
    for (const checkpoint of webcamCheckpoints(seconds)) {
      await page.waitForTimeout(Math.max(0, started + checkpoint * 1000 - performance.now()));
      const frames = Number(await live.getAttribute('data-frames'));
      if (!Number.isFinite(frames)) throw new Error(`live labels stopped: "${await live.textContent()}"`);
      labelled = await liveLabelled(page);
      samples.push([frames, await memory.sample()]);
      times.push(`${checkpoint} s`);
      process.stderr.write(`${faces} faces: ${checkpoint}/${seconds} s, ${frames} frames\n`);
    }
    const [frames, elapsed] = [samples.at(-1)![0], (performance.now() - started) / 1000];
    report(
      `# web demo live labels memory — ${new Date().toISOString()}, fake ${WIDTH}×${HEIGHT} camera filming ${faces} faces ` +
        `(${labelled} labelled a frame) on ${provider}, ${seconds} s, ${frames} frames (${(frames / elapsed).toFixed(1)} a second); ` +
        'every figure after a forced garbage collection',
      'frames',
      (n, i) => `${n} (${times[i]})`,
      samples,
      1000,
    );
  } finally {
    await browser.close();
  }
}

const out = await mkdtemp(join(tmpdir(), 'facekit-demo-memory-'));
try {
  await buildDemo(join(out, 'site'), values.models ? userPath(values.models) : SHIPPED_MODELS);
  // Isolated, as pnpm demo serves the page (cross-origin-isolation.ts).
  const site = await serveStatic({ '/': { dir: join(out, 'site') } }, { crossOriginIsolated: true });
  try {
    if (webcam === null) await photosRun(site.origin);
    // The scenes bench:webcam films with more than one face: a face each would tell nothing more.
    else for (const faces of [2, 5]) await webcamRun(site.origin, out, faces, webcam);
  } finally {
    await site.close();
  }
} finally {
  await rm(out, { recursive: true, force: true });
}
