import { describe, expect, it } from 'vitest';
import { DEFAULT_WASM_THREADS, threadsShortfall, wasmThreadsAsked } from './wasm-threads.js';

describe('?threads=', () => {
  it('takes a whole number of threads, else the default, saying why', () => {
    expect(wasmThreadsAsked(null)).toEqual({ threads: DEFAULT_WASM_THREADS, note: '' });
    expect(wasmThreadsAsked('2')).toEqual({ threads: 2, note: '' });
    expect(wasmThreadsAsked('1')).toEqual({ threads: 1, note: '' });
    for (const bad of ['0', '-1', '1.5', 'two', '', '17', '2e0'])
      expect(wasmThreadsAsked(bad)).toEqual({
        threads: DEFAULT_WASM_THREADS,
        note: ` (?threads=${bad} is not a thread count from 1 to 16)`,
      });
  });

  it('says why fewer threads run than were asked for', () => {
    expect(threadsShortfall(1, 1, false)).toBe('');
    expect(threadsShortfall(2, 2, true)).toBe('');
    expect(threadsShortfall(2, 1, false)).toMatch(/2 asked for: threads need a cross-origin isolated page/);
    expect(threadsShortfall(2, 1, true)).toBe(' (2 asked for)');
  });
});
