import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { documentBytes, documentStore } from './document-store.js';

describe('the parsed-query cache', () => {
  it('counts the query text an entry keeps, so padded queries cannot outgrow its budget', async () => {
    const padded = (i: number) => parse(`{ health { ready } }${' '.repeat(1_000_000)}#${i}`);
    expect(documentBytes(padded(0))).toBeGreaterThan(2_000_000);
    const store = documentStore(10 * 2 ** 20);
    for (let i = 0; i < 50; i++) await store.set(`q${i}`, padded(i));
    // 10 MiB holds five such entries, not fifty (Apollo's own sizing kept every one).
    expect(store.keys().length).toBeLessThanOrEqual(5);
    expect(await store.get('q49')).toBeDefined();
    expect(await store.get('q0')).toBeUndefined();
  });
});
