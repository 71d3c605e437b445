import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fileFormat, imageToPixels } from '@facekit/core';
import { decodeBase64, imageToFace } from './decode-image.js';
import { offThreadJobCount } from './pixels-off-thread.js';
import type { ServeError } from './errors.js';
import { testPhoto } from '../test/harness.js';

const limits = { maxImageBytes: 1 << 20, maxImagePixels: 1000 * 1000 };

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = (await promise.then(
    () => null,
    (e: unknown) => e,
  )) as { code: string; message: string } | null;
  if (!error) throw new Error('expected a rejection');
  return error;
}

describe('decodeBase64', () => {
  it('accepts plain base64, data URLs, whitespace and missing padding', () => {
    expect(decodeBase64('aGVsbG8=', 'f', 100).toString()).toBe('hello');
    expect(decodeBase64('data:image/png;base64,aGVs\nbG8', 'f', 100).toString()).toBe('hello');
    expect(decodeBase64(' a G V s\r\n\tb G 8 ', 'f', 100).toString()).toBe('hello');
    // The URL-safe alphabet: bytes 0xfb 0xff are "+/8" in the standard one, "-_8" in it.
    expect([...decodeBase64('-_8=', 'f', 100)]).toEqual([0xfb, 0xff]);
    expect([...decodeBase64('+/8=', 'f', 100)]).toEqual([0xfb, 0xff]);
  });

  it('says what a data: URL of something other than an image is', () => {
    expect(() => decodeBase64('data:text/plain;base64,aGVsbG8=', 'input.image', 100)).toThrow(
      'input.image: is a data: URL of text/plain, not a base64 image (data:image/…;base64,…)',
    );
    expect(() => decodeBase64('data:,hello', 'input.image', 100)).toThrow(
      'input.image: is a data: URL of no media type, not a base64 image',
    );
  });

  it('rejects bad characters, empty text and oversized files, naming the field', () => {
    expect(() => decodeBase64('abc$def', 'input.image', 100)).toThrow(
      'input.image: is not valid base64 (character "$" at offset 3)',
    );
    expect(() => decodeBase64('ab c\u00e9d', 'input.image', 100)).toThrow(
      'input.image: is not valid base64 (character "é" at offset 3)',
    );
    expect(() => decodeBase64('aGVs😀bG8=', 'input.image', 100)).toThrow(
      'input.image: is not valid base64 (character "😀" at offset 4)',
    );
    expect(() => decodeBase64('  ', 'input.image', 100)).toThrow(/input\.image: is empty/);
    const big = (() => {
      try {
        decodeBase64('A'.repeat(200), 'x', 100);
      } catch (e) {
        return e as ServeError;
      }
      return null;
    })();
    expect(big?.code).toBe('IMAGE_TOO_LARGE');
  });
});

describe('imageToFace', () => {
  it('decodes PNG, JPEG and WebP to the grey levels core computes from the same RGBA', async () => {
    for (const format of ['png', 'webp'] as const) {
      const b64 = await testPhoto(format, 120, 90);
      const { data, info } = await sharp(Buffer.from(b64, 'base64'))
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const expected = imageToPixels({ width: info.width, height: info.height, data });
      expect(Buffer.from(await imageToFace(b64, 'image', limits)).equals(Buffer.from(expected))).toBe(true);
    }
    const jpeg = await imageToFace(await testPhoto('jpeg'), 'image', limits);
    expect(jpeg).toHaveLength(2304);
  });

  it("takes a photo file's bytes as it takes its base64, within the same limits", async () => {
    const b64 = await testPhoto('png', 120, 90);
    const bytes = new Uint8Array(Buffer.from(b64, 'base64'));
    expect(await imageToFace(bytes, 'photo.png', limits)).toEqual(await imageToFace(b64, 'image', limits));
    const small = { ...limits, maxImageBytes: bytes.length - 1 };
    expect(await codeOf(imageToFace(bytes, 'photo.png', small))).toMatchObject({
      code: 'IMAGE_TOO_LARGE',
      message: `photo.png: is a ${bytes.length}-byte file; the limit is ${bytes.length - 1} bytes`,
    });
    expect(await codeOf(imageToFace(new TextEncoder().encode('hello'), 'notes.txt', limits))).toMatchObject({
      code: 'INVALID_IMAGE',
      message: 'notes.txt: is not a PNG, JPEG or WebP image',
    });
    // An empty upload or a file cut to nothing: said as such, not as a format it might have been.
    expect(await codeOf(imageToFace(new Uint8Array(0), 'photo.jpg', limits))).toMatchObject({
      code: 'INVALID_IMAGE',
      message: 'photo.jpg: is empty (0 bytes), not a PNG, JPEG or WebP image',
    });
  });

  it('converts a 16-bit PNG with a colour profile to sRGB, as an 8-bit one, and leaves an untagged one', async () => {
    // One picture (sRGB values), saved as Display P3 at 8 and 16 bits, and untagged at 8 and 16 bits.
    const raw = Buffer.from(Array.from({ length: 96 * 72 * 3 }, (_, i) => (i * 37 + (i >> 7)) % 256));
    const picture = () => sharp(raw, { raw: { width: 96, height: 72, channels: 3 } });
    const face = async (file: sharp.Sharp) =>
      imageToFace((await file.png().toBuffer()).toString('base64'), 'image', limits);
    const levelsApart = (a: Uint8Array, b: Uint8Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
    const p3 = await face(picture().withIccProfile('p3'));
    const p3Deep = await face(picture().toColourspace('rgb16').withIccProfile('p3'));
    // Read as stored, the 16-bit P3 file came out 11 grey levels from the 8-bit one (Chromium shows
    // the two pictures' colours within a level of each other).
    expect(levelsApart(p3Deep, p3)).toBeLessThanOrEqual(1);
    const plain = await face(picture());
    expect(levelsApart(plain, p3)).toBeLessThanOrEqual(1);
    expect(levelsApart(await face(picture().toColourspace('rgb16')), plain)).toBe(0);
  });

  it('decodes and reduces every photo on the worker thread, to the same grey levels', async () => {
    const b64 = await testPhoto('png', 1400, 1100);
    const { data, info } = await sharp(Buffer.from(b64, 'base64'))
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const expected = imageToPixels({ width: info.width, height: info.height, data });
    const before = offThreadJobCount();
    const big = { maxImageBytes: 16 << 20, maxImagePixels: 4096 * 4096 };
    const [a, b] = await Promise.all([imageToFace(b64, 'a', big), imageToFace(b64, 'b', big)]);
    expect(offThreadJobCount() - before).toBe(2);
    expect(Buffer.from(a).equals(Buffer.from(expected))).toBe(true);
    expect(Buffer.from(b).equals(Buffer.from(expected))).toBe(true);
    // A small photo too: one way for every photo.
    await imageToFace(await testPhoto('png', 120, 90), 'c', big);
    expect(offThreadJobCount() - before).toBe(3);
  });

  it('reduces the square a crop names, in a small photo and in a large one alike', async () => {
    for (const [width, height] of [
      [160, 120],
      [1400, 1100],
    ] as const) {
      const b64 = await testPhoto('png', width, height);
      const { data, info } = await sharp(Buffer.from(b64, 'base64'))
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const crop = { x: width - 100, y: 7, size: 93 };
      const expected = imageToPixels({ width: info.width, height: info.height, data }, 'image', crop);
      const big = { maxImageBytes: 16 << 20, maxImagePixels: 4096 * 4096 };
      const face = await imageToFace(b64, 'image', big, { crop, cropField: 'input.crop' });
      expect(Buffer.from(face).equals(Buffer.from(expected)), `${width}×${height}`).toBe(true);
      expect(Buffer.from(face).equals(Buffer.from(await imageToFace(b64, 'image', big)))).toBe(false);
      const outside = await codeOf(
        imageToFace(b64, 'image', big, { crop: { x: width - 50, y: 0, size: 60 }, cropField: 'input.crop' }),
      );
      expect(outside).toMatchObject({
        code: 'INVALID_CROP',
        message: `input.crop: the square at (${width - 50}, 0) of side 60 reaches (${width + 10}, 60), outside the ${width}×${height} image`,
      });
    }
  });

  it('refuses files that are not images, other formats, truncated files and too many pixels', async () => {
    const notImage = await codeOf(
      imageToFace(Buffer.from('just some text, not a picture').toString('base64'), 'inputs[2].image', limits),
    );
    expect(notImage.code).toBe('INVALID_IMAGE');
    expect(notImage.message).toMatch(/^inputs\[2\]\.image: is not a PNG, JPEG or WebP image/);
    const gif = await codeOf(imageToFace(await testPhoto('gif', 20, 20), 'image', limits));
    expect(gif).toMatchObject({
      code: 'INVALID_IMAGE',
      message: 'image: is in GIF format; only PNG, JPEG and WebP are read',
    });
    // Other formats are named from their first bytes, without handing them to a parser.
    const raw = sharp(Buffer.alloc(20 * 20 * 3, 128), { raw: { width: 20, height: 20, channels: 3 } });
    const others: [string, Buffer][] = [
      ['tiff', await raw.clone().tiff().toBuffer()],
      ['avif', await raw.clone().avif().toBuffer()],
      [
        'svg',
        Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>'),
      ],
      ['bmp', Buffer.from('BM\0\0\0\0\0\0\0\0\0\0\0\0', 'latin1')],
      ['pdf', Buffer.from('%PDF-1.7\n%...')],
    ];
    for (const [format, bytes] of others) {
      expect(fileFormat(bytes), format).toBe(format);
      expect(await codeOf(imageToFace(bytes.toString('base64'), 'image', limits))).toMatchObject({
        code: 'INVALID_IMAGE',
        message: `image: is in ${format.toUpperCase()} format; only PNG, JPEG and WebP are read`,
      });
    }
    expect(fileFormat(Buffer.from('<html><svg></svg></html>'))).toBeUndefined();
    const png = Buffer.from(await testPhoto('png', 300, 300), 'base64');
    const truncated = await codeOf(
      imageToFace(png.subarray(0, png.length >> 1).toString('base64'), 'image', limits),
    );
    expect(truncated.code).toBe('INVALID_IMAGE');
    const wide = await testPhoto('png', 1200, 1000);
    const huge = await codeOf(imageToFace(wide, 'image', { ...limits, maxImageBytes: 8 << 20 }));
    expect(huge).toMatchObject({
      code: 'IMAGE_TOO_LARGE',
      message: 'image: is 1200×1000 pixels; the limit is 1000000 pixels and 4096 per side',
    });
    const heavy = await codeOf(imageToFace(wide, 'image', limits));
    expect(heavy.code).toBe('IMAGE_TOO_LARGE');
    expect(heavy.message).toMatch(/^image: is a \d+-byte file; the limit is 1048576 bytes$/);
  });
});
