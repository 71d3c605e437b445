/**
 * Upright boxes on a picture, for placing what is drawn beside its faces' squares so that nothing lies
 * on anything else: the web demo's face marks (where their tags and numbers go) and the label bands
 * that drawFaces and `pnpm classify --annotate` draw (label-bands.ts). Pure geometry, in whatever unit
 * the caller measures in (CSS pixels on the page, photo pixels in a drawn photo).
 */

/** A box, upright: its top-left corner and its size. */
export interface Rect {
  readonly left: number;
  readonly top: number;
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
