/**
 * How many threads onnxruntime-web's wasm provider is asked to run: `?threads=N` on the page, else the
 * demo's default. Threads need a cross-origin isolated page (SharedArrayBuffer): `pnpm demo`, `vite
 * preview` and the test servers send the headers (cross-origin-isolation.ts), but a page served
 * without them runs one thread whatever it asks, and says why. Pure, unit-tested beside this file.
 */

/**
 * One thread unless asked: on this project's 2-core machine a second thread made the live labels slower,
 * not faster (5 faces: 64 against 58 ms of work a frame), a face's models 0.3 ms slower and the page
 * ready 0.4 s later (packages/web-demo/README.md, "Runtime"). Set even so, rather than left to
 * onnxruntime-web, whose default on an isolated page is half the cores up to four.
 */
export const DEFAULT_WASM_THREADS = 1;
/** More is no use: onnxruntime-web's default stops at four, and each thread is a worker. */
export const MAX_WASM_THREADS = 16;

/** `?threads=` as given (null when absent) → the threads to ask for, and a note when it is refused. */
export function wasmThreadsAsked(asked: string | null): { threads: number; note: string } {
  if (asked === null) return { threads: DEFAULT_WASM_THREADS, note: '' };
  const n = Number(asked);
  if (/^\d+$/.test(asked) && n >= 1 && n <= MAX_WASM_THREADS) return { threads: n, note: '' };
  return {
    threads: DEFAULT_WASM_THREADS,
    note: ` (?threads=${asked} is not a thread count from 1 to ${MAX_WASM_THREADS})`,
  };
}

/**
 * Why the runtime runs fewer threads than asked, or '' — onnxruntime-web falls back to one thread,
 * with only a console warning, where the page is not cross-origin isolated.
 */
export function threadsShortfall(asked: number, running: number, isolated: boolean): string {
  if (running >= asked) return '';
  return isolated
    ? ` (${asked} asked for)`
    : ` (${asked} asked for: threads need a cross-origin isolated page, served with COOP and COEP headers)`;
}
