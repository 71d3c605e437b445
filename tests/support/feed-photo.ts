/**
 * One photo through the web demo's normal photo path — the file picker, as a person picks it — waited
 * for until the page is done with it: detected, its square classified and every face found labelled
 * (the line under the photo says "… faces labelled"). The photo must hold two faces or more: with one,
 * the page says nothing more once it is labelled. The caption names the photo once the page has moved
 * on to it, so the previous photo's "labelled" line is never taken for this one's.
 */
import type { Page } from 'playwright-core';

export async function feedPhoto(page: Page, png: Buffer, name: string, timeout = 60_000): Promise<void> {
  await page.locator('#file').setInputFiles({ name, mimeType: 'image/png', buffer: png });
  await page.waitForFunction(
    (name) =>
      document.getElementById('photo-caption')!.textContent!.startsWith(`${name} ·`) &&
      / faces labelled /.test(document.getElementById('detection')!.textContent!),
    name,
    { timeout, polling: 20 },
  );
}
