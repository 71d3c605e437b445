/**
 * The web demo as its browser suites open it: built with the models under test into a temporary folder
 * (and, under other paths, with any other models folders asked for), served on localhost, the GraphQL
 * server started in-process on a random port on the same models, and a headless Chromium (with any
 * extra flags: a fake camera, say). `close()` ends them all; the builds go with the test, or the file,
 * that opened the site (tempFolder()).
 */
import { join } from 'node:path';
import type { FaceCrop } from '@facekit/core';
import { startServer, type RunningServer } from '@facekit/serve';
import { launchChromium, type Browser } from './chromium.js';
import { buildDemo } from './demo-build.js';
import { releaseTestModels, testModels } from './models.js';
import { serveStatic, type Route } from './static-server.js';
import { tempFolder } from './temp-folder.js';

export interface DemoSite {
  /** The page's origin: the build of the models under test is at `/`, the others at their paths. */
  readonly origin: string;
  /** The folder that build is in (its models/ and samples/ as served). */
  readonly build: string;
  readonly api: RunningServer;
  readonly browser: Browser;
  /** A failure message with what the page logged, to show why. */
  fail(what: string): string;
  close(): Promise<void>;
}

export interface DemoSiteOptions {
  /** More builds: path ("/no-detector/") → the models folder to build with. */
  readonly builds?: Readonly<Record<string, string>>;
  readonly chromiumArgs?: readonly string[];
  readonly viewport?: { readonly width: number; readonly height: number };
}

/** Opens the site; what was started before a step failed is ended again. */
export async function openDemoSite(options: DemoSiteOptions = {}): Promise<DemoSite> {
  const models = await testModels();
  // Removed by tempFolder() when the test, or the file, that opened the site is done.
  const dir = await tempFolder('facekit-demo-site-');
  const ends: (() => Promise<void>)[] = [() => releaseTestModels()];
  const close = async () => {
    for (const end of ends.reverse()) await end();
  };
  try {
    const build = join(dir, 'site');
    const routes: Record<string, Route> = {};
    for (const [i, [path, folder]] of Object.entries(options.builds ?? {}).entries()) {
      await buildDemo(join(dir, `site-${i}`), folder);
      routes[path] = { dir: join(dir, `site-${i}`) };
    }
    await buildDemo(build, models.dir);
    routes['/'] = { dir: build };
    const api = await startServer({
      host: '127.0.0.1',
      port: 0,
      models: models.dir,
      executionProviders: ['cpu'],
      logLevel: 'warn',
      production: false,
    });
    ends.push(() => api.stop());
    await api.ready;
    const site = await serveStatic(routes, { crossOriginIsolated: true });
    ends.push(() => site.close());
    const browser = await launchChromium(
      options.viewport ?? { width: 1200, height: 1100 },
      options.chromiumArgs ?? [],
    );
    ends.push(() => browser.close());
    return {
      origin: site.origin,
      build,
      api,
      browser,
      fail: (what) => `${what}\n--- page log ---\n${browser.log.join('\n')}`,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The server's classifyFaces for a photo: each face's square and labels, as a mark writes them. */
export async function serverFaces(url: string, png: Buffer): Promise<{ crop: FaceCrop; answer: string }[]> {
  type Label = { label: string };
  const found = (await (
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          'mutation($i: String!) { classifyFaces(image: $i) { faces { crop { x y size } classification { age { label } ethnicity { label } gender { label } } } } }',
        variables: { i: png.toString('base64') },
      }),
    })
  ).json()) as {
    data: { classifyFaces: { faces: { crop: FaceCrop; classification: Record<string, Label> }[] } };
  };
  return found.data.classifyFaces.faces.map(({ crop, classification: c }) => ({
    crop,
    answer: [c.age!.label.replace('-', '–'), c.ethnicity!.label, c.gender!.label].join(' · '),
  }));
}
