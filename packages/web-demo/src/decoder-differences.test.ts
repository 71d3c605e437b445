import { describe, expect, it } from 'vitest';
import { decodedDifferently, jpegComponents, webpOrientation } from './decoder-differences.js';

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));
const u16be = (n: number) => [n >> 8, n & 255];
const u32le = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24];

/** A JPEG's headers up to its scan: JFIF and Adobe segments, then a frame header of `components`. */
function jpeg(components: number, frame = 0xc0): Uint8Array {
  return bytes(
    [0xff, 0xd8],
    [0xff, 0xe0, ...u16be(16)],
    'JFIF\0',
    [1, 1, 0, 0, 1, 0, 1, 0, 0],
    [0xff, 0xee, ...u16be(14)],
    'Adobe',
    [0, 100, 0, 0, 0, 0, 2],
    [0xff, frame, ...u16be(8 + 3 * components), 8, ...u16be(30), ...u16be(40), components],
    Array.from({ length: components }, (_, c) => [c + 1, 0x11, 0]).flat(),
    [0xff, 0xda, ...u16be(8)],
  );
}

/** A WebP's chunks: VP8X, an (odd-sized, padded) image chunk, then EXIF naming `orientation` if given. */
function webp(orientation?: number, { prefix = '', littleEndian = false } = {}): Uint8Array {
  const tiff = littleEndian
    ? bytes(
        'II*\0',
        u32le(8),
        [1, 0],
        [0x12, 0x01, 3, 0, 1, 0, 0, 0, orientation ?? 0, 0, 0, 0],
        [0, 0, 0, 0],
      )
    : bytes(
        'MM\0*',
        [0, 0, 0, 8],
        [0, 1],
        [0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation ?? 0, 0, 0],
        [0, 0, 0, 0],
      );
  const exif = bytes(prefix, [...tiff]);
  const chunks = bytes(
    'VP8X',
    u32le(10),
    [8, 0, 0, 0, 39, 0, 0, 29, 0, 0],
    'VP8L',
    u32le(5),
    [0x2f, 1, 2, 3, 4, 0],
    ...(orientation === undefined ? [] : ['EXIF', u32le(exif.length), [...exif]]),
  );
  return bytes('RIFF', u32le(4 + chunks.length), 'WEBP', [...chunks]);
}

describe('photos the browser and the server decode differently', () => {
  it('finds a CMYK JPEG by its frame header, after the segments before it', () => {
    expect(jpegComponents(jpeg(4))).toBe(4);
    expect(jpegComponents(jpeg(4, 0xc2))).toBe(4); // progressive
    expect(decodedDifferently(jpeg(4))).toBe('a CMYK JPEG');
    expect(jpegComponents(jpeg(3))).toBe(3);
    expect(jpegComponents(jpeg(1))).toBe(1);
    expect(decodedDifferently(jpeg(3))).toBeNull();
  });

  it('finds a WebP with an EXIF orientation other than 1, in either byte order', () => {
    expect(webpOrientation(webp(6))).toBe(6);
    expect(webpOrientation(webp(8, { littleEndian: true }))).toBe(8);
    expect(webpOrientation(webp(3, { prefix: 'Exif\0\0' }))).toBe(3);
    expect(decodedDifferently(webp(6))).toBe('a WebP with an EXIF orientation');
    expect(decodedDifferently(webp(1))).toBeNull();
    expect(webpOrientation(webp())).toBeUndefined();
  });

  it('reads nothing into other files, or files cut short', () => {
    expect(decodedDifferently(bytes([0x89], 'PNG\r\n\x1a\n'))).toBeNull();
    expect(decodedDifferently(new Uint8Array(0))).toBeNull();
    for (const cut of [3, 10, 40]) {
      expect(jpegComponents(jpeg(4).subarray(0, cut))).toBeUndefined();
      expect(webpOrientation(webp(6).subarray(0, cut))).toBeUndefined();
    }
    expect(webpOrientation(webp(6).subarray(0, webp(6).length - 8))).toBeUndefined();
  });
});
