/**
 * The demo end to end in headless Chromium: build it (with the models under test), serve the static
 * build, start the GraphQL server in-process on a random port, open the page, click a sample face,
 * see three answers, run "Compare with server" and see agreement; then pick a colour photo of another
 * shape and check the server was fed the very same 48×48 input, sent as the photo and as grey levels.
 * The test also asks the server itself about the sample and checks the page shows the server's
 * labels, so the page's own verdict is not the only witness. The photo's square is then dragged and
 * resized, and the server, sent the photo with that square, must see the same input again, as it
 * must for a PNG with transparent margins. Then the awkward cases: a JPEG the two decoders read a grey
 * level apart, a photo over 4096 px, the square moved by keyboard (also while another photo is read),
 * a file that is not an image or is empty, a photo dropped while the PNG of a GIF picked before it is
 * made (the photo dropped last is shown), a pasted BMP (sent to the server as a PNG, as are a CMYK JPEG
 * and a WebP with an EXIF orientation, which the server decodes otherwise), a server answer
 * arriving after the next face, and a face picked while the models still load. A photo holding two
 * faces gets the square on the larger one, the other marked, and a click on the mark moves it there;
 * the server's classifyFaces finds the same two squares. Every face found is labelled on its mark with
 * the labels its cards show when it is picked, and the server's classifyFaces gives; a photo of ten
 * faces numbers its marks and lists the answers under the photo, at a phone's width too, and a photo
 * of four faces close together (two squares overlapping) has no two numbers on one another, each by its
 * own square, and saved with labels, no two label bands on one another; a face labelled for one photo is
 * never said under the next. A face turned 20° gets a square turned with it (the caption's angle within
 * 5°, the square drawn turned); Compare sends it with its angle and agrees, classifyFaces finds the same
 * turned square, the square keeps its angle when nudged or resized, and "Centre" puts back the upright
 * centre square.
 * Screenshots: tests/artifacts/web-demo.png, web-demo-crop.png, web-demo-faces.png, web-demo-turned.png,
 * web-demo-crowd.png, web-demo-crowd-phone.png, web-demo-crowd-close.png.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { FACE_COLOURS, type FaceCrop } from '@facekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from '../support/chromium.js';
import { closeFacesPhoto, crowdPhoto, twoFacesPhoto } from '../support/demo-photos.js';
import { openDemoSite, serverFaces, type DemoSite } from '../support/demo-site.js';
import { darkenedOnce, darkenedTwice, rgbOf } from '../support/drawn-bands.js';
import { faceScene, sampleFace, squareOverlap } from '../support/face-scene.js';
import { colourPhoto } from '../support/faces.js';
import { artifactsDir } from '../support/paths.js';
import { encodePng } from '../../packages/web-demo/png.js';

const missing = chromiumMissing();

/** A 24-bit BMP of `rgb` (row-major RGB): a format the browser reads and the server refuses. */
function bmp(rgb: Uint8Array, width: number, height: number): Buffer {
  const stride = Math.ceil((width * 3) / 4) * 4;
  const out = Buffer.alloc(54 + stride * height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(stride * height, 34);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgb.subarray((y * width + x) * 3, (y * width + x) * 3 + 3);
      out.set([b!, g!, r!], 54 + (height - 1 - y) * stride + x * 3); // bottom-up, BGR
    }
  return out;
}

/**
 * Runs "Compare with server" and checks the verdict, the three differences (within `tolerance`: 1e-5
 * between CPU runtimes, 1e-4 with a GPU one) and the shared input.
 */
async function expectAgreement(page: Page, fail: (what: string) => string, tolerance = 1e-5): Promise<void> {
  await page.locator('#compare').click();
  const verdict = page.locator('[data-verdict]');
  await verdict.or(page.locator('#comparison .error')).waitFor({ timeout: 30_000 });
  const comparison = await page.locator('#comparison').innerText();
  if ((await verdict.count()) === 0) throw new Error(fail(`no comparison: ${comparison}`));
  expect(await verdict.getAttribute('data-verdict'), fail(comparison)).toBe('agree');
  const diffs = (await page.locator('[data-diff]').allTextContents()).map((t) => Number(t.replace('−', '-')));
  expect(diffs).toHaveLength(3);
  for (const d of diffs) expect(d).toBeLessThanOrEqual(tolerance);
  expect(comparison).toContain('the same 48×48 input');
}

/** Each face mark's labels ("21–40 · White · female"), once every one of `count` has them. */
async function markAnswers(page: Page, count: number): Promise<string[]> {
  let answers: (string | null)[] = [];
  await expect
    .poll(
      async () => {
        answers = await page
          .locator('.face-mark')
          .evaluateAll((marks) => marks.map((m) => (m as HTMLElement).dataset.labels ?? null));
        return answers.length === count && answers.every((a) => a !== null);
      },
      { timeout: 30_000, message: `${count} face marks, each with its labels (data-labels)` },
    )
    .toBe(true);
  return answers as string[];
}

/** The answer the cards show, in a mark's words: each card's winning bar's label. */
const cardsAnswer = async (page: Page) =>
  (await page.locator('.card .bar.best .bar-label').allTextContents()).join(' · ');

/** Whether every face tag lies inside the photo's box. */
const tagsInsidePhoto = (page: Page) =>
  page.evaluate(() => {
    const box = document.getElementById('photo')!.getBoundingClientRect();
    return [...document.querySelectorAll('.face-tag')].every((tag) => {
      const r = tag.getBoundingClientRect();
      return (
        r.left >= box.left - 0.5 &&
        r.right <= box.right + 0.5 &&
        r.top >= box.top - 0.5 &&
        r.bottom <= box.bottom + 0.5
      );
    });
  });

/** The pairs of face numbers (tags) whose boxes on screen share any area: "2 and 3". */
const numbersOnOneAnother = (page: Page) =>
  page.evaluate(() => {
    const boxes = [...document.querySelectorAll('.face-tag')].map((tag) => tag.getBoundingClientRect());
    return boxes.flatMap((a, i) =>
      boxes
        .slice(i + 1)
        .filter((b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
        .map((b) => `${i + 1} and ${boxes.indexOf(b) + 1}`),
    );
  });

/** The face numbers (tags) neither on nor touching their own mark's square (its box on screen). */
const numbersAwayFromTheirMarks = (page: Page) =>
  page.evaluate(() => {
    const marks = [...document.querySelectorAll('.face-mark')].map((mark) => mark.getBoundingClientRect());
    return [...document.querySelectorAll('.face-tag')].flatMap((tag, i) => {
      const [r, m] = [tag.getBoundingClientRect(), marks[i]!];
      const near =
        r.left <= m.right + 0.5 &&
        m.left <= r.right + 0.5 &&
        r.top <= m.bottom + 0.5 &&
        m.top <= r.bottom + 0.5;
      return near ? [] : [i + 1];
    });
  });

describe.skipIf(missing !== null)('web demo in headless Chromium', () => {
  let demo: DemoSite;

  beforeAll(async () => {
    demo = await openDemoSite();
  }, 180_000);

  afterAll(async () => demo?.close());

  it('classifies a sample face in the browser and agrees with the server', { timeout: 120_000 }, async () => {
    const { page } = demo.browser;
    await page.goto(`${demo.origin}/?ep=wasm&server=${encodeURIComponent(demo.api.url)}`);
    const status = page.locator('#status');
    await status
      .and(page.locator('[data-state="ready"]'))
      .waitFor({ timeout: 60_000 })
      .catch(async () => {
        throw new Error(demo.fail(`models did not load: ${await status.textContent()}`));
      });
    expect(await status.textContent()).toMatch(
      /age, ethnicity, gender \(run .+\) on onnxruntime-web [\d.]+ · wasm/,
    );

    const sample = page.locator('[data-sample]').first();
    const file = await sample.getAttribute('data-sample');
    await sample.click();
    await page.locator('[data-answer]').nth(2).waitFor({ timeout: 30_000 });
    const answers = await page.locator('[data-answer]').allTextContents();
    expect(answers).toHaveLength(3);
    expect(answers[0]).toMatch(/^\d+(–\d+ years| years or older)$/);

    // The server's own answer for the same photo, asked directly, must be what the page shows.
    const png = await readFile(join(demo.build, 'samples', file!));
    const direct = (await (
      await fetch(demo.api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query:
            'mutation($i: ClassifyInput!) { classify(input: $i) { ethnicity { label } gender { label } } }',
          variables: { i: { image: png.toString('base64') } },
        }),
      })
    ).json()) as { data: { classify: { ethnicity: { label: string }; gender: { label: string } } } };
    expect(answers.slice(1)).toEqual([
      direct.data.classify.ethnicity.label,
      direct.data.classify.gender.label,
    ]);

    await expectAgreement(page, demo.fail);
    await page.screenshot({ path: join(await artifactsDir(), 'web-demo.png'), fullPage: true });
  });

  it(
    'classifies a picked colour photo and feeds the server the same 48×48 input',
    { timeout: 60_000 },
    async () => {
      const { page } = demo.browser;
      const photo = encodePng(colourPhoto(7, 320, 240), 320, 240, 3);
      await page.locator('#file').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: photo });
      await page.locator('#photo-caption', { hasText: 'photo.png · 320×240' }).waitFor({ timeout: 30_000 });
      // The drawn face fills the photo's height: the detector's wide look finds it (score 0.53) and
      // moves the square onto it; "Centre" puts back the centre square this test works from.
      await page.locator('#detection', { hasText: 'Face found' }).waitFor({ timeout: 30_000 });
      await page.locator('#crop-reset').click();
      await page.locator('#photo-caption', { hasText: 'centre square' }).waitFor({ timeout: 30_000 });
      await page.locator('#send-as').selectOption('image');
      await expectAgreement(page, demo.fail);
      await page.locator('#send-as').selectOption('pixels');
      await expectAgreement(page, demo.fail);
      expect(await page.locator('#comparison').innerText()).toContain('given the grey levels');

      // Drag the square off the centre and shrink it: the page classifies the new square, and the
      // server, sent the photo with that square, is fed the very same 48×48 input.
      const grey = async () => page.locator('#grey').evaluate((c: HTMLCanvasElement) => c.toDataURL());
      const centred = await grey();
      const frame = await page.locator('#crop').boundingBox();
      if (!frame) throw new Error(demo.fail('the crop square is not shown'));
      await page.mouse.move(frame.x + frame.width / 2, frame.y + frame.height / 2);
      await page.mouse.down();
      await page.mouse.move(frame.x + frame.width / 2 - 40, frame.y + frame.height / 2 - 30, { steps: 5 });
      await page.mouse.up();
      await page
        .locator('#photo-caption', { hasText: 'square at (0, 0), side 240' })
        .waitFor({ timeout: 30_000 });
      await page.locator('#crop-size').fill('120');
      await page.locator('#crop-size').dispatchEvent('change');
      await page
        .locator('#photo-caption', { hasText: 'square at (60, 60), side 120' })
        .waitFor({ timeout: 30_000 });
      expect(await grey()).not.toBe(centred);
      await page.locator('#compare:enabled').waitFor({ timeout: 30_000 });
      await page.locator('#send-as').selectOption('image');
      await expectAgreement(page, demo.fail);
      expect(await page.locator('#comparison').innerText()).toContain('given the photo');
      await page.screenshot({ path: join(await artifactsDir(), 'web-demo-crop.png'), fullPage: true });
      // Back to the centre square.
      await page.locator('#crop-reset').click();
      await page.locator('#photo-caption', { hasText: 'centre square' }).waitFor({ timeout: 30_000 });
      expect(await grey()).toBe(centred);

      // A cut-out: its margin fully transparent over a red the canvas does not keep. Both sides read
      // the margin as white, so the server is fed the same input again.
      const rgb = colourPhoto(7, 320, 240);
      const rgba = new Uint8Array(320 * 240 * 4);
      for (let i = 0; i < 320 * 240; i++) {
        const margin = i % 320 < 60 || i % 320 >= 260;
        rgba.set(margin ? [220, 30, 30, 0] : [...rgb.subarray(i * 3, i * 3 + 3), 255], i * 4);
      }
      const cutOut = encodePng(rgba, 320, 240, 4);
      await page
        .locator('#file')
        .setInputFiles({ name: 'cut-out.png', mimeType: 'image/png', buffer: cutOut });
      await page.locator('#photo-caption', { hasText: 'cut-out.png · 320×240' }).waitFor({ timeout: 30_000 });
      await page.locator('#compare:enabled').waitFor({ timeout: 30_000 });
      await expectAgreement(page, demo.fail);
    },
  );

  it(
    'puts the square on the face the detector finds, marks another, labels both, and the server sees the square it chose',
    { timeout: 60_000 },
    async () => {
      const { page } = demo.browser;
      const { png, squares } = await twoFacesPhoto();
      await page
        .locator('#file')
        .setInputFiles({ name: 'two-faces.png', mimeType: 'image/png', buffer: png });
      // (The previous photo's line says "No face found": a match must start with "Face found".)
      const detection = page.locator('#detection', { hasText: /^Face found/ });
      await detection.waitFor({ timeout: 30_000 }).catch(async () => {
        throw new Error(demo.fail(`no face found: ${await page.locator('#detection').textContent()}`));
      });
      expect(await detection.textContent()).toMatch(/1 more marked/);
      /** The square in the caption once it shows `expected`'s neighbourhood (a square near that face). */
      const squareShown = async (near: FaceCrop) => {
        let shown: FaceCrop | undefined;
        await expect
          .poll(
            async () => {
              const text = (await page.locator('#photo-caption').textContent()) ?? '';
              const [, x, y, size] =
                /^two-faces\.png · .*square at \((\d+), (\d+)\), side (\d+)/.exec(text) ?? [];
              shown = size ? { x: Number(x), y: Number(y), size: Number(size) } : undefined;
              return shown ? squareOverlap(shown, near) : 0;
            },
            { timeout: 30_000 },
          )
          .toBeGreaterThan(0.7);
        return shown!;
      };
      // The larger face first (the detector's best), framed within a few pixels of its true square.
      const first = await squareShown(squares[0]!);
      await page.locator('#compare:enabled').waitFor({ timeout: 30_000 });
      // Both faces labelled on their marks, numbered, the tags beside them on the photo; the best
      // face's labels are those its cards show.
      const answers = await markAnswers(page, 2);
      expect(await cardsAnswer(page)).toBe(answers[0]);
      await page
        .locator('#detection', { hasText: /2 faces labelled in \d+ ms/ })
        .waitFor({ timeout: 30_000 });
      console.log(`two faces: ${await page.locator('#detection').textContent()}`);
      expect(await page.locator('.face-tag').allTextContents()).toEqual(
        answers.map((a, i) => `${i + 1} · ${a}`),
      );
      expect(await page.locator('#face-marks').getAttribute('data-layout')).toBe('tags');
      expect(await page.locator('#face-list').isHidden()).toBe(true);
      expect(await tagsInsidePhoto(page)).toBe(true);
      expect(await page.locator('.face-mark').nth(1).getAttribute('aria-label')).toMatch(
        /^face 2 of 2, \d+ % sure: \d.* years.*, \w+, (male|female); show its answers$/,
      );
      expect(await page.locator('#announce').textContent()).toMatch(
        /^2 faces found and all labelled; face 1: Age: .+; Ethnicity: .+; Gender: .+$/,
      );
      await page.locator('#send-as').selectOption('image');
      await expectAgreement(page, demo.fail);
      // The other face's mark puts the square on it, its cards saying what its mark says.
      const marks = page.locator('.face-mark');
      expect(await marks.count()).toBe(2);
      await marks.nth(1).click();
      const second = await squareShown(squares[1]!);
      await page.locator('#compare:enabled').waitFor({ timeout: 30_000 });
      expect(await cardsAnswer(page)).toBe(answers[1]);
      // Its answer is the one labelling ran (no second run), and the timing line says so.
      expect(await page.locator('#timing').textContent()).toMatch(
        / ms on wasm, when the faces were labelled$/,
      );
      expect(await marks.nth(1).getAttribute('aria-current')).not.toBeNull();
      expect(await marks.nth(0).getAttribute('aria-current')).toBeNull();
      await expectAgreement(page, demo.fail);
      // The server's classifyFaces, sent the same photo, finds the very same squares in the same order,
      // and gives each face the labels its mark shows.
      const found = await serverFaces(demo.api.url, png);
      expect(found.map((f) => f.crop)).toEqual([first, second]);
      expect(found.map((f) => f.answer)).toEqual(answers);
      // "Save with labels": the photo as a PNG, each face's square drawn in its colour, the rest as it was.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('#save-labelled').click(),
      ]);
      expect(download.suggestedFilename()).toBe('two-faces-labelled.png');
      const saved = await sharp(await readFile(await download.path()))
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect([saved.info.width, saved.info.height, saved.info.channels]).toEqual([420, 300, 4]);
      const rgb = (data: Uint8Array, x: number, y: number) =>
        Array.from(data.subarray((y * 420 + x) * 4, (y * 420 + x) * 4 + 3));
      const hex = (colour: string) => [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
      found.forEach(({ crop }, i) =>
        expect(rgb(saved.data, crop.x, crop.y + Math.floor(crop.size / 2)), `face ${i + 1}'s square`).toEqual(
          hex(FACE_COLOURS[i]!),
        ),
      );
      const original = await sharp(png).ensureAlpha().raw().toBuffer();
      expect(rgb(saved.data, 5, 295)).toEqual(rgb(original, 5, 295));
      await page.screenshot({ path: join(await artifactsDir(), 'web-demo-faces.png'), fullPage: true });
    },
  );

  it(
    'labels all ten faces of a crowded photo, numbering the marks and listing the answers, at a phone width too, and numbers faces close together apart',
    { timeout: 90_000 },
    async () => {
      const { page } = demo.browser;
      const png = await crowdPhoto();
      // The page's longest task (of those over 50 ms, which the browser counts as long) while the
      // other nine faces are labelled (from the second face's labels, the first run after the page's
      // first turn, to the tenth's): one run a task, so none should be long.
      await page.evaluate(() => {
        const seen = { tasks: [] as { start: number; end: number }[], from: 0, to: 0 };
        (window as unknown as { labelling: typeof seen }).labelling = seen;
        new PerformanceObserver((list) => {
          for (const t of list.getEntries())
            seen.tasks.push({ start: t.startTime, end: t.startTime + t.duration });
        }).observe({ type: 'longtask' });
        const marks = document.getElementById('face-marks')!;
        new MutationObserver(() => {
          const labelled = marks.querySelectorAll('.face-mark[data-labels]').length;
          if (marks.querySelectorAll('.face-mark').length !== 10) return;
          if (!seen.from && labelled >= 2) seen.from = performance.now();
          if (!seen.to && labelled === 10) seen.to = performance.now();
        }).observe(marks, { subtree: true, childList: true, attributeFilter: ['data-labels'] });
      });
      await page.locator('#file').setInputFiles({ name: 'crowd.png', mimeType: 'image/png', buffer: png });
      await page.locator('#photo-caption', { hasText: 'crowd.png · 600×300' }).waitFor({ timeout: 30_000 });
      const answers = await markAnswers(page, 10);
      const detection = page.locator('#detection', { hasText: /10 faces labelled in \d+ ms/ });
      await detection.waitFor({ timeout: 30_000 }).catch(async () => {
        throw new Error(demo.fail(`not labelled: ${await page.locator('#detection').textContent()}`));
      });
      const longest = await page.evaluate(() => {
        const { tasks, from, to } = (
          window as unknown as {
            labelling: { tasks: { start: number; end: number }[]; from: number; to: number };
          }
        ).labelling;
        const during = tasks.filter((t) => t.end > from && t.start < to);
        return Math.max(0, ...during.map((t) => t.end - t.start));
      });
      console.log(
        `crowd: ${await detection.textContent()} (longest task while labelling: ${longest ? `${longest.toFixed(0)} ms` : 'none over 50 ms'})`,
      );
      expect(await page.locator('#announce').textContent()).toMatch(
        /^10 faces found and all labelled; face 1: /,
      );
      // Too many to tag on a 240-pixel photo: numbers on the marks, the answers listed under it.
      expect(await page.locator('#face-marks').getAttribute('data-layout')).toBe('numbers');
      expect(await page.locator('.face-tag').allTextContents()).toEqual(answers.map((_, i) => `${i + 1}`));
      expect(await page.locator('#face-list li').allTextContents()).toEqual(
        answers.map((a, i) => `${i + 1} · ${a}`),
      );
      expect(await page.locator('#face-list').isVisible()).toBe(true);
      expect(await tagsInsidePhoto(page)).toBe(true);
      expect(await numbersOnOneAnother(page)).toEqual([]);
      // The labels are the server's, face by face, and a mark picked shows them in its cards.
      expect((await serverFaces(demo.api.url, png)).map((f) => f.answer)).toEqual(answers);
      await page.locator('.face-mark').nth(6).click();
      await page.locator('#face-list li.selected', { hasText: /^7 · / }).waitFor({ timeout: 30_000 });
      await page.locator('#compare:enabled').waitFor({ timeout: 30_000 });
      expect(await cardsAnswer(page)).toBe(answers[6]);
      await page.screenshot({ path: join(await artifactsDir(), 'web-demo-crowd.png'), fullPage: true });

      // At a phone's width the page does not scroll sideways, and the marks stay on the photo.
      await page.setViewportSize({ width: 390, height: 844 });
      try {
        await page.waitForTimeout(300);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
        expect(await tagsInsidePhoto(page)).toBe(true);
        expect(await numbersOnOneAnother(page)).toEqual([]);
        await page.locator('#photo').scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(await artifactsDir(), 'web-demo-crowd-phone.png') });
      } finally {
        await page.setViewportSize({ width: 1200, height: 1100 });
      }

      // Faces close together, a small one over a larger one's corner: numbered, every number by its
      // own face and none on another (each in its square's top-left corner, two lay on one another).
      const close = await closeFacesPhoto();
      await page.locator('#file').setInputFiles({ name: 'close.png', mimeType: 'image/png', buffer: close });
      await page.locator('#photo-caption', { hasText: 'close.png · 600×300' }).waitFor({ timeout: 30_000 });
      const closeAnswers = await markAnswers(page, 4);
      await page
        .locator('#detection', { hasText: /4 faces labelled in \d+ ms/ })
        .waitFor({ timeout: 30_000 });
      expect(await page.locator('#face-marks').getAttribute('data-layout')).toBe('numbers');
      expect(await page.locator('.face-tag').allTextContents()).toEqual(['1', '2', '3', '4']);
      expect(await page.locator('#face-list li').allTextContents()).toEqual(
        closeAnswers.map((a, i) => `${i + 1} · ${a}`),
      );
      expect(await tagsInsidePhoto(page)).toBe(true);
      expect(await numbersOnOneAnother(page)).toEqual([]);
      expect(await numbersAwayFromTheirMarks(page)).toEqual([]);
      await page.locator('#photo').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(await artifactsDir(), 'web-demo-crowd-close.png') });
      // "Save with labels" draws their bands (black at 60 %) off one another: no pixel of the saved photo
      // lies under two of them, though they darkened some.
      await page.locator('#save-labelled:enabled').waitFor({ timeout: 30_000 });
      const [closeSaved] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('#save-labelled').click(),
      ]);
      expect(closeSaved.suggestedFilename()).toBe('close-labelled.png');
      const [closePhoto, closeDrawn] = await Promise.all([rgbOf(close), rgbOf(await closeSaved.path())]);
      expect(darkenedOnce(closePhoto, closeDrawn), 'share of the photo under one band').toBeGreaterThan(0.02);
      expect(darkenedTwice(closePhoto, closeDrawn).length, 'pixels under two bands').toBe(0);

      // Another photo picked while this one's faces are labelled: none of them is said under it.
      await page.locator('#file').setInputFiles({ name: 'crowd-2.png', mimeType: 'image/png', buffer: png });
      await page.locator('#photo-caption', { hasText: 'crowd-2.png · ' }).waitFor({ timeout: 30_000 });
      await page.locator('.face-mark[data-labels]').first().waitFor({ timeout: 30_000 });
      await page.locator('[data-sample]').first().click();
      await page
        .locator('#detection', { hasText: 'A face already cropped: not searched.' })
        .waitFor({ timeout: 30_000 });
      await page.locator('[data-answer="age"]').waitFor({ timeout: 30_000 });
      await page.waitForTimeout(1000);
      expect(await page.locator('#detection').textContent()).toBe('A face already cropped: not searched.');
      expect(await page.locator('#announce').textContent()).not.toMatch(/faces found/);
      expect(await page.locator('.face-mark').count()).toBe(0);
      expect(await page.locator('#face-list').isHidden()).toBe(true);
    },
  );

  it(
    'turns the square with a tilted face, the server sees the turned square, and it keeps its angle when moved',
    { timeout: 60_000 },
    async () => {
      const { page } = demo.browser;
      const turn = (20 * Math.PI) / 180;
      const square = { x: 140, y: 60, size: 160 };
      const photo = faceScene([{ face: await sampleFace('white-male-29.png'), square, turn }], 420, 300, 6);
      const png = encodePng(photo.data, 420, 300, 4);
      await page
        .locator('#file')
        .setInputFiles({ name: 'turned-face.png', mimeType: 'image/png', buffer: png });
      const detection = page.locator('#detection', { hasText: /^Face found/ });
      await detection.waitFor({ timeout: 30_000 }).catch(async () => {
        throw new Error(demo.fail(`no face found: ${await page.locator('#detection').textContent()}`));
      });
      /** The square the caption shows, with its angle (0 when the caption says none). */
      const caption = async (): Promise<FaceCrop | undefined> => {
        const text = (await page.locator('#photo-caption').textContent()) ?? '';
        const [, x, y, size, angle] =
          /^turned-face\.png · .*square at \((\d+), (\d+)\), side (\d+)(?:, turned (−?[\d.]+)°)?/.exec(
            text,
          ) ?? [];
        if (!size) return undefined;
        const crop = { x: Number(x), y: Number(y), size: Number(size) };
        return angle ? { ...crop, angle: Number(angle.replace('−', '-')) } : crop;
      };
      let shown: FaceCrop | undefined;
      await expect
        .poll(async () => ((shown = await caption()) ? squareOverlap(shown, square) : 0), {
          timeout: 30_000,
        })
        .toBeGreaterThan(0.7);
      // Turned with the face (clockwise, as faceScene turns it), to within a few degrees.
      expect(Math.abs(shown!.angle! - 20), JSON.stringify(shown)).toBeLessThan(5);
      // The square is drawn turned by that angle about its centre (the caption rounds it to 0.1°).
      const drawnAngle = () =>
        page.locator('#crop').evaluate((e) => {
          const m = new DOMMatrix(getComputedStyle(e).transform);
          return (Math.atan2(m.b, m.a) * 180) / Math.PI;
        });
      expect(Math.abs((await drawnAngle()) - shown!.angle!)).toBeLessThan(0.06);
      expect(
        await page
          .locator('.face-mark')
          .first()
          .evaluate((e) => getComputedStyle(e).transform),
      ).toBe(await page.locator('#crop').evaluate((e) => getComputedStyle(e).transform));
      const detected = shown!;
      await page.screenshot({ path: join(await artifactsDir(), 'web-demo-turned.png'), fullPage: true });

      // Compare sends the turned square, its angle included, and the server, reading it turned, is fed
      // the very same 48×48 input; classifyFaces, sent the photo, finds that square.
      await page.locator('#compare:enabled').waitFor({ timeout: 30_000 });
      await page.locator('#send-as').selectOption('image');
      // The photo goes as a file, in a multipart request, whose operations carry the square. Chromium
      // reports no body for such a request, so the page's own fetch is watched (and still sends it).
      await page.evaluate((url) => {
        const send = window.fetch;
        const seen: unknown[] = [];
        Object.assign(window, { sentToServer: seen });
        window.fetch = (input, init) => {
          if (String(input) === url && init?.body instanceof FormData)
            seen.push({
              operations: JSON.parse(init.body.get('operations') as string),
              file: init.body.get('0') instanceof Blob,
            });
          return send(input, init);
        };
      }, demo.api.url);
      await expectAgreement(page, demo.fail);
      const posted = (await page.evaluate(
        () => (window as unknown as { sentToServer: unknown[] }).sentToServer,
      )) as {
        operations: { variables: { input: { crop: FaceCrop; photo: null } } };
        file: boolean;
      }[];
      expect(posted.map((p) => [p.file, p.operations.variables.input.photo])).toEqual([[true, null]]);
      const sent = posted.map((p) => p.operations.variables.input.crop);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ x: detected.x, y: detected.y, size: detected.size });
      expect(sent[0]!.angle).toBeCloseTo(detected.angle!, 1);
      const found = (await (
        await fetch(demo.api.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            query: 'mutation($i: String!) { classifyFaces(image: $i) { faces { crop { x y size angle } } } }',
            variables: { i: png.toString('base64') },
          }),
        })
      ).json()) as { data: { classifyFaces: { faces: { crop: FaceCrop }[] } } };
      const server = found.data.classifyFaces.faces[0]!.crop;
      expect({ ...server, angle: undefined }).toEqual({ ...sent[0]!, angle: undefined });
      // Two runtimes' eye points (onnxruntime-web wasm, onnxruntime-node) agree to about 1e-3 px.
      expect(server.angle).toBeCloseTo(sent[0]!.angle!, 2);

      // Nudged by the keyboard and resized: it moves and grows about its centre, still turned.
      await page.locator('#crop').focus();
      await page.keyboard.press('ArrowLeft');
      await expect.poll(caption, { timeout: 30_000 }).toMatchObject({ x: detected.x - 2, y: detected.y });
      expect((await caption())!.angle).toBe(detected.angle);
      await page.locator('#crop-size').fill(String(detected.size - 20));
      await page.locator('#crop-size').dispatchEvent('change');
      await expect.poll(caption, { timeout: 30_000 }).toEqual({
        x: detected.x - 2 + 10,
        y: detected.y + 10,
        size: detected.size - 20,
        angle: detected.angle,
      });
      expect(Math.abs((await drawnAngle()) - shown!.angle!)).toBeLessThan(0.06);
      // "Centre": the upright centre square.
      await page.locator('#crop-reset').click();
      await page.locator('#photo-caption', { hasText: 'centre square' }).waitFor({ timeout: 30_000 });
      expect(await drawnAngle()).toBe(0);
    },
  );

  it(
    'a JPEG, a photo over 4096 px, the keyboard, a file that is not an image, a pasted BMP, and a late server answer',
    { timeout: 120_000 },
    async () => {
      const { page } = demo.browser;
      // A JPEG of saturated colours, written by the browser: its decoder and sharp's round such colours
      // a grey level apart here and there; the runtimes are then compared on the server's own input,
      // and must agree as strictly as on a PNG.
      const jpeg = Buffer.from(
        await page.evaluate(async () => {
          const canvas = new OffscreenCanvas(640, 400);
          const g = canvas.getContext('2d')!;
          const fill = g.createLinearGradient(0, 0, 640, 400);
          fill.addColorStop(0, '#c33');
          fill.addColorStop(1, '#33c');
          g.fillStyle = fill;
          g.fillRect(0, 0, 640, 400);
          g.fillStyle = '#0f0';
          g.beginPath();
          g.arc(320, 200, 100, 0, 7);
          g.fill();
          const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
          return Array.from(new Uint8Array(await blob.arrayBuffer()));
        }),
      );
      await page.locator('#file').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: jpeg });
      await page.locator('#photo-caption', { hasText: 'photo.jpg · 640×400' }).waitFor({ timeout: 30_000 });
      await page.locator('#compare:enabled').waitFor({ timeout: 30_000 });
      await page.locator('#send-as').selectOption('image');
      await page.locator('#compare').click();
      const verdict = page.locator('[data-verdict]');
      await verdict.or(page.locator('#comparison .error')).waitFor({ timeout: 30_000 });
      const comparison = await page.locator('#comparison').innerText();
      expect(await verdict.getAttribute('data-verdict'), demo.fail(comparison)).toBe('agree');
      expect(comparison).toMatch(
        /the same 48×48 input|input differs in \d+ grey levels \(by up to 1: its image decoder rounds differently\), so the browser also ran the server's input/,
      );

      // Over 4096 pixels a side: scaled to fit, not refused, and the server, sent the scaled photo (a
      // JPEG both sides decode), agrees.
      // Its middle fifth is transparent over a hidden red: the scaled JPEG puts it on white, as core
      // reads transparency, not on the black a canvas saved as JPEG gives it.
      const rgb = colourPhoto(3, 5000, 300);
      const rgba = new Uint8Array(5000 * 300 * 4);
      for (let i = 0; i < 5000 * 300; i++) {
        const clear = i % 5000 >= 2000 && i % 5000 < 3000;
        rgba.set(clear ? [220, 30, 30, 0] : [...rgb.subarray(i * 3, i * 3 + 3), 255], i * 4);
      }
      const wide = encodePng(rgba, 5000, 300, 4);
      await page.locator('#file').setInputFiles({ name: 'wide.png', mimeType: 'image/png', buffer: wide });
      await page
        .locator('#photo-caption', { hasText: 'wide.png · 5000×300 scaled to 4096×246 · centre square' })
        .waitFor({ timeout: 30_000 });
      const darkest = await page.locator('#grey').evaluate((c: HTMLCanvasElement) =>
        Math.min(
          ...c
            .getContext('2d')!
            .getImageData(0, 0, 48, 48)
            .data.filter((_, i) => i % 4 === 0),
        ),
      );
      expect(darkest, 'the transparent middle, read as white').toBeGreaterThan(245);
      await page.locator('#compare:enabled').waitFor({ timeout: 30_000 });
      await page.locator('#compare').click();
      await verdict.or(page.locator('#comparison .error')).waitFor({ timeout: 30_000 });
      const scaled = await page.locator('#comparison').innerText();
      expect(await verdict.getAttribute('data-verdict'), demo.fail(scaled)).toBe('agree');

      // The square moves with the arrow keys once focused, a screen pixel a press (about 25 of the
      // photo's: 4096 shown in the box's width), ten with Shift.
      const screenPixel = Math.round(4096 / (await page.locator('#photo').evaluate((e) => e.clientWidth)));
      expect(screenPixel).toBeGreaterThan(10);
      await page.locator('#crop').focus();
      await page.keyboard.press('Shift+ArrowLeft');
      await page.keyboard.press('ArrowUp');
      await page
        .locator('#photo-caption', { hasText: `square at (${1925 - 10 * screenPixel}, 0), side 246` })
        .waitFor({ timeout: 30_000 });

      // The square moved while another photo is read: the page still says it is reading that photo.
      const slow = (await page.locator('[data-sample]').nth(2).getAttribute('data-sample'))!;
      await page.route(`**/samples/${slow}`, async (route) => {
        await new Promise((r) => setTimeout(r, 1500));
        await route.continue();
      });
      await page.locator('[data-sample]').nth(2).click();
      await page.locator('#crop').focus();
      await page.keyboard.press('ArrowLeft'); // the photo is one square high
      await page.waitForTimeout(500);
      expect(await page.locator('#photo-caption').innerText()).toBe(`reading ${slow}…`);
      expect(await page.locator('#input-panel').getAttribute('aria-busy')).toBe('true');
      await page.locator('#photo-caption', { hasText: `${slow} · ` }).waitFor({ timeout: 30_000 });
      expect(await page.locator('#input-panel').getAttribute('aria-busy')).toBeNull();
      await page.unroute(`**/samples/${slow}`);

      // A file that is not an image: said under the drop zone (where a phone's screen still is), and
      // the previous photo is no longer shown or offered.
      const text = Buffer.from('not a photo');
      await page.locator('#file').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: text });
      await page
        .locator('#source-error', { hasText: 'notes.png is not an image' })
        .waitFor({ timeout: 30_000 });
      expect(await page.locator('#photo-caption').innerText()).toBe('no face yet');
      expect(await page.locator('#compare').isDisabled()).toBe(true);
      expect(await page.locator('#crop').isHidden()).toBe(true);
      await page
        .locator('#file')
        .setInputFiles({ name: 'empty.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(0) });
      await page
        .locator('#source-error', { hasText: 'empty.jpg is empty (0 bytes)' })
        .waitFor({ timeout: 30_000 });

      // A GIF of noise (1200×900: slow to read and to search), and a photo dropped the moment the GIF's
      // caption is shown, while its square is being answered and its other faces are still to be: the
      // photo dropped last is the one shown, not the GIF once its answers are in. The error above goes
      // as soon as the GIF is being read: it was the empty file's, not the GIF's.
      let seed = 1;
      const noise = Uint8Array.from(
        { length: 1200 * 900 * 3 },
        () => (seed = (seed * 69069 + 1) >>> 0) >>> 24,
      );
      const gif = await sharp(noise, { raw: { width: 1200, height: 900, channels: 3 } })
        .gif()
        .toBuffer();
      await page.evaluate(
        (after) => {
          const caption = document.getElementById('photo-caption')!;
          const error = document.getElementById('source-error')!;
          new MutationObserver((_, observer) => {
            if (caption.textContent === 'reading noise.gif…')
              caption.dataset.errorWhileReading = String(!error.hidden);
            if (!caption.textContent!.startsWith('noise.gif · ')) return;
            observer.disconnect();
            const data = new DataTransfer();
            data.items.add(new File([new Uint8Array(after)], 'after.png', { type: 'image/png' }));
            for (const type of ['dragover', 'drop'])
              document.body.dispatchEvent(
                new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }),
              );
          }).observe(caption, { childList: true, characterData: true, subtree: true });
        },
        Array.from(encodePng(colourPhoto(9, 120, 90), 120, 90, 3)),
      );
      await page.locator('#file').setInputFiles({ name: 'noise.gif', mimeType: 'image/gif', buffer: gif });
      await page.locator('#photo-caption', { hasText: 'after.png · 120×90' }).waitFor({ timeout: 30_000 });
      await page.waitForTimeout(2000);
      expect(await page.locator('#photo-caption').innerText()).toMatch(/^after\.png · 120×90/);
      expect(await page.locator('#photo-caption').getAttribute('data-error-while-reading')).toBe('false');

      // A BMP, pasted: the browser reads it, the server takes only PNG, JPEG and WebP, so the page sends
      // a PNG of the same pixels, and the two agree on the same input. The error above is gone. Pasted
      // into the server's URL field, the same image is left to the field.
      const paste = (bytes: number[], into: string | null) =>
        page.evaluate(
          ([bytes, into]) => {
            const data = new DataTransfer();
            data.items.add(new File([new Uint8Array(bytes)], 'face.bmp', { type: 'image/bmp' }));
            const target = into ? document.querySelector(into)! : document;
            target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
          },
          [bytes, into] as const,
        );
      // Dropped anywhere on the page, a file is taken; a dropped link is not followed but said.
      const dropOn = (selector: string, bytes: number[] | null) =>
        page.evaluate(
          ([selector, bytes]) => {
            const data = new DataTransfer();
            if (bytes)
              data.items.add(new File([new Uint8Array(bytes)], 'dropped.bmp', { type: 'image/bmp' }));
            else data.setData('text/uri-list', 'https://example.com/');
            const target = document.querySelector(selector)!;
            for (const type of ['dragover', 'drop'])
              target.dispatchEvent(
                new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }),
              );
          },
          [selector, bytes] as const,
        );
      await dropOn('#results', null);
      await page
        .locator('#source-error', { hasText: 'What was dropped is not a file' })
        .waitFor({ timeout: 30_000 });
      await dropOn('#results', Array.from(bmp(colourPhoto(6, 60, 50), 60, 50)));
      await page.locator('#photo-caption', { hasText: 'dropped.bmp · 60×50' }).waitFor({ timeout: 30_000 });
      const faceBmp = Array.from(bmp(colourPhoto(5, 150, 110), 150, 110));
      await paste(faceBmp, '#server-url');
      await page.waitForTimeout(500);
      expect(await page.locator('#photo-caption').innerText()).toMatch(/^dropped\.bmp/);
      await paste(faceBmp, null);
      await page.locator('#photo-caption', { hasText: 'face.bmp · 150×110' }).waitFor({ timeout: 30_000 });
      expect(await page.locator('#source-error').isHidden()).toBe(true);
      await page.locator('#compare:enabled').waitFor({ timeout: 30_000 });
      await expectAgreement(page, demo.fail);

      // Formats the server reads otherwise than the browser: a CMYK JPEG (inks to RGB by formula in the
      // browser, through a colour profile in sharp: 30 grey levels apart) and a WebP turned by its EXIF
      // orientation (by sharp, not by the browser). Sent as PNGs of the page's pixels, they agree.
      const raw = { raw: { width: 150, height: 110, channels: 3 } } as const;
      const odd = [
        {
          name: 'inks.jpg',
          caption: 'inks.jpg · 150×110',
          image: sharp(colourPhoto(5, 150, 110), raw)
            .toColourspace('cmyk')
            .jpeg(),
        },
        {
          name: 'turned.webp',
          caption: 'turned.webp · 150×110',
          image: sharp(colourPhoto(5, 150, 110), raw)
            .webp()
            .withMetadata({ orientation: 6 }),
        },
      ];
      for (const { name, caption, image } of odd) {
        const mimeType = name.endsWith('.webp') ? 'image/webp' : 'image/jpeg';
        await page.locator('#file').setInputFiles({ name, mimeType, buffer: await image.toBuffer() });
        await page.locator('#photo-caption', { hasText: caption }).waitFor({ timeout: 30_000 });
        await page.locator('#compare:enabled').waitFor({ timeout: 30_000 });
        await expectAgreement(page, (what) => demo.fail(`${name}: ${what}`));
      }

      // A server answer that arrives after another face is shown is not shown under that face.
      await page.locator('[data-sample]').first().click();
      await page.locator('#compare:enabled').waitFor({ timeout: 30_000 });
      await page.route(demo.api.url, async (route) => {
        await new Promise((r) => setTimeout(r, 1500));
        await route.continue();
      });
      await page.locator('#compare').click();
      const second = (await page.locator('[data-sample]').nth(1).getAttribute('data-sample'))!;
      await page.locator('[data-sample]').nth(1).click();
      await page.locator('#photo-caption', { hasText: `${second} · ` }).waitFor({ timeout: 30_000 });
      await page.waitForTimeout(2500);
      await page.unroute(demo.api.url);
      expect(await page.locator('#comparison').innerText()).toBe('');
      await page.locator('#compare:enabled').waitFor({ timeout: 30_000 });
    },
  );

  it(
    'answers a face picked while the models are still loading, once they are in',
    { timeout: 60_000 },
    async () => {
      const { page } = demo.browser;
      await page.route('**/models/manifest.json', async (route) => {
        await new Promise((r) => setTimeout(r, 3000));
        await route.continue();
      });
      await page.goto(`${demo.origin}/?ep=wasm&server=${encodeURIComponent(demo.api.url)}`);
      await page.locator('[data-sample]').first().click();
      await page
        .locator('#results', { hasText: 'The models are still loading' })
        .waitFor({ timeout: 30_000 });
      await page.locator('[data-answer]').nth(2).waitFor({ timeout: 30_000 });

      // A photo of two faces: searched, and both labelled, once the models are in.
      await page.goto(`${demo.origin}/?ep=wasm&server=${encodeURIComponent(demo.api.url)}`);
      const { png } = await twoFacesPhoto();
      await page
        .locator('#file')
        .setInputFiles({ name: 'two-faces.png', mimeType: 'image/png', buffer: png });
      await page
        .locator('#detection', { hasText: 'Searching for faces once the models are in…' })
        .waitFor({ timeout: 30_000 });
      expect(await page.locator('#status').getAttribute('data-state')).toBe('loading');
      const answers = await markAnswers(page, 2);
      expect(await cardsAnswer(page)).toBe(answers[0]);
      await page.unroute('**/models/manifest.json');
    },
  );

  it(
    'names the file when the manifest is not JSON (a photo then said to be neither answered nor searched), or a model whose hash matches cannot be opened, or the runtime cannot start, or the samples are missing',
    { timeout: 60_000 },
    async () => {
      const { page } = demo.browser;
      const failure = async () => {
        await page.goto(`${demo.origin}/?ep=wasm`);
        const status = page.locator('#status[data-state="error"]');
        await status.waitFor({ timeout: 30_000 });
        return (await status.textContent()) ?? '';
      };
      await page.route('**/models/manifest.json', (route) =>
        route.fulfill({ status: 200, contentType: 'application/json', body: '{ "schemaVersion": ' }),
      );
      expect(await failure()).toMatch(
        /^Cannot load the models: \/models\/manifest\.json: .*is not valid JSON/,
      );
      // A photo picked then: no answer and no face search, each said, none promised for later.
      await page
        .locator('#file')
        .setInputFiles({ name: 'two-faces.png', mimeType: 'image/png', buffer: (await twoFacesPhoto()).png });
      await page
        .locator('#results', { hasText: 'Cannot answer: the models could not be loaded' })
        .waitFor({ timeout: 30_000 });
      expect(await page.locator('#detection').textContent()).toBe(
        'Not searched for faces: the models could not be loaded.',
      );
      await page.unroute('**/models/manifest.json');

      // Bytes that are not ONNX, with a manifest whose size and sha256 match them.
      const junk = Buffer.from('not an onnx model at all');
      const manifest = JSON.parse(await readFile(join(demo.build, 'models', 'manifest.json'), 'utf8')) as {
        models: Record<string, { file: string; sha256: string; bytes: number }>;
      };
      const file = Object.values(manifest.models)[0]!.file;
      for (const entry of Object.values(manifest.models))
        Object.assign(entry, { sha256: createHash('sha256').update(junk).digest('hex'), bytes: junk.length });
      await page.route('**/models/manifest.json', (route) => route.fulfill({ json: manifest }));
      await page.route(`**/models/${file}`, (route) => route.fulfill({ body: junk }));
      expect(await failure()).toContain(`Cannot load the models: ${file}: wasm cannot open it (`);
      await page.unrouteAll();

      // onnxruntime-web's own wasm missing: the runtime is named, not the model it was to open.
      await page.route('**/ort/ort-wasm-simd-threaded.wasm', (route) => route.fulfill({ status: 404 }));
      expect(await failure()).toMatch(
        /^Cannot load the models: onnxruntime-web could not start its wasm runtime, \/ort\/ort-wasm-simd-threaded\.\{mjs,wasm\} \(/,
      );
      await page.unrouteAll();

      // The sample list missing: said where the samples would be, the page otherwise working.
      await page.route('**/samples/samples.json', (route) => route.fulfill({ status: 404, body: '' }));
      await page.goto(`${demo.origin}/?ep=wasm`);
      await page
        .locator('#samples', { hasText: 'No sample faces (samples/samples.json: HTTP 404).' })
        .waitFor({ timeout: 30_000 });
      await page.unrouteAll();
    },
  );

  it(
    'on WebGPU when asked (SwiftShader here), agrees with the server; left to choose, passes a software adapter over',
    { timeout: 400_000 },
    async () => {
      const { page } = demo.browser;
      // The onnxruntime-web builds each load fetched: the JSEP one (28 MB) only for a WebGPU attempt.
      const runtimeFiles: string[] = [];
      const onRequest = (request: { url(): string }) => {
        const file = /\/ort\/([^/?]+\.wasm)/.exec(request.url())?.[1];
        if (file) runtimeFiles.push(file);
      };
      page.on('request', onRequest);
      const ready = async (ep: string) => {
        runtimeFiles.length = 0;
        await page.goto(`${demo.origin}/?ep=${ep}&server=${encodeURIComponent(demo.api.url)}`);
        const status = page.locator('#status');
        await status
          .and(page.locator('[data-state="ready"]'))
          .waitFor({ timeout: 120_000 })
          .catch(async () => {
            throw new Error(demo.fail(`models did not load (ep=${ep}): ${await status.textContent()}`));
          });
        return {
          status: await status.textContent(),
          runtime: await page.locator('#runtime').textContent(),
          files: [...runtimeFiles],
        };
      };
      const auto = await ready('auto');
      expect(auto.status).toMatch(/· wasm/);
      expect(auto.runtime).toMatch(/wasm \(the only WebGPU adapter is a software one \(swiftshader\)/);
      expect(auto.files).toEqual(['ort-wasm-simd-threaded.wasm']);

      const asked = await ready('webgpu');
      expect(asked.status, demo.fail(asked.runtime ?? '')).toMatch(/· webgpu$/);
      expect(asked.files).toEqual(['ort-wasm-simd-threaded.jsep.wasm']);
      page.off('request', onRequest);
      await page.locator('[data-sample]').first().click();
      const started = Date.now();
      await page
        .locator('[data-answer]')
        .nth(2)
        .waitFor({ timeout: 170_000 })
        .catch(async () => {
          throw new Error(demo.fail(`no answer on webgpu: ${await page.locator('main').innerText()}`));
        });
      console.log(`webgpu answer after ${Date.now() - started} ms`);
      // Another face while this slow runtime works: nothing to compare until its own answer is in
      // (the page once compared the previous face's answer with the new face's input).
      // Whether Compare was disabled at the moment the new face's caption appeared, seen from the page.
      await page.evaluate(() => {
        const seen: boolean[] = [];
        (window as unknown as { compareOnNewFace: boolean[] }).compareOnNewFace = seen;
        const caption = document.getElementById('photo-caption')!;
        // "reading …" comes first, the previous face and its answer still shown: not the new face yet.
        new MutationObserver(() => {
          if (!caption.textContent!.startsWith('reading '))
            seen.push((document.getElementById('compare') as HTMLButtonElement).disabled);
        }).observe(caption, {
          childList: true,
          characterData: true,
          subtree: true,
        });
      });
      const second = (await page.locator('[data-sample]').nth(1).getAttribute('data-sample'))!;
      await page.locator('[data-sample]').nth(1).click();
      await page.locator('#photo-caption', { hasText: `${second} · ` }).waitFor({ timeout: 30_000 });
      const seen = await page.evaluate(
        () => (window as unknown as { compareOnNewFace: boolean[] }).compareOnNewFace,
      );
      expect(seen[0], 'Compare enabled while the new face had no answer').toBe(true);
      await page.locator('#compare:enabled').waitFor({ timeout: 170_000 });
      await expectAgreement(page, demo.fail, 1e-4);
    },
  );
});
