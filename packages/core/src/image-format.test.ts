import { describe, expect, it } from 'vitest';
import { fileFormat, SERVED_IMAGE_FORMATS } from './image-format.js';

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe('fileFormat', () => {
  it('names a file from its first bytes', () => {
    expect(fileFormat(bytes([0x89], 'PNG', [13, 10, 26, 10]))).toBe('png');
    expect(fileFormat(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(fileFormat(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '))).toBe('webp');
    expect(fileFormat(bytes('GIF89a'))).toBe('gif');
    expect(fileFormat(bytes('BM', [0, 0, 0, 0]))).toBe('bmp');
    expect(fileFormat(bytes([0, 0, 0, 28], 'ftypavif'))).toBe('avif');
    expect(fileFormat(bytes([0, 0, 0, 28], 'ftypheic'))).toBe('heif');
    expect(fileFormat(bytes('<?xml version="1.0"?>\n<svg xmlns="x"/>'))).toBe('svg');
  });

  it('knows nothing of text, a truncated header or an empty file', () => {
    expect(fileFormat(bytes('hello, I am text'))).toBeUndefined();
    expect(fileFormat(bytes([0x89], 'PN'))).toBeUndefined();
    expect(fileFormat(new Uint8Array())).toBeUndefined();
  });

  it('marks the formats the server reads as they are', () => {
    expect([...SERVED_IMAGE_FORMATS]).toEqual(['png', 'jpeg', 'webp']);
  });
});
