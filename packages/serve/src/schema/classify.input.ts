/**
 * `ClassifyInput`: one face, as 2304 grey levels or as a photo — base64 text, or a file part of a
 * multipart request — with the square holding the face if it is not the centre one, and its conversion
 * to the 2304 validated grey levels a model reads. Exactly one of the three must be given. `pixels` is a
 * GreyLevels scalar (see grey-levels.scalar.ts), so a wrong value is caught by core's validatePixels and
 * reported for that one input (`INVALID_PIXELS`, naming the index) instead of failing a whole
 * classifyBatch at variable coercion.
 */
import { Field, Float, InputType, Int } from 'type-graphql';
import { validatePixels, type FaceCrop } from '@facekit/core';
import { imageToFace, type ImageLimits } from '../decode-image.js';
import { ServeError } from '../errors.js';
import type { UploadedFile } from '../multipart-request.js';
import { GreyLevelsScalar } from './grey-levels.scalar.js';
import { UploadScalar } from './upload.scalar.js';

@InputType({
  description:
    'The square of a photo that holds the face, in the pixels of the photo as it is shown (EXIF orientation applied): the top-left corner and the side, and how far it is turned about its centre.',
})
export class CropInput implements FaceCrop {
  @Field(() => Int, { description: 'Column of the left edge (0: the left edge of the photo).' })
  x!: number;

  @Field(() => Int, { description: 'Row of the top edge (0: the top edge of the photo).' })
  y!: number;

  @Field(() => Int, { description: 'Side of the square, in pixels.' })
  size!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      "Degrees the square is turned clockwise about its centre (−180 to 180), for a tilted face: the models were trained on faces with level eyes. Default 0. Its corners may reach past the photo's edges, which are repeated.",
  })
  angle?: number;
}

@InputType({ description: 'One face: give exactly one of `pixels`, `image` or `photo`.' })
export class ClassifyInput {
  @Field(() => GreyLevelsScalar, {
    nullable: true,
    description: '2304 grey levels (integers 0–255), row-major 48×48 — the form of the dataset CSV.',
  })
  pixels?: readonly unknown[] | null;

  @Field(() => String, {
    nullable: true,
    description:
      'A photo as base64 (or a data: URL): PNG, JPEG or WebP. Decoded, turned grey (ITU-R 601 luma), cropped to a square (`crop`, else the centre square) and area-averaged to 48×48.',
  })
  image?: string | null;

  @Field(() => UploadScalar, {
    nullable: true,
    description:
      'A photo as a file part of a multipart request (PNG, JPEG or WebP), read as `image` is: the same photo without base64.',
  })
  photo?: UploadedFile | null;

  @Field(() => CropInput, {
    nullable: true,
    description:
      "With `image` or `photo`: the square holding the face (the models were trained on tightly cropped faces). Default: the photo's centre square.",
  })
  crop?: CropInput | null;
}

export type FaceSource = 'pixels' | 'image';

/**
 * The face's grey levels and where they came from; errors name `field` (e.g. `inputs[3]`). A photo still
 * waiting for a decode slot when `signal` aborts is not decoded.
 */
export async function inputToFace(
  input: ClassifyInput,
  field: string,
  limits: ImageLimits,
  signal?: AbortSignal,
): Promise<{ pixels: Uint8Array; source: FaceSource }> {
  const given = (['pixels', 'image', 'photo'] as const).filter(
    (k) => input[k] !== undefined && input[k] !== null,
  );
  if (given.length !== 1) {
    const got = given.length === 0 ? 'none' : given.join(' and ');
    throw new ServeError('INVALID_INPUT', field, `give exactly one of pixels, image or photo (got ${got})`);
  }
  // An angle sent as null is no angle (upright), as when it is left out.
  const square = input.crop ?? undefined;
  const crop = square && {
    x: square.x,
    y: square.y,
    size: square.size,
    ...(square.angle !== null && square.angle !== undefined ? { angle: square.angle } : {}),
  };
  if (given[0] === 'pixels') {
    if (crop)
      throw new ServeError(
        'INVALID_INPUT',
        `${field}.crop`,
        'applies to image and photo only, not to pixels',
      );
    return { pixels: validatePixels(input.pixels as ArrayLike<number>, `${field}.pixels`), source: 'pixels' };
  }
  const options = { ...(crop ? { crop, cropField: `${field}.crop` } : {}), ...(signal ? { signal } : {}) };
  const photo = input.image ?? input.photo!.bytes;
  return { pixels: await imageToFace(photo, `${field}.${given[0]}`, limits, options), source: 'image' };
}
