import { describe, expect, it } from 'vitest';
import { csvField, csvText } from './csv-text.js';

describe('csvText', () => {
  it('quotes only the fields that hold a comma, a quote or a line break, doubling quotes', () => {
    expect(csvField('plain name.jpg')).toBe('plain name.jpg');
    expect(csvField('me, at 30.jpg')).toBe('"me, at 30.jpg"');
    expect(csvField('the "best" one.png')).toBe('"the ""best"" one.png"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('carriage\rreturn')).toBe('"carriage\rreturn"');
  });

  it('writes the header and rows a line each, ending with a line break', () => {
    expect(
      csvText([
        ['file', 'age'],
        ['a,b.png', '21-40'],
        ['', ''],
      ]),
    ).toBe('file,age\n"a,b.png",21-40\n,\n');
  });
});
