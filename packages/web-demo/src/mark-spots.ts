/**
 * Where the face marks' tags and numbers go on the photo (face-marks.ts): pure geometry on the boxes
 * the marks cover, kept apart from the DOM so the rules are unit-tested beside this file. A tag (the
 * face's number and short answer) sits beside its square (`tagSpots`); when one does not fit so, each
 * mark shows its number alone (`numberSpots`) and the answers are listed under the photo.
 */

/** A box on screen, in CSS pixels. */
export interface Rect {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

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

/** The upright box that a square (`rect`) turned `angle` degrees about its centre covers. */
export function turnedBounds(rect: Rect, angle = 0): Rect {
  const turn = (angle * Math.PI) / 180;
  const side = rect.width * (Math.abs(Math.cos(turn)) + Math.abs(Math.sin(turn)));
  const [cx, cy] = [rect.left + rect.width / 2, rect.top + rect.height / 2];
  return { left: cx - side / 2, top: cy - side / 2, width: side, height: side };
}

/** Whether two boxes share any area (boxes that only touch do not). */
export const overlaps = (a: Rect, b: Rect): boolean =>
  a.left < b.left + b.width &&
  b.left < a.left + a.width &&
  a.top < b.top + b.height &&
  b.top < a.top + a.height;

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

/**
 * Where each face's number goes when the marks show numbers alone (a crowded photo): in its square's
 * top-left corner, kept inside `area` (the photo's box).
 */
export function numberSpots(squares: readonly Rect[], _numbers: readonly Size[], area: Rect): Spot[] {
  return squares.map((square) => ({
    left: Math.max(area.left, square.left),
    top: Math.max(area.top, square.top),
  }));
}
