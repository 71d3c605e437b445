/**
 * A client's photo → the 2304 grey levels a model reads. The photo comes as base64 text (GraphQL),
 * checked before decoding (alphabet, size), or as the file's bytes (the photo classifier); the format
 * is checked from the file's magic bytes and sharp's pixel limit stops an oversized image before it is
 * decoded; sharp then decodes to RGBA (EXIF orientation applied, as browsers draw photos) and hands the
 * buffer to core's imageToPixels — the same function the web demo runs on canvas pixels, so server and
 * browser feed identical tensors; on a worker thread for photos over a megapixel. At most one photo
 * per core is decoded at once, whatever the requests hold; the others wait their turn.
 */
import sharp from 'sharp';
import {
  checkCrop,
  fileFormat,
  imageToPixels,
  InvalidImageError,
  MAX_IMAGE_SIDE,
  SERVED_IMAGE_FORMATS,
  snippet,
  type FaceCrop,
  type RgbaImage,
} from '@facekit/core';
import { usableCores } from './cpu-quota.js';
import { ServeError } from './errors.js';
import { Limiter } from './limiter.js';
import { pixelsOffThread } from './pixels-off-thread.js';

// Photos are one-off: sharp's operation cache would only hold memory.
sharp.cache(false);

/**
 * Photos decoded at once, process-wide, one per core (of a container's CPU quota, where it has one):
 * decoding is CPU-bound, so more at once only holds more decoded pixels in memory (up to 70 MB each)
 * without finishing sooner.
 */
const decodes = new Limiter(usableCores());

/** How many photos are decoded at once. */
export const decodeSlots = decodes.slots;

/** Photos being decoded now, and waiting for a slot: the server's /metrics reports them. */
export const decodeLoad = (): { active: number; waiting: number } => decodes.load;

/** Photos with more pixels than this are reduced on a worker thread, off the event loop. */
export const OFF_THREAD_PIXELS = 1024 * 1024;

export interface ImageLimits {
  readonly maxImageBytes: number;
  readonly maxImagePixels: number;
}

const DATA_URL = /^data:image\/[a-z0-9.+-]+;base64,/i;
/** Either alphabet: the standard one (`+/`, btoa) or the URL-safe one (`-_`, Python's urlsafe_b64encode). */
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * `text` without ASCII whitespace (space, tab, line breaks), in one pass over its bytes: a regex replace
 * took 0.8 s on the event loop for 16 MB of base64 with a space after every character. Non-ASCII text
 * is refused first (it is not base64), naming the character and its offset without whitespace.
 */
function withoutWhitespace(text: string, field: string): string {
  const foreign = text.search(/[^\x00-\x7f]/);
  if (foreign >= 0) {
    // Its offset counted as for any other bad character: in the text without whitespace.
    let offset = 0;
    for (let i = 0; i < foreign; i++) {
      const c = text.charCodeAt(i);
      if (c !== 32 && (c < 9 || c > 13)) offset++;
    }
    const where = `character ${JSON.stringify(String.fromCodePoint(text.codePointAt(foreign)!))} at offset ${offset}`;
    throw new ServeError('INVALID_BASE64', field, `is not valid base64 (${where})`);
  }
  if (!/\s/.test(text)) return text;
  const bytes = Buffer.from(text, 'latin1');
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c !== 32 && (c < 9 || c > 13)) bytes[n++] = c;
  }
  return bytes.toString('latin1', 0, n);
}

/** Why a file of `bytes` bytes is refused: over `maxBytes`, the limit of a photo's file. */
export function fileTooLarge(field: string, bytes: number, maxBytes: number): ServeError {
  return new ServeError(
    'IMAGE_TOO_LARGE',
    field,
    `is a ${bytes}-byte file; the limit is ${maxBytes} bytes`,
    413,
  );
}

/** A photo's file as its bytes arrived (not copied), refused when over `maxBytes`. */
function fileBytes(photo: Uint8Array, field: string, maxBytes: number): Buffer {
  if (photo.length > maxBytes) throw fileTooLarge(field, photo.length, maxBytes);
  return Buffer.from(photo.buffer, photo.byteOffset, photo.byteLength);
}

/** Base64, standard or URL-safe (optionally an image data: URL, ASCII whitespace ignored, padding optional) → bytes. */
export function decodeBase64(text: string, field: string, maxBytes: number): Buffer {
  if (/^data:/i.test(text) && !DATA_URL.test(text)) {
    const type = /^data:([^;,]*)/i.exec(text)![1] || 'no media type';
    throw new ServeError(
      'INVALID_BASE64',
      field,
      `is a data: URL of ${snippet(type, 40)}, not a base64 image (data:image/…;base64,…)`,
    );
  }
  const body = withoutWhitespace(text.replace(DATA_URL, ''), field);
  if (body.length === 0)
    throw new ServeError('INVALID_BASE64', field, 'is empty; expected a base64 PNG, JPEG or WebP file');
  const decodedLength =
    Math.floor((body.length * 3) / 4) - (body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0);
  if (decodedLength > maxBytes) throw fileTooLarge(field, decodedLength, maxBytes);
  if (!BASE64.test(body) || body.length % 4 === 1) {
    const bad = body.search(/[^A-Za-z0-9+/_=-]/);
    const where =
      bad >= 0
        ? `character ${JSON.stringify(body[bad])} at offset ${bad}`
        : 'misplaced padding or wrong length';
    throw new ServeError('INVALID_BASE64', field, `is not valid base64 (${where})`);
  }
  return Buffer.from(body, 'base64');
}

/** Why a file that is not PNG, JPEG or WebP was refused, naming its format when its bytes do. */
function notAccepted(format: string | undefined, field: string): InvalidImageError {
  return format
    ? new InvalidImageError(field, `is a ${format} file; only PNG, JPEG and WebP are read`)
    : new InvalidImageError(field, 'is not a PNG, JPEG or WebP image');
}

function tooLarge(field: string, width: number, height: number, limits: ImageLimits): ServeError {
  const reason = `is ${width}×${height} pixels; the limit is ${limits.maxImagePixels} pixels and ${MAX_IMAGE_SIDE} per side`;
  return new ServeError('IMAGE_TOO_LARGE', field, reason, 413);
}

/** A decoded photo: RGBA, EXIF orientation applied; its buffer may be handed to a worker thread. */
export type DecodedPhoto = RgbaImage & { readonly data: Uint8Array };

/**
 * Decodes a photo — base64 text (see decodeBase64), or the file's bytes — to RGBA and hands it to
 * `use`, all in one decode slot (the slot is held until `use` settles, so a photo's decoded pixels
 * count against the slots for as long as they are worked on); errors name `field`. One sharp pass on
 * the happy path: the format is sniffed from the magic bytes, and sharp's own pixel limit stops an
 * oversized image before it is decoded (its header is then read once more, only to say how large). If
 * `signal` aborts while the photo waits for a decode slot, it is not decoded (rejected with the
 * signal's reason). `imageToFace`, face detection and the photo classifier share it.
 */
export async function decodePhoto<T>(
  photo: string | Uint8Array,
  field: string,
  limits: ImageLimits,
  use: (photo: DecodedPhoto) => T | Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const bytes =
    typeof photo === 'string'
      ? decodeBase64(photo, field, limits.maxImageBytes)
      : fileBytes(photo, field, limits.maxImageBytes);
  const format = fileFormat(bytes);
  if (format === undefined || !SERVED_IMAGE_FORMATS.has(format)) throw notAccepted(format, field);
  return decodes.run(async () => use(await decodeToRgba(bytes, format, field, limits)), signal);
}

/**
 * Decodes a photo (base64 text or the file's bytes) and preprocesses it to 2304 grey levels (the `crop`
 * square, else the centre one); errors name `field`. See `decodePhoto`.
 */
export async function imageToFace(
  photo: string | Uint8Array,
  field: string,
  limits: ImageLimits,
  { crop, cropField = 'crop', signal }: { crop?: FaceCrop; cropField?: string; signal?: AbortSignal } = {},
): Promise<Uint8Array> {
  return decodePhoto(photo, field, limits, (image) => reduceToFace(image, field, crop, cropField), signal);
}

/**
 * Whether the file is a 16-bit PNG with an embedded colour profile. sharp converts an 8-bit photo's
 * profile (Display P3, Adobe RGB…) to sRGB as a browser does, but passes a 16-bit PNG's values on as
 * stored: a P3 one came out up to 70 levels from what Chromium shows. Such a file is converted
 * explicitly; no other is (the explicit conversion moved an untagged 16-bit PNG by up to 36 levels).
 */
async function isTaggedDeepPng(bytes: Buffer, format: string): Promise<boolean> {
  // IHDR's bit depth is byte 24 of every PNG (fileFormat checked the signature).
  if (format !== 'png' || bytes.length < 25 || bytes[24] !== 16) return false;
  return (await sharp(bytes, { limitInputPixels: false }).metadata()).hasProfile === true;
}

/** The decode of a file already checked to be PNG, JPEG or WebP, to RGBA within the limits. */
async function decodeToRgba(
  bytes: Buffer,
  format: string,
  field: string,
  limits: ImageLimits,
): Promise<DecodedPhoto> {
  let decoded: { data: Buffer; info: sharp.OutputInfo };
  try {
    const srgb = sharp(bytes, { limitInputPixels: limits.maxImagePixels, failOn: 'error' })
      .rotate()
      .toColourspace('srgb');
    if (await isTaggedDeepPng(bytes, format)) srgb.withIccProfile('srgb');
    decoded = await srgb.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    const message = (error as Error).message;
    if (/pixel limit/i.test(message)) {
      const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
      throw tooLarge(field, meta.width ?? 0, meta.height ?? 0, limits);
    }
    throw new InvalidImageError(field, `cannot be decoded (${message})`, { cause: error });
  }
  const { data, info } = decoded;
  if (info.width > MAX_IMAGE_SIDE || info.height > MAX_IMAGE_SIDE)
    throw tooLarge(field, info.width, info.height, limits);
  if (info.channels !== 4)
    throw new InvalidImageError(field, `decoded to ${info.channels} channels, expected RGBA`);
  return { width: info.width, height: info.height, data };
}

/**
 * A decoded photo's `crop` square (else its centre one) as 2304 grey levels, the crop checked and
 * refused naming `cropField`; large photos off the event loop.
 */
export function reduceToFace(
  image: DecodedPhoto,
  field: string,
  crop: FaceCrop | undefined,
  cropField: string,
): Uint8Array | Promise<Uint8Array> {
  // Checked here, where the error can name its field, before a large photo goes to the worker.
  if (crop) checkCrop(crop, image.width, image.height, cropField);
  return image.width * image.height > OFF_THREAD_PIXELS
    ? pixelsOffThread(image, field, crop)
    : imageToPixels(image, field, crop, cropField);
}
