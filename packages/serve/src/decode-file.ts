/**
 * A photo's file, already checked (size, format: decode-image.ts), decoded by sharp to RGBA — EXIF
 * orientation applied, as browsers draw photos; colour profiles converted to sRGB — within the pixel
 * limit. Its own module because it runs in the thread that reads the pixels (the photo worker, the face
 * detector's threads, or the caller's thread for the in-process face finder): sharp's output buffer
 * lives outside V8's heap, so posting it to another thread copies it (tens of milliseconds for 16 MP,
 * all of it a stall of the sender's event loop), while the compressed file is small and can be moved.
 */
import sharp from 'sharp';
import { InvalidImageError, MAX_IMAGE_SIDE, type RgbaImage } from '@facekit/core';
import { ServeError } from './errors.js';

// Photos are one-off: sharp's operation cache would only hold memory.
sharp.cache(false);

/** A photo's file, checked to be PNG, JPEG or WebP within the byte limit, to decode where it is read. */
export interface PhotoFile {
  /** The file's bytes, in memory of their own (a worker is handed them; the caller's are never moved). */
  readonly bytes: Uint8Array;
  /** png, jpeg or webp, from its magic bytes. */
  readonly format: string;
  /** What errors call it (`input.image`, `inputs[3].image`, a file's path). */
  readonly field: string;
  /** The most pixels it may decode to. */
  readonly maxImagePixels: number;
}

/** A decoded photo: RGBA, EXIF orientation applied. */
export type DecodedPhoto = RgbaImage & { readonly data: Uint8Array };

function tooLarge(field: string, width: number, height: number, maxImagePixels: number): ServeError {
  const reason = `is ${width}×${height} pixels; the limit is ${maxImagePixels} pixels and ${MAX_IMAGE_SIDE} per side`;
  return new ServeError('IMAGE_TOO_LARGE', field, reason, 413);
}

/**
 * Whether the file is a 16-bit PNG with an embedded colour profile. sharp converts an 8-bit photo's
 * profile (Display P3, Adobe RGB…) to sRGB as a browser does, but passes a 16-bit PNG's values on as
 * stored: a P3 one came out up to 70 levels from what Chromium shows. Such a file is converted
 * explicitly; no other is (the explicit conversion moved an untagged 16-bit PNG by up to 36 levels).
 */
async function isTaggedDeepPng(bytes: Buffer, format: string): Promise<boolean> {
  // IHDR's bit depth is byte 24 of every PNG (the format was checked from its signature).
  if (format !== 'png' || bytes.length < 25 || bytes[24] !== 16) return false;
  return (await sharp(bytes, { limitInputPixels: false }).metadata()).hasProfile === true;
}

/**
 * The photo decoded to RGBA, in one sharp pass on the happy path: sharp's own pixel limit stops an
 * oversized image before it is decoded (its header is then read once more, only to say how large).
 * Refused with IMAGE_TOO_LARGE or INVALID_IMAGE naming `file.field`.
 */
export async function decodeFile({
  bytes: view,
  format,
  field,
  maxImagePixels,
}: PhotoFile): Promise<DecodedPhoto> {
  const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  let decoded: { data: Buffer; info: sharp.OutputInfo };
  try {
    const srgb = sharp(bytes, { limitInputPixels: maxImagePixels, failOn: 'error' })
      .rotate()
      .toColourspace('srgb');
    if (await isTaggedDeepPng(bytes, format)) srgb.withIccProfile('srgb');
    decoded = await srgb.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    const message = (error as Error).message;
    if (/pixel limit/i.test(message)) {
      const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
      throw tooLarge(field, meta.width ?? 0, meta.height ?? 0, maxImagePixels);
    }
    throw new InvalidImageError(field, `cannot be decoded (${message})`, { cause: error });
  }
  const { data, info } = decoded;
  if (info.width > MAX_IMAGE_SIDE || info.height > MAX_IMAGE_SIDE)
    throw tooLarge(field, info.width, info.height, maxImagePixels);
  if (info.channels !== 4)
    throw new InvalidImageError(field, `decoded to ${info.channels} channels, expected RGBA`);
  return { width: info.width, height: info.height, data };
}
