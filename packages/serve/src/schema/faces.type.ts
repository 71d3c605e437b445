/**
 * What `classifyFaces` answers: the photo's size and every face the detector found in it, best first,
 * each with the detector's score, box and keypoints, the square that was classified (usable as
 * `classify`'s `crop` to ask again about one face) and its classification.
 */
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Classification } from './classification.type.js';

@ObjectType({ description: 'A point in the photo, in its pixels (EXIF orientation applied).' })
export class Point {
  @Field(() => Float, { description: 'Column, from the left edge.' })
  x!: number;

  @Field(() => Float, { description: 'Row, from the top edge.' })
  y!: number;
}

@ObjectType({
  description:
    "The square of the photo that was classified, framed as the training faces were and inside the photo; pass it as classify's `crop` to classify the same face again.",
})
export class FaceSquare {
  @Field(() => Int, { description: 'Column of the left edge.' })
  x!: number;

  @Field(() => Int, { description: 'Row of the top edge.' })
  y!: number;

  @Field(() => Int, { description: 'Side of the square, in pixels.' })
  size!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'Degrees the square is turned clockwise about its centre, with the eye line of a tilted face (5° or more); null when upright.',
  })
  angle!: number | null;
}

@ObjectType({
  description: "The detector's box around a face, in photo pixels; it may reach past the photo's edges.",
})
export class FaceBox {
  @Field(() => Float, { description: 'Column of the left edge.' })
  x!: number;

  @Field(() => Float, { description: 'Row of the top edge.' })
  y!: number;

  @Field(() => Float, { description: 'Width, in pixels.' })
  width!: number;

  @Field(() => Float, { description: 'Height, in pixels.' })
  height!: number;
}

@ObjectType({
  description: "The detector's keypoints; right and left are the subject's own (right: the photo's left).",
})
export class FaceKeypoints {
  @Field(() => Point, { description: "Centre of the subject's right eye." })
  rightEye!: Point;

  @Field(() => Point, { description: "Centre of the subject's left eye." })
  leftEye!: Point;

  @Field(() => Point, { description: 'Tip of the nose.' })
  nose!: Point;

  @Field(() => Point, { description: 'Centre of the mouth.' })
  mouth!: Point;

  @Field(() => Point, { description: "The subject's right ear (tragion)." })
  rightEar!: Point;

  @Field(() => Point, { description: "The subject's left ear (tragion)." })
  leftEar!: Point;
}

@ObjectType({ description: 'One face found in a photo, and its classification.' })
export class FaceInPhoto {
  @Field(() => Float, { description: "The detector's confidence that this is a face, 0–1." })
  score!: number;

  @Field(() => FaceSquare, { description: 'The square that was classified.' })
  crop!: FaceSquare;

  @Field(() => FaceBox, { description: "The detector's box." })
  box!: FaceBox;

  @Field(() => FaceKeypoints, { description: "The detector's keypoints." })
  keypoints!: FaceKeypoints;

  @Field(() => Classification, { description: "The face's classification (source: detected)." })
  classification!: Classification;
}

@ObjectType({ description: 'The faces found in one photo, best first.' })
export class FacesInPhoto {
  @Field(() => Int, { description: "The photo's width, in pixels (EXIF orientation applied)." })
  width!: number;

  @Field(() => Int, { description: "The photo's height, in pixels (EXIF orientation applied)." })
  height!: number;

  @Field(() => [FaceInPhoto], {
    description: 'The faces found, best score first; empty when there are none.',
  })
  faces!: FaceInPhoto[];
}
