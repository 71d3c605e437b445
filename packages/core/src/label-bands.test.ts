import { describe, expect, it } from 'vitest';
import { overlaps, type Rect } from './boxes.js';
import { placeBands, squareBounds, type BandSize, type BandSquare } from './label-bands.js';

const picture = { width: 400, height: 300 };
const band = { width: 150, height: 20 };
/** Each face's band, `size` for every face. */
const place = (squares: BandSquare[], size: BandSize = band, area: BandSize = picture) =>
  placeBands(
    squares,
    squares.map(() => [size]),
    area,
  );
/** The pairs of bands ("1 and 2", numbered from 1) that share any area. */
const bandsOnBands = (bands: Rect[]) =>
  bands.flatMap((a, i) =>
    bands.slice(i + 1).flatMap((b, k) => (overlaps(a, b) ? [`${i + 1} and ${i + k + 2}`] : [])),
  );
/** The bands ("1 on 2": band 1 on face 2's square) that cover another face's square. */
const bandsOnFaces = (bands: Rect[], squares: BandSquare[]) =>
  bands.flatMap((b, i) =>
    squares.flatMap((s, j) => (j !== i && overlaps(b, squareBounds(s)) ? [`${i + 1} on ${j + 1}`] : [])),
  );
const inside = (bands: Rect[], area: BandSize = picture) =>
  bands.every(
    (b) => b.left >= 0 && b.top >= 0 && b.left + b.width <= area.width && b.top + b.height <= area.height,
  );

describe('placeBands', () => {
  it('puts a band above its square, at its left edge, moved sideways to stay inside the picture', () => {
    expect(place([{ x: 100, y: 100, size: 80 }])).toEqual([{ left: 100, top: 80, ...band, choice: 0 }]);
    expect(place([{ x: 300, y: 100, size: 80, angle: null }])).toEqual([
      { left: 250, top: 80, ...band, choice: 0 },
    ]);
    // Turned 45°: above the box its turned square covers.
    const [turned] = place([{ x: 100, y: 100, size: 80, angle: 45 }]);
    expect(turned!.top).toBeCloseTo(140 - 40 * Math.SQRT2 - 20, 9);
  });

  it('puts the band of a face at the top edge under its square, not over it', () => {
    expect(place([{ x: 50, y: 0, size: 100 }])).toEqual([{ left: 50, top: 100, ...band, choice: 0 }]);
    // A face as tall as the picture: inside its top edge.
    expect(place([{ x: 50, y: 0, size: 300 }])).toEqual([{ left: 50, top: 0, ...band, choice: 0 }]);
  });

  it('keeps the bands of two overlapping faces side by side off one another and off the faces', () => {
    const squares = [
      { x: 100, y: 100, size: 100 },
      { x: 160, y: 110, size: 100 },
    ];
    const bands = place(squares);
    expect(bandsOnBands(bands)).toEqual([]);
    expect(bandsOnFaces(bands, squares)).toEqual([]);
    // The first above its square, the second (whose place above lies on the first's band) below it.
    expect(bands.map(({ left, top }) => [left, top])).toEqual([
      [100, 80],
      [160, 210],
    ]);
  });

  it("moves a band that would lie on a neighbour's square", () => {
    // The second face up and to the right of the first: the first's band above would cover its chin.
    const squares = [
      { x: 100, y: 150, size: 80 },
      { x: 150, y: 60, size: 80 },
    ];
    const bands = place(squares);
    expect(bandsOnFaces(bands, squares)).toEqual([]);
    expect(bands.map(({ top }) => top)).toEqual([230, 40]);
    // Turned 45°, a neighbour reaches further: a band clear of its upright square still moves.
    const turned = [squares[0]!, { x: 150, y: 50, size: 80, angle: 45 }];
    const moved = place(turned);
    expect(bandsOnFaces(moved, turned)).toEqual([]);
    expect(moved[0]!.top).toBe(230);
  });

  it('keeps the bands of a crowd of six faces close together off one another, inside the picture', () => {
    // Two rows of three, 10 px apart across and 20 px down: narrower than a band, and less than two
    // bands' height between the rows.
    const squares = Array.from({ length: 6 }, (_, i) => ({
      x: 20 + (i % 3) * 90,
      y: 40 + Math.floor(i / 3) * 100,
      size: 80,
    }));
    const bands = place(squares, { width: 130, height: 15 });
    expect(bandsOnBands(bands)).toEqual([]);
    expect(inside(bands)).toBe(true);
    // Where a place clear of the other faces is left, the band takes it: all but the middle of the
    // lower row, which lies on its right neighbour's square rather than on a band.
    expect(bandsOnFaces(bands, squares)).toEqual(['5 on 6']);
  });

  it('where no place is clear of the other faces, takes the first clear of the bands; else above, as before', () => {
    // Three faces stacked 10 px apart, each over the next, in a picture as tall as the three.
    const squares = [0, 1, 2].map((k) => ({ x: 10, y: 10 * k, size: 40 }));
    const bands = place(squares, { width: 100, height: 20 }, { width: 200, height: 60 });
    // The first under its square (over the others, but on no band); the second inside its top edge
    // (off the first's band); the third, every place taken, above its square as bands were drawn
    // before: on the second's.
    expect(bands.map(({ top }) => top)).toEqual([40, 10, 0]);
    expect(bandsOnBands(bands)).toEqual(['2 and 3']);
  });

  it("tries every place of a face's labels before its number alone, and its number before a band over a face", () => {
    // Three faces side by side at the top edge: the first's labels under it; the others' labels would
    // lie on the first band or a neighbour, their numbers fit inside their top edges.
    const squares = [0, 1, 2].map((k) => ({ x: 10 + 60 * k, y: 2, size: 50 }));
    const sizes = squares.map(() => [
      { width: 127, height: 15 },
      { width: 18, height: 15 },
    ]);
    const bands = placeBands(squares, sizes, { width: 200, height: 160 });
    expect(bands.map(({ left, top, choice }) => [left, top, choice])).toEqual([
      [10, 52, 0],
      [70, 2, 1],
      [130, 2, 1],
    ]);
    expect(bandsOnBands(bands)).toEqual([]);
    expect(bandsOnFaces(bands, squares)).toEqual([]);
  });
});
