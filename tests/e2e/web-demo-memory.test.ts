/**
 * The web demo keeps no photo once the next is shown: after two photos have warmed it up, five more
 * 1680×1200 photos (7.7 MB of pixels and a 4.7 MB PNG each, two faces found and labelled in each) must
 * leave the renderer, after a forced garbage collection, less than half as much larger as keeping each
 * one's pixels and file would. The page showed each photo in an <img> from a blob: URL, and Chromium
 * kept every one after the URL was revoked, until memory ran short: the renderer grew 80 MB over these
 * five photos, 1.3 MB a photo for a 600×300 one (photo-view.ts; `pnpm bench:demo-memory` measures it
 * over hundreds). The resident memory is read from /proc: the test is skipped, saying so, where it
 * cannot be.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from '../support/chromium.js';
import { twoFacesPhoto } from '../support/demo-photos.js';
import { openDemoSite, type DemoSite } from '../support/demo-site.js';
import { feedPhoto } from '../support/feed-photo.js';
import { watchPageMemory, type PageMemory } from '../support/page-memory.js';

const missing = chromiumMissing();
const SCALE = 4;
const DECODED = 420 * SCALE * 300 * SCALE * 4;
const [WARM_UP, MEASURED] = [2, 5];

describe.skipIf(missing !== null)('web demo memory in headless Chromium', () => {
  let demo: DemoSite;
  let memory: PageMemory;

  beforeAll(async () => {
    demo = await openDemoSite();
    // Before the page opens: the wasm memories are noted by a script that runs before the page's own.
    memory = await watchPageMemory(demo.browser.context, demo.browser.page);
  }, 180_000);

  afterAll(async () => demo?.close());

  it('keeps no photo once the next is shown', { timeout: 120_000 }, async (context) => {
    const { page } = demo.browser;
    await page.goto(`${demo.origin}/?ep=wasm`);
    await page.locator('#status[data-state="ready"]').waitFor({ timeout: 60_000 });
    const { png } = await twoFacesPhoto(SCALE);
    let fed = 0;
    const feed = async (count: number) => {
      for (const end = fed + count; fed < end; fed++)
        await feedPhoto(page, png, `photo-${fed + 1}.png`).catch((error: Error) => {
          throw new Error(demo.fail(`photo ${fed + 1}: ${error.message}`));
        });
    };
    await feed(WARM_UP);
    const before = await memory.sample();
    if (before.rendererRss === null) return context.skip('no renderer memory to read (/proc)');
    await feed(MEASURED);
    const after = await memory.sample();
    const grown = after.rendererRss! - before.rendererRss;
    // Half of what keeping every photo's pixels and file would add: the allocator's own steps (it
    // keeps a freed photo's pages now and then, about 10 MB here) stay well under it.
    const kept = MEASURED * (DECODED + png.length);
    const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
    expect(
      grown,
      `the renderer grew ${mb(grown)} over ${MEASURED} photos (${mb(kept)} if it kept them), after a garbage collection`,
    ).toBeLessThan(kept / 2);
    // Nor does the page pile up elements or listeners, photo after photo.
    expect(after.nodes).toBe(before.nodes);
    expect(after.listeners).toBe(before.listeners);
  });
});
