/**
 * A client's photo, checked on the event loop — base64 text (GraphQL: alphabet, size) or the file's
 * bytes (the photo classifier), its format from its magic bytes — and handed as a file to the thread
 * that reads its pixels, which decodes it there (decode-file.ts: sharp, EXIF orientation applied, as
 * browsers draw photos): classify's photos go to the photo worker (pixels-off-thread.ts, core's
 * imageToPixels — the function the web demo runs on canvas pixels, so server and browser feed identical
 * tensors), classifyFaces' to the face detector's threads. The decoded pixels never cross a thread:
 * sharp's buffer cannot be moved, and posting it was a copy that stalled the event loop. At most one
 * photo per core is decoded at once, whatever the requests hold; the others wait their turn.
 */
import { fileFormat, InvalidImageError, SERVED_IMAGE_FORMATS, snippet, type FaceCrop } from '@facekit/core';
import { usableCores } from './cpu-quota.js';
import type { PhotoFile } from './decode-file.js';
import { ServeError } from './errors.js';
import { Limiter } from './limiter.js';
import { pixelsOffThread } from './pixels-off-thread.js';

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
function notAccepted(format: string | undefined, field: string, bytes: number): InvalidImageError {
  // "is in AVIF format", not "is a avif file": no article to get wrong before the format's name.
  if (format)
    return new InvalidImageError(
      field,
      `is in ${format.toUpperCase()} format; only PNG, JPEG and WebP are read`,
    );
  return new InvalidImageError(
    field,
    bytes === 0 ? 'is empty (0 bytes), not a PNG, JPEG or WebP image' : 'is not a PNG, JPEG or WebP image',
  );
}

/**
 * A photo's bytes in memory of their own, spanning all of it, so that a worker can be handed them
 * without a copy: decoded base64 as it is (copied only when small enough to share Node's buffer pool),
 * a caller's bytes copied — they stay the caller's, and a file that is a slice of a larger buffer (a
 * request's body) would be posted with all of that buffer. Only the compressed file is ever copied.
 */
function ownBytes(photo: string | Uint8Array, field: string, maxBytes: number): Uint8Array {
  if (typeof photo !== 'string') {
    if (photo.length > maxBytes) throw fileTooLarge(field, photo.length, maxBytes);
    return new Uint8Array(photo);
  }
  const bytes = decodeBase64(photo, field, maxBytes);
  return bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

/**
 * Checks a photo — base64 text (see decodeBase64), or the file's bytes — and hands it as a file to
 * `decode`, which decodes it (decode-file.ts) in the thread that reads its pixels, in one decode slot:
 * the slot is held until `decode` settles, so a photo counts against the slots for as long as it is
 * decoded and worked on, wherever that is. Errors name `field`: the file's size and format are checked
 * here, its pixels (IMAGE_TOO_LARGE, INVALID_IMAGE) where it is decoded. If `signal` aborts while the
 * photo waits for a decode slot, it is not decoded (rejected with the signal's reason). `imageToFace`,
 * face detection and the photo classifier share it.
 */
export async function decodePhoto<T>(
  photo: string | Uint8Array,
  field: string,
  limits: ImageLimits,
  decode: (file: PhotoFile) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const bytes = ownBytes(photo, field, limits.maxImageBytes);
  const format = fileFormat(bytes);
  if (format === undefined || !SERVED_IMAGE_FORMATS.has(format))
    throw notAccepted(format, field, bytes.length);
  const file = { bytes, format, field, maxImagePixels: limits.maxImagePixels };
  return decodes.run(() => decode(file), signal);
}

/**
 * Decodes a photo (base64 text or the file's bytes) and preprocesses it to 2304 grey levels (the `crop`
 * square, else the centre one), on the photo worker; errors name `field`, and the crop `cropField`. See
 * `decodePhoto`.
 */
export async function imageToFace(
  photo: string | Uint8Array,
  field: string,
  limits: ImageLimits,
  { crop, cropField = 'crop', signal }: { crop?: FaceCrop; cropField?: string; signal?: AbortSignal } = {},
): Promise<Uint8Array> {
  const face = await decodePhoto(
    photo,
    field,
    limits,
    (file) => pixelsOffThread(file, crop, cropField),
    signal,
  );
  return face.pixels;
}
