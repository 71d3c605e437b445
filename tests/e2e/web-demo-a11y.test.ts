/**
 * The web demo against axe-core's WCAG 2 A and AA rules in headless Chromium, in the states a visitor
 * sees: the page ready, a photo with two faces labelled, a crowded photo whose answers are listed (also
 * at a phone's width), four faces close together (two overlapping) numbered, a sample's answers
 * compared with the server, and the webcam labelling live (Chromium's fake camera). Any violation fails, naming the rule, its help and the elements at fault.
 */
import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from '../support/chromium.js';
import { closeFacesPhoto, crowdPhoto, twoFacesPhoto } from '../support/demo-photos.js';
import { openDemoSite, type DemoSite } from '../support/demo-site.js';
import { fakeCamera, y4m } from '../support/fake-camera.js';
import { tempFolder } from '../support/temp-folder.js';

const missing = chromiumMissing();
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** A PNG's RGBA pixels, for the fake camera to film. */
async function sceneOf(png: Buffer) {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

interface Violation {
  id: string;
  help: string;
  nodes: { target: string[]; failureSummary: string }[];
}

/** axe-core's WCAG 2 A/AA violations on the page as it stands, one line each with its elements. */
async function violations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const found = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(o: unknown): Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations;
  })) as Violation[];
  return found.map(
    (v) =>
      `${v.id}: ${v.help} — ${v.nodes.map((n) => `${n.target.join(' ')} (${n.failureSummary.replace(/\s+/g, ' ')})`).join('; ')}`,
  );
}

describe.skipIf(missing !== null)('web demo accessibility (axe-core, WCAG 2 A/AA)', () => {
  let dir = '';
  let demo: DemoSite;

  beforeAll(async () => {
    dir = await tempFolder('facekit-a11y-');
    const { png } = await twoFacesPhoto();
    await writeFile(join(dir, 'two-faces.png'), png);
    await writeFile(join(dir, 'crowd.png'), await crowdPhoto());
    await writeFile(join(dir, 'close.png'), await closeFacesPhoto());
    const camera = join(dir, 'camera.y4m');
    await writeFile(camera, y4m(await sceneOf(png), 2));
    demo = await openDemoSite({ chromiumArgs: fakeCamera(camera) });
  }, 180_000);

  afterAll(async () => {
    await demo?.close();
  });

  it('has no violations in the states a visitor sees', { timeout: 120_000 }, async () => {
    const { page } = demo.browser;
    await page.goto(`${demo.origin}/?ep=wasm&server=${encodeURIComponent(demo.api.url)}`);
    await page.locator('#status[data-state="ready"]').waitFor({ timeout: 60_000 });
    const report: Record<string, string[]> = {};
    report['ready'] = await violations(page);
    await page.locator('#file').setInputFiles(join(dir, 'two-faces.png'));
    await page.locator('.face-mark[data-labels]').nth(1).waitFor({ timeout: 30_000 });
    report['two faces labelled'] = await violations(page);
    await page.locator('#file').setInputFiles(join(dir, 'crowd.png'));
    await page.locator('#face-marks[data-layout="numbers"]').waitFor({ state: 'attached', timeout: 30_000 });
    await page.locator('.face-mark[data-labels]').nth(9).waitFor({ timeout: 30_000 });
    report['crowd listed'] = await violations(page);
    await page.setViewportSize({ width: 390, height: 844 });
    report['crowd listed, phone width'] = await violations(page);
    await page.setViewportSize({ width: 1200, height: 1100 });
    await page.locator('#file').setInputFiles(join(dir, 'close.png'));
    await page.locator('#photo-caption', { hasText: 'close.png · 600×300' }).waitFor({ timeout: 30_000 });
    await page.locator('.face-mark[data-labels]').nth(3).waitFor({ timeout: 30_000 });
    report['faces close together numbered'] = await violations(page);
    await page.locator('[data-sample]').first().click();
    await page.locator('#compare:enabled').waitFor({ timeout: 30_000 });
    await page.locator('#compare').click();
    await page.locator('[data-verdict]').waitFor({ timeout: 30_000 });
    report['sample compared'] = await violations(page);
    await page.locator('#webcam-toggle').click();
    await page.waitForFunction(
      () => (document.getElementById('live-status')!.dataset.faces ?? '[]') !== '[]',
      undefined,
      { timeout: 30_000 },
    );
    report['webcam live'] = await violations(page);
    expect(report).toEqual({
      ready: [],
      'two faces labelled': [],
      'crowd listed': [],
      'crowd listed, phone width': [],
      'faces close together numbered': [],
      'sample compared': [],
      'webcam live': [],
    });
  });
});
