import { describe, expect, it } from 'vitest';
import { snippet } from './errors.js';

describe('snippet', () => {
  it('keeps short text and cuts long text with an ellipsis', () => {
    expect(snippet('abc')).toBe('abc');
    expect(snippet('x'.repeat(100))).toBe(`${'x'.repeat(80)}…`);
  });
});
