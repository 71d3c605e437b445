/**
 * Where the face marks' tags and numbers go on the photo (face-marks.ts): pure geometry on the boxes
 * the marks cover, kept apart from the DOM so the rules are unit-tested beside this file. A tag (the
 * face's number and short answer) sits beside its square (`tagSpots`); when one does not fit so, each
 * mark shows its number alone (`numberSpots`) and the answers are listed under the photo. Boxes and
 * whether two overlap are core's (boxes.ts): the label bands drawn on a photo are placed with them too.
 */
import { overlaps, type Rect } from '@facekit/core';

/** Where a tag or number's top-left corner goes, in CSS pixels. */
export interface Spot {
  readonly left: number;
  readonly top: number;
}

/** A tag or number's size, as measured on the page. */
export interface Size {
  readonly width: number;
  readonly height: number;
}

/**
 * Where each face's tag goes: centred under its square (`squares`: the boxes the marks cover), else
 * above it, moved sideways to stay inside `area` (the photo's box), over no other face's square and no
 * tag placed before it. Null when a tag fits nowhere so: the marks are then numbered and the answers
 * listed.
 */
export function tagSpots(squares: readonly Rect[], tags: readonly Size[], area: Rect): Spot[] | null {
  const placed: Rect[] = [];
  for (const [i, square] of squares.entries()) {
    const { width, height } = tags[i]!;
    if (width > area.width) return null;
    const left = Math.min(
      Math.max(area.left, square.left + (square.width - width) / 2),
      area.left + area.width - width,
    );
    const spot = [square.top + square.height, square.top - height]
      .map((top) => ({ left, top, width, height }))
      .find(
        (tag) =>
          tag.top >= area.top &&
          tag.top + height <= area.top + area.height &&
          !placed.some((other) => overlaps(tag, other)) &&
          !squares.some((other, j) => j !== i && overlaps(tag, other)),
      );
    if (!spot) return null;
    placed.push(spot);
  }
  return placed.map(({ left, top }) => ({ left, top }));
}

/** How far (CSS px) a number may reach into another face's square: over its dashed border, no more. */
export const BORDER_REACH = 2;
/** The least room (CSS px) between two numbers, so that "1" beside "2" cannot read as "12". */
export const NUMBER_GAP = 2;

/** `rect` grown by `by` on every side (shrunk, for a negative `by`). */
const grown = (rect: Rect, by: number): Rect => ({
  left: rect.left - by,
  top: rect.top - by,
  width: rect.width + 2 * by,
  height: rect.height + 2 * by,
});

/** The area two boxes share. */
function shared(a: Rect, b: Rect): number {
  const width = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const height = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  return Math.max(0, width) * Math.max(0, height);
}

/**
 * The spots a `size` number may take on `square`, in the order they are tried, each kept inside
 * `area`: the square's corners inside it (top-left, top-right, bottom-left, bottom-right), then just
 * outside them (above the top ones, under the bottom ones).
 */
function numberPlaces(square: Rect, { width, height }: Size, area: Rect): Rect[] {
  const [left, right] = [square.left, square.left + square.width - width];
  const [top, bottom] = [square.top, square.top + square.height - height];
  const [above, under] = [square.top - height, square.top + square.height];
  const spots: [number, number][] = [
    [left, top],
    [right, top],
    [left, bottom],
    [right, bottom],
    [left, above],
    [right, above],
    [left, under],
    [right, under],
  ];
  return spots.map(([x, y]) => ({
    left: Math.max(area.left, Math.min(x, area.left + area.width - width)),
    top: Math.max(area.top, Math.min(y, area.top + area.height - height)),
    width,
    height,
  }));
}

/**
 * Where each face's number goes when the marks show numbers alone (a crowded photo), face by face in
 * the detector's order: at the first of its square's spots (`numberPlaces`: its top-left corner first)
 * that lies on no other face's square (beyond its border) and near no number placed before it, else at
 * the first near no number (on another face, but readable), else where it covers the least of the
 * numbers placed before it. Every spot is inside `area` (the photo's box); the same squares give the
 * same spots.
 */
export function numberSpots(squares: readonly Rect[], numbers: readonly Size[], area: Rect): Spot[] {
  const placed: Rect[] = [];
  for (const [i, square] of squares.entries()) {
    const places = numberPlaces(square, numbers[i]!, area);
    const faces = squares.filter((_, j) => j !== i).map((other) => grown(other, -BORDER_REACH));
    const apart = (spot: Rect) => !placed.some((number) => overlaps(spot, grown(number, NUMBER_GAP)));
    const onNoFace = (spot: Rect) => !faces.some((face) => overlaps(spot, face));
    const covered = (spot: Rect) => placed.reduce((sum, number) => sum + shared(spot, number), 0);
    const spot =
      places.find((spot) => apart(spot) && onNoFace(spot)) ??
      places.find(apart) ??
      places.reduce((best, spot) => (covered(spot) < covered(best) ? spot : best));
    placed.push(spot);
  }
  return placed.map(({ left, top }) => ({ left, top }));
}
