/**
 * The web demo's live labels end to end in headless Chromium: the browser's fake camera plays a Y4M
 * file of a scene holding two faces (tests/support/face-scene.ts), the webcam is started, and the labels
 * drawn over it must name both faces — the same labels, in the same order, as the server's
 * classifyFaces gives for a PNG of the very frame the page read — with each face's square drawn on the
 * overlay where the server puts it. Unticking "Live labels" clears them; "Take photo" gives the page
 * the frame with both faces found; stopping the camera stops the labels, and stopping it while it
 * starts is no error; a camera whose track ends (unplugged) is said to have stopped, its labels gone. Screenshot: tests/artifacts/web-demo-webcam.png.
 */
import { cp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from '../support/chromium.js';
import { openDemoSite, serverFaces, type DemoSite } from '../support/demo-site.js';
import { faceScene, sampleFace } from '../support/face-scene.js';
import { fakeCamera, y4m } from '../support/fake-camera.js';
import { testModels } from '../support/models.js';
import { artifactsDir } from '../support/paths.js';
import { tempFolder } from '../support/temp-folder.js';

const missing = chromiumMissing();

describe.skipIf(missing !== null)('web demo: live labels on the webcam (headless Chromium)', () => {
  let dir = '';
  let demo: DemoSite;

  beforeAll(async () => {
    dir = await tempFolder('facekit-webcam-');
    const [big, small] = await Promise.all(['white-male-29.png', 'black-female-47.png'].map(sampleFace));
    const scene = faceScene(
      [
        { face: big!, square: { x: 360, y: 90, size: 200 } },
        { face: small!, square: { x: 70, y: 230, size: 130 } },
      ],
      640,
      480,
      11,
    );
    const video = join(dir, 'two-faces.y4m');
    await writeFile(video, y4m(scene, 2));
    // The same models without the face detector, for the page that cannot label live.
    const withoutDetector = join(dir, 'models-without-detector');
    await cp((await testModels()).dir, withoutDetector, { recursive: true });
    await rm(join(withoutDetector, 'face-detector.json'));
    demo = await openDemoSite({
      builds: { '/no-detector/': withoutDetector },
      chromiumArgs: fakeCamera(video),
    });
  }, 180_000);

  afterAll(async () => {
    await demo?.close();
  });

  it(
    'labels every face in the camera as the server labels the same frame',
    { timeout: 120_000 },
    async () => {
      const { page } = demo.browser;
      await page.goto(`${demo.origin}/?ep=wasm`);
      await page
        .locator('#status[data-state="ready"]')
        .waitFor({ timeout: 60_000 })
        .catch(async () => {
          throw new Error(demo.fail(`models did not load: ${await page.locator('#status').textContent()}`));
        });
      await page.locator('#webcam-toggle').click();
      const status = page.locator('#live-status');
      const labelled = () =>
        page.waitForFunction(
          () => JSON.parse(document.getElementById('live-status')!.dataset.faces ?? '[]').length > 0,
          undefined,
          { timeout: 30_000 },
        );
      await labelled().catch(async () => {
        throw new Error(demo.fail(`no live labels: ${await status.textContent()}`));
      });
      const live = JSON.parse((await status.getAttribute('data-faces'))!) as string[];
      expect(await status.textContent()).toMatch(
        /^Live labels: 2 faces \(1: .+; 2: .+\) · \d+ ms a frame, [\d.]+ frames\/s on wasm$/,
      );
      // The frames labelled so far, which `pnpm bench:demo-memory --webcam` divides memory by.
      expect(Number(await status.getAttribute('data-frames'))).toBeGreaterThan(0);

      // The frame the page reads, as a PNG, asked of the server: the same faces, labelled the same.
      const frame = await page.evaluate(() => {
        const video = document.getElementById('webcam') as HTMLVideoElement;
        const canvas = document.createElement('canvas');
        [canvas.width, canvas.height] = [video.videoWidth, video.videoHeight];
        canvas.getContext('2d')!.drawImage(video, 0, 0);
        return canvas.toDataURL('image/png').slice('data:image/png;base64,'.length);
      });
      const faces = await serverFaces(demo.api.url, Buffer.from(frame, 'base64'));
      expect(faces).toHaveLength(2);
      expect(live).toEqual(faces.map((f) => f.answer));

      // Each square drawn on the overlay in its colour (yellow, then cyan), on the middle of its left side.
      const colours = await page.evaluate(
        (crops) => {
          const overlay = document.getElementById('webcam-overlay') as HTMLCanvasElement;
          const context = overlay.getContext('2d')!;
          return crops.map((c) =>
            Array.from(context.getImageData(c.x, Math.round(c.y + c.size / 2), 1, 1).data),
          );
        },
        faces.map((f) => f.crop),
      );
      expect(colours[0]!.slice(0, 3)).toEqual([255, 212, 0]);
      expect(colours[1]!.slice(0, 3)).toEqual([0, 229, 255]);
      await page.screenshot({ path: join(await artifactsDir(), 'web-demo-webcam.png'), fullPage: true });

      // Unticked: the labels go; ticked again: they come back.
      await page.locator('#live-toggle').uncheck();
      expect(await status.textContent()).toBe('');
      expect(await status.getAttribute('data-frames')).toBeNull();
      await page.locator('#live-toggle').check();
      await labelled();
      // "Take photo" hands the frame to the page's full view: the same two faces found there.
      await page.locator('#webcam-capture').click();
      await page
        .locator('#detection', { hasText: /^Face found.*1 more marked/ })
        .waitFor({ timeout: 30_000 })
        .catch(async () => {
          throw new Error(demo.fail(`the photo taken: ${await page.locator('#detection').textContent()}`));
        });
      expect(await page.locator('#photo-caption').textContent()).toMatch(
        /^webcam frame · 640×480 · square at/,
      );
      // The camera stopped: no more labels, the overlay hidden.
      await page.locator('#webcam-toggle').click();
      await page.locator('#webcam-overlay').waitFor({ state: 'hidden', timeout: 10_000 });
      expect(await status.textContent()).toBe('');

      // Stopped again while it starts to play (the button pressed twice): off, and no error said.
      await page.evaluate(async () => {
        const video = document.getElementById('webcam') as HTMLVideoElement;
        const toggle = document.getElementById('webcam-toggle')!;
        toggle.click();
        while (!video.srcObject) await new Promise((r) => setTimeout(r, 0));
        toggle.click();
      });
      await page.waitForTimeout(1000);
      expect(await page.locator('#source-error').isHidden(), demo.fail('an error for a stop')).toBe(true);
      expect(await page.locator('#webcam-toggle').textContent()).toBe('Use webcam');

      // The camera goes away while labelling (unplugged: its track ends, as the browser ends it): the
      // page says so, offers to start it again, and shows no labels of a camera that is gone.
      await page.locator('#webcam-toggle').click();
      await labelled();
      await page.evaluate(() => {
        const video = document.getElementById('webcam') as HTMLVideoElement;
        const track = (video.srcObject as MediaStream).getVideoTracks()[0]!;
        track.stop();
        track.dispatchEvent(new Event('ended'));
      });
      await page
        .locator('#source-error', { hasText: 'Webcam: the camera stopped' })
        .waitFor({ timeout: 10_000 })
        .catch(async () => {
          throw new Error(demo.fail(`nothing said: ${await status.textContent()}`));
        });
      expect(await page.locator('#webcam-toggle').textContent()).toBe('Use webcam');
      expect(await page.locator('#webcam-capture').isHidden()).toBe(true);
      await page.locator('#webcam-overlay').waitFor({ state: 'hidden', timeout: 10_000 });
      expect(await status.textContent()).toBe('');
    },
  );

  it(
    'says why there are no live labels without a face detector, and keeps the camera',
    { timeout: 60_000 },
    async () => {
      const { page } = demo.browser;
      await page.goto(`${demo.origin}/no-detector/?ep=wasm`);
      await page.locator('#status[data-state="ready"]').waitFor({ timeout: 60_000 });
      await page.locator('#webcam-toggle').click();
      const status = page.locator('#live-status', { hasText: /^No live labels/ });
      await status.waitFor({ timeout: 30_000 }).catch(async () => {
        throw new Error(demo.fail(`no reason given: ${await page.locator('#live-status').textContent()}`));
      });
      expect(await status.textContent()).toBe(
        'No live labels: no face detector in the models folder (pnpm export:detector).',
      );
      expect(await page.locator('#webcam').isVisible()).toBe(true);
      // Stopping the camera clears the line.
      await page.locator('#webcam-toggle').click();
      await page.locator('#webcam-overlay').waitFor({ state: 'hidden', timeout: 10_000 });
      expect(await page.locator('#live-status').textContent()).toBe('');
    },
  );
});
