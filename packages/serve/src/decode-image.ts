/**
 * A client's photo → the 2304 grey levels a model reads. The base64 text is checked before decoding
 * (alphabet, size), sharp reads the header to enforce format and pixel limits before it allocates the
 * full image, then decodes to RGBA (EXIF orientation applied, as browsers draw photos) and hands the
 * buffer to core's imageToPixels — the same function the web demo runs on canvas pixels, so server and
 * browser feed identical tensors.
 */
import sharp from 'sharp';
import { imageToPixels, InvalidImageError, MAX_IMAGE_SIDE } from '@facekit/core';
import { ServeError } from './errors.js';

// Photos are one-off: sharp's operation cache would only hold memory.
sharp.cache(false);

export interface ImageLimits {
  readonly maxImageBytes: number;
  readonly maxImagePixels: number;
}

export const ACCEPTED_FORMATS: readonly string[] = ['png', 'jpeg', 'webp'];

const DATA_URL = /^data:image\/[a-z0-9.+-]+;base64,/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Standard base64 (optionally a data: URL, whitespace ignored, padding optional) → bytes. */
export function decodeBase64(text: string, field: string, maxBytes: number): Buffer {
  const body = text.replace(DATA_URL, '').replace(/\s+/g, '');
  if (body.length === 0) throw new ServeError('INVALID_BASE64', field, 'is empty; expected a base64 PNG, JPEG or WebP file');
  const decodedLength = Math.floor((body.length * 3) / 4) - (body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0);
  if (decodedLength > maxBytes) {
    throw new ServeError('IMAGE_TOO_LARGE', field, `is a ${decodedLength}-byte file; the limit is ${maxBytes} bytes`, 413);
  }
  if (!BASE64.test(body) || body.length % 4 === 1) {
    const bad = body.search(/[^A-Za-z0-9+/=]/);
    const where = bad >= 0 ? `character ${JSON.stringify(body[bad])} at offset ${bad}` : 'misplaced padding or wrong length';
    throw new ServeError('INVALID_BASE64', field, `is not valid base64 (${where})`);
  }
  return Buffer.from(body, 'base64');
}

/** Decodes a base64 photo and preprocesses it to 2304 grey levels; errors name `field`. */
export async function imageToFace(base64: string, field: string, limits: ImageLimits): Promise<Uint8Array> {
  const bytes = decodeBase64(base64, field, limits.maxImageBytes);
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new InvalidImageError(field, `is not a PNG, JPEG or WebP image (${(error as Error).message})`, { cause: error });
  }
  if (!meta.format || !ACCEPTED_FORMATS.includes(meta.format)) {
    throw new InvalidImageError(field, `is a ${meta.format ?? 'unknown'} file; send PNG, JPEG or WebP`);
  }
  const { width, height } = meta;
  if (!width || !height) throw new InvalidImageError(field, 'has no width or height');
  if (width * height > limits.maxImagePixels || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw new ServeError(
      'IMAGE_TOO_LARGE',
      field,
      `is ${width}×${height} pixels; the limit is ${limits.maxImagePixels} pixels and ${MAX_IMAGE_SIDE} per side`,
      413,
    );
  }
  let decoded: { data: Buffer; info: sharp.OutputInfo };
  try {
    decoded = await sharp(bytes, { limitInputPixels: limits.maxImagePixels, failOn: 'error' })
      .rotate()
      .toColourspace('srgb')
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new InvalidImageError(field, `cannot be decoded: ${(error as Error).message}`, { cause: error });
  }
  const { data, info } = decoded;
  if (info.channels !== 4) throw new InvalidImageError(field, `decoded to ${info.channels} channels, expected RGBA`);
  return imageToPixels({ width: info.width, height: info.height, data }, field);
}
