/**
 * The demo page as the benches drive it: opened and waited on until its models are ready, with the
 * runtime its status line names, and the faces its live labels labelled.
 */
import type { Page } from 'playwright-core';
import { wholeNumberFlag } from '@facekit/core/node';
import { MAX_WASM_THREADS } from '../../packages/web-demo/src/wasm-threads.js';

/**
 * Opens `url` and waits until the page's models are ready (an error on the page is thrown with its
 * status line); gives the runtime the line names: "wasm, 2 threads" (on wasm, the threads it got, fewer
 * than asked where the page is not cross-origin isolated), "webgpu".
 */
export async function openReadyDemo(page: Page, url: string): Promise<string> {
  await page.goto(url);
  const status = page.locator('#status');
  await status.and(page.locator('[data-state="ready"], [data-state="error"]')).waitFor({ timeout: 120_000 });
  const text = (await status.textContent()) ?? '';
  if ((await status.getAttribute('data-state')) !== 'ready') throw new Error(`${url}: ${text}`);
  return /· (\w+(?:, \d+ threads?)?)/.exec(text)?.[1] ?? '?';
}

/** A bench's --threads as the page's `&threads=` query part ('' when not given: the page's default). */
export function threadsQuery(help: string, value: string | undefined): string {
  return value === undefined
    ? ''
    : `&threads=${wholeNumberFlag(help, 'threads', value, 1, MAX_WASM_THREADS)}`;
}

/**
 * How many faces the live labels labelled in the frame their line last reported (its data-faces: at
 * most five, best first; the line itself counts the faces found), or '?' before any.
 */
export async function liveLabelled(page: Page): Promise<string> {
  const faces = await page.locator('#live-status').getAttribute('data-faces');
  return faces ? String((JSON.parse(faces) as string[]).length) : '?';
}
