import { describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '@facekit/core';
import { BackendRegistry, type BackendEntry } from './registry.js';

/** A registry of plain entries that succeed or fail on demand and count their inits. */
function testRegistry(spec: Record<string, { priority: number; fails?: string; autoSkip?: string }>) {
  const inits: Record<string, number> = {};
  const registry = new BackendRegistry('test');
  for (const [name, { priority, fails, autoSkip }] of Object.entries(spec)) {
    inits[name] = 0;
    const entry: BackendEntry = {
      name,
      priority,
      init: async () => {
        inits[name]! += 1;
        await Promise.resolve();
        if (fails) throw new Error(fails);
      },
      ...(autoSkip === undefined ? {} : { autoSkipReason: () => Promise.resolve(autoSkip) }),
    };
    registry.register(entry);
  }
  return { registry, inits };
}

describe('BackendRegistry', () => {
  it('takes the highest-priority entry that initialises, logging and returning every skip', async () => {
    const { registry, inits } = testRegistry({
      low: { priority: 1 },
      top: { priority: 9, fails: 'no driver' },
      mid: { priority: 5 },
      high: { priority: 7, fails: 'not installed' },
    });
    const lines: string[] = [];
    const choice = await registry.select(undefined, (line) => lines.push(line));
    expect(choice).toEqual({
      name: 'mid',
      skipped: [
        { name: 'top', reason: 'no driver' },
        { name: 'high', reason: 'not installed' },
      ],
    });
    expect(lines).toEqual([
      'test backend top skipped: no driver',
      'test backend high skipped: not installed',
      'test backend: mid',
    ]);
    expect(inits).toEqual({ low: 0, top: 1, mid: 1, high: 1 });
  });

  it('initialises each entry once and remembers failures, even under concurrent calls', async () => {
    const { registry, inits } = testRegistry({ a: { priority: 2, fails: 'broken' }, b: { priority: 1 } });
    const choices = await Promise.all([registry.select(), registry.select('auto'), registry.select('b')]);
    expect(choices.map((c) => c.name)).toEqual(['b', 'b', 'b']);
    await expect(registry.select('a')).rejects.toThrow('broken');
    expect(inits).toEqual({ a: 1, b: 1 });
  });

  it('honours an explicit request over priority', async () => {
    const { registry, inits } = testRegistry({ fast: { priority: 2 }, slow: { priority: 1 } });
    const lines: string[] = [];
    expect(await registry.select('slow', (l) => lines.push(l))).toEqual({ name: 'slow', skipped: [] });
    expect(lines).toEqual(['test backend: slow (requested)']);
    expect(inits.fast).toBe(0);
  });

  it('passes over an entry that asks not to be chosen unasked, without initialising it, but uses it by name', async () => {
    const { registry, inits } = testRegistry({
      gpu: { priority: 2, autoSkip: 'software adapter' },
      cpu: { priority: 1 },
    });
    const lines: string[] = [];
    expect(await registry.select(undefined, (l) => lines.push(l))).toEqual({
      name: 'cpu',
      skipped: [{ name: 'gpu', reason: 'software adapter' }],
    });
    expect(lines).toEqual(['test backend gpu skipped: software adapter', 'test backend: cpu']);
    expect(inits).toEqual({ gpu: 0, cpu: 1 });
    expect(await registry.select('gpu')).toEqual({ name: 'gpu', skipped: [] });
    expect(await registry.list()).toEqual([
      { name: 'gpu', priority: 2, available: true, autoSkip: 'software adapter' },
      { name: 'cpu', priority: 1, available: true },
    ]);
  });

  it('fails clearly, with the reason and cause, when the requested entry cannot initialise', async () => {
    const { registry } = testRegistry({ gpu: { priority: 2, fails: 'no adapter' }, cpu: { priority: 1 } });
    const error = await registry.select('gpu').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).code).toBe('BACKEND_UNAVAILABLE');
    expect((error as Error).message).toBe('test backend "gpu" was requested but cannot be used: no adapter');
    expect(((error as Error).cause as Error).message).toBe('no adapter');
  });

  it('rejects an unknown name, listing the known ones', async () => {
    const { registry } = testRegistry({ a: { priority: 1 }, b: { priority: 2 } });
    await expect(registry.select('c')).rejects.toThrow(
      new BackendUnavailableError('unknown test backend "c"; known: b, a'),
    );
  });

  it('fails with every reason when nothing initialises', async () => {
    const { registry } = testRegistry({ a: { priority: 2, fails: 'x' }, b: { priority: 1, fails: 'y' } });
    await expect(registry.select()).rejects.toThrow('no test backend could be initialised (a: x; b: y)');
    await expect(new BackendRegistry('empty').select()).rejects.toBeInstanceOf(BackendUnavailableError);
  });

  it('lists every entry with its availability and refuses duplicate names', async () => {
    const { registry } = testRegistry({ a: { priority: 1 }, b: { priority: 2, fails: 'gone' } });
    expect(await registry.list()).toEqual([
      { name: 'b', priority: 2, available: false, reason: 'gone' },
      { name: 'a', priority: 1, available: true },
    ]);
    expect(() => registry.register({ name: 'a', priority: 3, init: async () => {} })).toThrow(
      'already registered',
    );
  });
});
