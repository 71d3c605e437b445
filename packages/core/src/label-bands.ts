/**
 * Where each face's label band goes on a picture with its faces' squares drawn: the dark band with the
 * face's number and short answer ("2  21-40 · White · female") that the web demo's drawFaces (live
 * labels, "Save with labels") and `pnpm classify --annotate` draw. Pure geometry, shared so that both
 * place bands alike, and unit-tested beside this file.
 *
 * A band may go above its square, below it, inside its top edge or inside its bottom edge, in that
 * order (`bandPlaces`), each moved sideways to stay inside the picture. Faces are placed in their order
 * (face 1, the best, first), each band at the first place that covers no band placed before it and no
 * other face's square (turned as it was read); where none does, at the first place that covers no
 * band; where even that fails (a crowd), above its square as bands were drawn before. A drawer may
 * offer a face more than one band (its labels, then its number alone): each is tried in turn, at every
 * place, before the next rule is.
 */
import { overlaps, turnedBounds, type Rect } from './boxes.js';

/** A face's square on the picture, in its pixels: as a FaceCrop or a classifyFaces answer gives it. */
export interface BandSquare {
  readonly x: number;
  readonly y: number;
  readonly size: number;
  /** Degrees the square is turned clockwise about its centre; absent or null: upright. */
  readonly angle?: number | null;
}

/** A band's size, or the picture's, in its pixels. */
export interface BandSize {
  readonly width: number;
  readonly height: number;
}

/** A band placed on the picture, and which of the sizes offered for its face it took (0: the first). */
export interface PlacedBand extends Rect {
  readonly choice: number;
}

/** The upright box that face `square` covers on the picture, turned as it was read. */
export const squareBounds = ({ x, y, size, angle }: BandSquare): Rect =>
  turnedBounds({ left: x, top: y, width: size, height: size }, angle ?? 0);

/**
 * The places a `size` band may take by the face whose square covers `bounds`, in the order they are
 * tried: above the square and below it (where the picture has room), then inside its top edge and
 * inside its bottom edge; each starts at the square's left edge, moved sideways (and, inside, down or
 * up) to stay inside the `picture`. The first is where the bands were drawn before any were moved.
 */
export function bandPlaces(bounds: Rect, { width, height }: BandSize, picture: BandSize): Rect[] {
  const left = Math.max(0, Math.min(bounds.left, picture.width - width));
  const inside = (top: number) => Math.max(0, Math.min(top, picture.height - height));
  const bottom = bounds.top + bounds.height;
  const tops = [
    ...(bounds.top - height >= 0 ? [bounds.top - height] : []),
    ...(bottom + height <= picture.height ? [bottom] : []),
    inside(bounds.top),
    inside(bottom - height),
  ];
  return tops.map((top) => ({ left, top, width, height }));
}

/**
 * Each face's band, face after face in the order given (face 1, the best, first): `bands[i]` are the
 * sizes face `i`'s band may have, preferred first (at least one). Its band goes at the first place
 * (`bandPlaces`; every place of a size before the next size's) that overlaps no band already placed
 * and no other face's square; else the first that overlaps no band placed; else the first place of
 * its last size (above the square, where the picture has room).
 */
export function placeBands(
  squares: readonly BandSquare[],
  bands: readonly (readonly BandSize[])[],
  picture: BandSize,
): PlacedBand[] {
  const faces = squares.map(squareBounds);
  const placed: PlacedBand[] = [];
  for (const [i, face] of faces.entries()) {
    const sizes = bands[i]!;
    const places = sizes.flatMap((size, choice) =>
      bandPlaces(face, size, picture).map((place) => ({ ...place, choice })),
    );
    const clearOfBands = (place: Rect) => !placed.some((band) => overlaps(place, band));
    const clearOfFaces = (place: Rect) => !faces.some((other, j) => j !== i && overlaps(place, other));
    placed.push(
      places.find((place) => clearOfBands(place) && clearOfFaces(place)) ??
        places.find(clearOfBands) ?? {
          ...bandPlaces(face, sizes.at(-1)!, picture)[0]!,
          choice: sizes.length - 1,
        },
    );
  }
  return placed;
}
