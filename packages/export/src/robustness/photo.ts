/**
 * The changes a face goes through on its way from a camera to the server, made with the same library
 * the server decodes with (sharp): JPEG compression of the 48×48 face itself (a thumbnail, the worst
 * case), and a larger photo of the face, compressed as a browser would, then handed to the server's own
 * decoder (serve's `imageToFace`, with the server's default limits).
 */
import sharp from 'sharp';
import { IMAGE_SIZE } from '@facekit/core';
import { DEFAULT_OPTIONS, imageToFace } from '@facekit/serve';

const grey48 = (face: Uint8Array) =>
  sharp(face, { raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 1 } });

/** out = the face saved as a 48×48 JPEG of `quality` (1–100) and read back. */
export async function jpegRoundTrip(face: Uint8Array, out: Uint8Array, quality: number): Promise<void> {
  const jpeg = await grey48(face).jpeg({ quality }).toBuffer();
  out.set(await sharp(jpeg).greyscale().raw().toBuffer());
}

/**
 * out = the face enlarged to a `side` × `side` photo, saved as a JPEG of `quality`, then decoded and
 * reduced to 48×48 grey levels by the server's decoder, as an upload would be. The enlargement repeats
 * pixels, which the server's area reduction undoes exactly, so the row measures the JPEG and the
 * server's path alone: a smooth (Lanczos) enlargement would blur the face once reduced again — 1.3
 * points of age on the shipped models, what the blur rows measure.
 */
export async function uploadedPhoto(
  face: Uint8Array,
  out: Uint8Array,
  side: number,
  quality: number,
): Promise<void> {
  const jpeg = await grey48(face).resize(side, side, { kernel: 'nearest' }).jpeg({ quality }).toBuffer();
  out.set(await imageToFace(jpeg.toString('base64'), 'photo', DEFAULT_OPTIONS));
}
