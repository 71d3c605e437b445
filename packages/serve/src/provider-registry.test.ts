import { describe, expect, it } from 'vitest';
import { NoProviderError, ProviderRegistry } from './provider-registry.js';

/** A test registry: `gpu` (fails unless `gpuWorks`), `fast` (priority between), `cpu`. Counts inits. */
function testRegistry(opts: { gpuWorks?: boolean; fastWorks?: boolean } = {}) {
  const inits: string[] = [];
  const entry = (name: string, priority: number, works: boolean, reason = `${name} is not here`) => ({
    name,
    priority,
    init: async () => {
      inits.push(name);
      if (!works) throw new Error(`${reason}\nsecond line is dropped`);
      return `${name}-sessions`;
    },
  });
  const registry = new ProviderRegistry<string>()
    .register(entry('cpu', 10, true))
    .register(entry('gpu', 30, opts.gpuWorks ?? false, 'no adapter'))
    .register(entry('fast', 20, opts.fastWorks ?? false));
  return { registry, inits };
}

describe('ProviderRegistry', () => {
  it('orders by priority', () => {
    expect(testRegistry().registry.names()).toEqual(['gpu', 'fast', 'cpu']);
  });

  it('chooses the highest-priority provider that initialises', async () => {
    const { registry } = testRegistry({ gpuWorks: true });
    const choice = await registry.resolve();
    expect(choice.name).toBe('gpu');
    expect(choice.value).toBe('gpu-sessions');
    expect(choice.attempts.map((a) => [a.name, a.outcome])).toEqual([
      ['gpu', 'chosen'],
      ['fast', 'not tried'],
      ['cpu', 'not tried'],
    ]);
  });

  it('reports each failure with its reason and falls back to the next', async () => {
    const { registry } = testRegistry();
    const choice = await registry.resolve();
    expect(choice.name).toBe('cpu');
    expect(choice.attempts).toMatchObject([
      { name: 'gpu', outcome: 'failed', reason: 'no adapter' },
      { name: 'fast', outcome: 'failed', reason: 'fast is not here' },
      { name: 'cpu', outcome: 'chosen' },
    ]);
  });

  it('follows an override order, and an override of one does not fall back', async () => {
    const { registry } = testRegistry({ gpuWorks: true, fastWorks: true });
    expect((await registry.resolve(['cpu', 'gpu'])).name).toBe('cpu');
    expect((await registry.resolve(['fast'])).name).toBe('fast');
    const broken = testRegistry().registry;
    const error = await broken.resolve(['gpu']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoProviderError);
    expect((error as NoProviderError).code).toBe('BACKEND_UNAVAILABLE');
    expect((error as Error).message).toBe('no execution provider could run the models (gpu: no adapter)');
    expect((error as NoProviderError).attempts).toHaveLength(1);
  });

  it('passes over a provider that asks not to be chosen by default, but tries it when named', async () => {
    const { registry, inits } = testRegistry({ gpuWorks: true });
    registry.register({
      name: 'soft-gpu',
      priority: 40,
      init: async () => {
        inits.push('soft-gpu');
        return Promise.resolve('soft-gpu-sessions');
      },
      autoSkipReason: () => Promise.resolve('software adapter'),
    });
    const choice = await registry.resolve();
    expect(choice.attempts).toMatchObject([
      { name: 'soft-gpu', outcome: 'skipped', reason: 'software adapter' },
      { name: 'gpu', outcome: 'chosen' },
      { name: 'fast', outcome: 'not tried' },
      { name: 'cpu', outcome: 'not tried' },
    ]);
    expect(inits).toEqual(['gpu']);
    expect((await registry.resolve(['soft-gpu', 'cpu'])).name).toBe('soft-gpu');
  });

  it('initialises each provider once and remembers failures', async () => {
    const { registry, inits } = testRegistry();
    await registry.resolve();
    await registry.resolve();
    await registry.resolve(['gpu', 'cpu']);
    expect(inits).toEqual(['gpu', 'fast', 'cpu']);
  });

  it('names unknown providers and the known ones', async () => {
    const { registry } = testRegistry();
    await expect(registry.resolve(['tpu', 'cpu'])).rejects.toThrow(
      'unknown execution provider "tpu"; known: gpu, fast, cpu',
    );
  });

  it('fails with every reason when nothing initialises', async () => {
    const registry = new ProviderRegistry<string>().register({
      name: 'a',
      priority: 1,
      init: () => Promise.reject(new Error('a broke')),
    });
    await expect(registry.resolve()).rejects.toThrow(
      'no execution provider could run the models (a: a broke)',
    );
  });

  it('refuses a second registration of a name', () => {
    const { registry } = testRegistry();
    expect(() => registry.register({ name: 'cpu', priority: 1, init: async () => 'x' })).toThrow(
      /already registered/,
    );
  });
});
