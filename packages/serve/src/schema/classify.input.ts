/**
 * `ClassifyInput`: one face, as 2304 grey levels or as a base64 photo, and its conversion to the
 * 2304 validated grey levels a model reads. Exactly one of the two must be given. `pixels` is a
 * GreyLevels scalar (see grey-levels.scalar.ts), so a wrong value is caught by core's validatePixels
 * and reported for that one input (`INVALID_PIXELS`, naming the index) instead of failing a whole
 * classifyBatch at variable coercion.
 */
import { Field, InputType } from 'type-graphql';
import { validatePixels } from '@facekit/core';
import { imageToFace, type ImageLimits } from '../decode-image.js';
import { ServeError } from '../errors.js';
import { GreyLevelsScalar } from './grey-levels.scalar.js';

@InputType({ description: 'One face: give exactly one of `pixels` or `image`.' })
export class ClassifyInput {
  @Field(() => GreyLevelsScalar, {
    nullable: true,
    description: '2304 grey levels (integers 0–255), row-major 48×48 — the form of the dataset CSV.',
  })
  pixels?: readonly unknown[] | null;

  @Field(() => String, {
    nullable: true,
    description:
      'A photo as base64 (or a data: URL): PNG, JPEG or WebP. Decoded, turned grey (ITU-R 601 luma), centre-cropped to a square and area-averaged to 48×48.',
  })
  image?: string | null;
}

export type FaceSource = 'pixels' | 'image';

/** The face's grey levels and where they came from; errors name `field` (e.g. `inputs[3]`). */
export async function inputToFace(
  input: ClassifyInput,
  field: string,
  limits: ImageLimits,
): Promise<{ pixels: Uint8Array; source: FaceSource }> {
  const hasPixels = input.pixels !== undefined && input.pixels !== null;
  const hasImage = input.image !== undefined && input.image !== null;
  if (hasPixels === hasImage) {
    throw new ServeError(
      'INVALID_INPUT',
      field,
      `give exactly one of pixels or image (got ${hasPixels ? 'both' : 'neither'})`,
    );
  }
  if (hasPixels)
    return { pixels: validatePixels(input.pixels as ArrayLike<number>, `${field}.pixels`), source: 'pixels' };
  return { pixels: await imageToFace(input.image!, `${field}.image`, limits), source: 'image' };
}
