import { describe, expect, it } from 'vitest';
import { numberSpots, tagSpots } from './mark-spots.js';

/** The 240-pixel photo box of the page, the photo filling it. */
const area = { left: 0, top: 0, width: 240, height: 240 };
const tag = { width: 120, height: 15 };

describe('tagSpots', () => {
  it('puts each tag centred under its square, moved sideways to stay on the photo', () => {
    const squares = [
      { left: 130, top: 20, width: 80, height: 80 },
      { left: 20, top: 120, width: 50, height: 50 },
    ];
    expect(tagSpots(squares, [tag, tag], area)).toEqual([
      { left: 110, top: 100 },
      { left: 0, top: 170 },
    ]);
  });

  it("puts a tag above its square where the photo's bottom edge leaves no room under it", () => {
    const squares = [{ left: 60, top: 150, width: 90, height: 80 }];
    expect(tagSpots(squares, [tag], area)).toEqual([{ left: 45, top: 135 }]);
    // In a letterboxed photo's box, the area is the box, not the photo: the tag may go on the band.
    const box = { left: 4, top: 4, width: 240, height: 240 };
    expect(tagSpots([{ left: 4, top: 50, width: 240, height: 140 }], [tag], box)).toEqual([
      { left: 64, top: 190 },
    ]);
  });

  it('gives up (numbers and a list) when a tag would cover another face or tag, or is wider than the photo', () => {
    // Side by side: the second tag goes above its face, clear of the first one's under it...
    const row = [
      { left: 10, top: 80, width: 60, height: 60 },
      { left: 90, top: 80, width: 60, height: 60 },
    ];
    expect(tagSpots(row, [tag, tag], area)).toEqual([
      { left: 0, top: 140 },
      { left: 60, top: 65 },
    ]);
    // ...but at the photo's top edge it has no room there, and would lie on the first: numbers.
    const top = row.map((square) => ({ ...square, top: 5 }));
    expect(tagSpots(top, [tag, tag], area)).toBeNull();
    // Tags as narrow as the faces fit under each.
    expect(
      tagSpots(
        top,
        [
          { width: 60, height: 15 },
          { width: 60, height: 15 },
        ],
        area,
      ),
    ).toEqual([
      { left: 10, top: 65 },
      { left: 90, top: 65 },
    ]);
    // A face right under another: the upper face's tag would cover the lower face.
    const column = [
      { left: 60, top: 10, width: 60, height: 60 },
      { left: 60, top: 75, width: 60, height: 60 },
    ];
    expect(tagSpots(column, [tag, tag], area)).toBeNull();
    expect(tagSpots([row[0]!], [{ width: 241, height: 15 }], area)).toBeNull();
    // A square the height of the photo has no room above or below.
    expect(tagSpots([{ left: 0, top: 0, width: 240, height: 240 }], [tag], area)).toBeNull();
    expect(tagSpots([], [], area)).toEqual([]);
  });
});

describe('numberSpots', () => {
  const number = { width: 14, height: 15 };
  /** The boxes the numbers cover, at `spots`. */
  const boxes = (spots: { left: number; top: number }[], sizes = spots.map(() => number)) =>
    spots.map((spot, i) => ({ ...spot, ...sizes[i]! }));
  /** Whether any two boxes share area or lie less than `gap` apart. */
  const crowding = (rects: ReturnType<typeof boxes>, gap = 0) =>
    rects.some((a, i) =>
      rects.some(
        (b, j) =>
          i < j &&
          a.left < b.left + b.width + gap &&
          b.left < a.left + a.width + gap &&
          a.top < b.top + b.height + gap &&
          b.top < a.top + a.height + gap,
      ),
    );

  it("puts each number in its square's top-left corner, inside the photo's box, when nothing is in the way", () => {
    const squares = [
      { left: 10, top: 80, width: 60, height: 60 },
      { left: -4, top: -3, width: 50, height: 50 },
    ];
    expect(numberSpots(squares, [number, number], area)).toEqual([
      { left: 10, top: 80 },
      { left: 0, top: 0 },
    ]);
    // A crowd's squares that touch, or cross by less than a mark's border (turned ones' bounds).
    const row = [0, 1, 2, 3, 4].map((i) => ({ left: 3 + i * 47.5, top: 70, width: 44.7, height: 44.7 }));
    const numbers = row.map(() => number);
    expect(numberSpots(row, numbers, area)).toEqual(row.map(({ left, top }) => ({ left, top })));
    expect(numberSpots([], [], area)).toEqual([]);
  });

  it('moves a number off a face that overlaps its square, to the first corner free of faces and numbers', () => {
    // A small face at a larger one's top-left corner: their numbers, each in its square's top-left
    // corner, lay on one another before.
    const squares = [
      { left: 120, top: 84, width: 80, height: 80 },
      { left: 116, top: 80, width: 30, height: 30 },
    ];
    const spots = numberSpots(squares, [number, number], area);
    expect(crowding(boxes(spots), 2)).toBe(false);
    // The larger face's number in its top-right corner; the small face's, all of whose corners lie on
    // the larger face, just above its top-left corner.
    expect(spots).toEqual([
      { left: 186, top: 84 },
      { left: 116, top: 65 },
    ]);
  });

  it('keeps two numbers apart by a gap, so that "1" beside "2" cannot read as "12"', () => {
    // Side by side, the second square's top-left corner right where the first number ends.
    const squares = [
      { left: 40, top: 100, width: 14, height: 40 },
      { left: 54, top: 100, width: 40, height: 40 },
    ];
    const spots = numberSpots(squares, [number, number], area);
    expect(spots).toEqual([
      { left: 40, top: 100 },
      { left: 80, top: 100 },
    ]);
    expect(crowding(boxes(spots), 2)).toBe(false);
  });

  it("keeps every number inside the photo's box, also the spots just outside a square", () => {
    // A small face at a larger one's top-left corner, on the box's top edge: the spots above it would
    // leave the box, and are moved into it, onto the larger face.
    const squares = [
      { left: 0, top: 0, width: 100, height: 100 },
      { left: 2, top: 0, width: 30, height: 30 },
    ];
    const spots = numberSpots(squares, [number, number], area);
    for (const box of boxes(spots)) {
      expect(box.left).toBeGreaterThanOrEqual(0);
      expect(box.top).toBeGreaterThanOrEqual(0);
      expect(box.left + box.width).toBeLessThanOrEqual(240);
      expect(box.top + box.height).toBeLessThanOrEqual(240);
    }
    expect(spots).toEqual([
      { left: 86, top: 0 },
      { left: 2, top: 0 },
    ]);
  });

  it('falls back to a spot on another face clear of numbers, then to the one covering least of them', () => {
    // A face inside a larger one that fills the box: every spot of the small one lies on the larger
    // face, so its number goes to the first clear of the larger face's number: its top-left corner.
    const box = { left: 0, top: 0, width: 60, height: 60 };
    const nested = [box, { left: 20, top: 20, width: 20, height: 20 }];
    expect(numberSpots(nested, [number, number], box)).toEqual([
      { left: 0, top: 0 },
      { left: 20, top: 20 },
    ]);
    // Two numbers on a box too small to keep them apart: the second goes where it covers the least
    // of the first (its square's bottom-right corner), the same spot every time.
    const tiny = { left: 0, top: 0, width: 20, height: 20 };
    const squeezed = numberSpots([tiny, tiny], [number, number], tiny);
    expect(squeezed).toEqual([
      { left: 0, top: 0 },
      { left: 6, top: 5 },
    ]);
    expect(numberSpots([tiny, tiny], [number, number], tiny)).toEqual(squeezed);
  });
});
