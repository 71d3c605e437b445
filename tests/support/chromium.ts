/**
 * Headless Chromium for the browser suites: Debian's `chromium` (Playwright's own download needs the
 * network), driven by playwright-core with flags that keep it quiet and offline, and a fresh profile
 * each time. `chromiumMissing()` gives the reason a suite is skipped where no browser is installed;
 * CI installs it, so there the suites always run.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // WebGPU on the SwiftShader adapter Chromium ships: pages choosing automatically pass it over (a
  // software adapter), the WebGPU suites ask for it by name.
  '--enable-unsafe-webgpu',
];

export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM)
    ? null
    : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
}

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console lines and page errors, for failure messages. */
  readonly log: string[];
  close(): Promise<void>;
}

/** `extraArgs` are added to the flags above (a fake camera, say). */
export async function launchChromium(
  viewport = { width: 1200, height: 900 },
  extraArgs: readonly string[] = [],
): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'facekit-chromium-'));
  const context = await chromium
    .launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...ARGS, ...extraArgs],
      viewport,
    })
    .catch(async (error: unknown) => {
      await rm(profile, { recursive: true, force: true });
      throw error;
    });
  const page = context.pages()[0] ?? (await context.newPage());
  const log: string[] = [];
  page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`));
  return {
    context,
    page,
    log,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
