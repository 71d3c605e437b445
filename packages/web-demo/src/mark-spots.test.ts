import { describe, expect, it } from 'vitest';
import { numberSpots, tagSpots, turnedBounds } from './mark-spots.js';

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

describe('turnedBounds', () => {
  it('is the square itself upright, and grows about its centre as it turns', () => {
    const square = { left: 10, top: 20, width: 100, height: 100 };
    expect(turnedBounds(square)).toEqual(square);
    const turned = turnedBounds(square, 45);
    expect(turned.width).toBeCloseTo(100 * Math.SQRT2, 9);
    expect(turned.left + turned.width / 2).toBeCloseTo(60, 9);
    expect(turned.top + turned.height / 2).toBeCloseTo(70, 9);
    expect(turnedBounds(square, -20).width).toBeCloseTo(turnedBounds(square, 20).width, 9);
  });
});

describe('numberSpots', () => {
  const number = { width: 14, height: 15 };

  it("puts each number in its square's top-left corner, inside the photo's box", () => {
    const squares = [
      { left: 10, top: 80, width: 60, height: 60 },
      { left: -4, top: -3, width: 50, height: 50 },
    ];
    expect(numberSpots(squares, [number, number], area)).toEqual([
      { left: 10, top: 80 },
      { left: 0, top: 0 },
    ]);
    expect(numberSpots([], [], area)).toEqual([]);
  });
});
