/**
 * What a page holds after a full garbage collection, read over the Chrome DevTools Protocol: the JS
 * heap in use, the DOM nodes, documents and event listeners alive, the renderer process's resident
 * memory (/proc/<pid>/status VmRSS, on Linux) and the size of every WebAssembly memory the page made
 * (onnxruntime-web's wasm heap: it only grows, so its size is its high-water mark). Used memory before
 * a collection says little — garbage not yet collected looks like a leak — so every sample collects
 * first. `watchPageMemory` must be called before the page is opened: the wasm memories are noted by a
 * script that runs before the page's own.
 */
import { readFile } from 'node:fs/promises';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';

export interface MemorySample {
  /** JS heap in use after the collection, bytes (V8's; ArrayBuffers' contents and wasm memory are not in it). */
  readonly jsHeapUsed: number;
  readonly nodes: number;
  readonly documents: number;
  readonly listeners: number;
  /** The largest renderer's resident memory in bytes, or null where /proc cannot be read. */
  readonly rendererRss: number | null;
  /**
   * The anonymous part of that (RssAnon: the renderer's heaps, where what a page keeps lies), bytes, or
   * null. Told apart because the rest can grow without the page keeping anything: a canvas drawing a
   * camera's frames 30 times a second grew the renderer's file-backed pages (RssFile) 450 MB in 20 s,
   * then no more, with the anonymous part flat, and as much with the page's models not running
   * (`pnpm bench:demo-memory --webcam`).
   */
  readonly rendererAnon: number | null;
  /** The page's WebAssembly memories together, bytes (0: none made yet). */
  readonly wasm: number;
}

export interface PageMemory {
  /** Collects garbage (twice: a collection can free what finalizers kept for the next) and reads. */
  sample(): Promise<MemorySample>;
}

/**
 * Runs in the page before its own scripts: keeps every WebAssembly.Memory made, by the constructor or
 * exported by an instance, so their sizes can be read from the page's global scope; the page's own
 * scripts are unchanged. A string, not a function: the TypeScript runner may wrap a function's source
 * in helpers (`__name`) that do not exist in the page.
 */
const NOTE_WASM_MEMORIES = `(() => {
  const memories = new Set();
  globalThis.__wasmMemories = memories;
  const fromInstance = (result) => {
    const instance = result.instance ?? result;
    if (instance instanceof WebAssembly.Instance)
      for (const value of Object.values(instance.exports))
        if (value instanceof WebAssembly.Memory) memories.add(value);
    return result;
  };
  WebAssembly.Memory = new Proxy(WebAssembly.Memory, {
    construct(target, args, newTarget) {
      const memory = Reflect.construct(target, args, newTarget);
      memories.add(memory);
      return memory;
    },
  });
  const instantiate = WebAssembly.instantiate.bind(WebAssembly);
  const streaming = WebAssembly.instantiateStreaming.bind(WebAssembly);
  WebAssembly.instantiate = (...args) => instantiate(...args).then(fromInstance);
  WebAssembly.instantiateStreaming = (...args) => streaming(...args).then(fromInstance);
})();`;

/** The resident memory of the renderer processes' largest, and its anonymous part, from /proc (null: none readable). */
async function rendererRss(
  browserSession: CDPSession | null,
): Promise<{ rss: number; anon: number | null } | null> {
  if (!browserSession) return null;
  const { processInfo } = (await browserSession.send('SystemInfo.getProcessInfo')) as {
    processInfo: { type: string; id: number }[];
  };
  let largest: { rss: number; anon: number | null } | null = null;
  for (const { type, id } of processInfo) {
    if (type !== 'renderer') continue;
    const status = await readFile(`/proc/${id}/status`, 'utf8').catch(() => '');
    const kb = (field: string) => new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
    const [rss, anon] = [kb('VmRSS'), kb('RssAnon')];
    if (rss && Number(rss) * 1024 > (largest?.rss ?? -1))
      largest = { rss: Number(rss) * 1024, anon: anon ? Number(anon) * 1024 : null };
  }
  return largest;
}

/** Starts watching `page` of `context`; call before the page navigates. */
export async function watchPageMemory(context: BrowserContext, page: Page): Promise<PageMemory> {
  await context.addInitScript({ content: NOTE_WASM_MEMORIES });
  const session = await context.newCDPSession(page);
  await session.send('Performance.enable');
  const browser = context.browser();
  const browserSession = browser ? await browser.newBrowserCDPSession() : null;
  return {
    async sample() {
      await session.send('HeapProfiler.collectGarbage');
      await session.send('HeapProfiler.collectGarbage');
      const { metrics } = await session.send('Performance.getMetrics');
      const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
      const counters = await session.send('Memory.getDOMCounters');
      const wasm = (await page.evaluate(
        '[...(globalThis.__wasmMemories ?? [])].reduce((sum, m) => sum + m.buffer.byteLength, 0)',
      )) as number;
      const renderer = await rendererRss(browserSession);
      return {
        jsHeapUsed: metric('JSHeapUsedSize'),
        nodes: counters.nodes,
        documents: counters.documents,
        listeners: counters.jsEventListeners,
        rendererRss: renderer?.rss ?? null,
        rendererAnon: renderer?.anon ?? null,
        wasm,
      };
    },
  };
}
