import { describe, expect, it } from 'vitest';
import { InvalidCropError, InvalidImageError } from './errors.js';
import { centreSquare, imageToPixels, type RgbaImage } from './preprocess.js';

function solid(
  width: number,
  height: number,
  rgb: (x: number, y: number) => [number, number, number],
): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgb(x, y);
      data.set([r, g, b, 255], (y * width + x) * 4);
    }
  return { width, height, data };
}

describe('imageToPixels', () => {
  it('uses ITU-R 601 luma', () => {
    // 0.299·200 + 0.587·100 + 0.114·50 = 59.8 + 58.7 + 5.7 = 124.2 → 124
    const out = imageToPixels(solid(48, 48, () => [200, 100, 50]));
    expect(out.every((v) => v === 124)).toBe(true);
    expect(imageToPixels(solid(48, 48, () => [255, 0, 0]))[0]).toBe(76); // 76.245
    expect(imageToPixels(solid(48, 48, () => [0, 0, 255]))[0]).toBe(29); // 29.07
  });

  it('composites transparent pixels over white, whatever colour lies under them', () => {
    const withAlpha = (rgba: [number, number, number, number]): RgbaImage => {
      const data = new Uint8Array(48 * 48 * 4);
      for (let i = 0; i < data.length; i += 4) data.set(rgba, i);
      return { width: 48, height: 48, data };
    };
    // A canvas gives 0,0,0 under a fully transparent pixel, sharp the colour the file stored.
    expect(imageToPixels(withAlpha([0, 0, 0, 0]))[0]).toBe(255);
    expect(imageToPixels(withAlpha([200, 100, 50, 0]))[0]).toBe(255);
    // Half transparent: 255 + (124.2 − 255) · 128 / 255 = 189.34 → 189.
    expect(imageToPixels(withAlpha([200, 100, 50, 128]))[0]).toBe(189);
    expect(imageToPixels(withAlpha([200, 100, 50, 255]))[0]).toBe(124);
  });

  it('area-averages 2×2 blocks when downscaling 96 → 48', () => {
    // Pixel (x, y) grey = x + 2y (r = g = b so luma is exact). Output (i, j) averages
    // x ∈ {2i, 2i+1}, y ∈ {2j, 2j+1}: (2i + 0.5) + 2(2j + 0.5) = 2i + 4j + 1.5 → rounds half up.
    const out = imageToPixels(
      solid(
        96,
        96,
        (x, y) => [x + 2 * y, x + 2 * y, x + 2 * y].map((v) => Math.min(v, 255)) as [number, number, number],
      ),
    );
    expect(out[0]).toBe(2); // 1.5
    expect(out[1]).toBe(4); // 3.5
    expect(out[48]).toBe(6); // 5.5
    expect(out[48 * 10 + 5]).toBe(Math.round(2 * 5 + 4 * 10 + 1.5));
  });

  it('handles a non-integer scale by fractional coverage (72 → 48: 1.5 source pixels per output)', () => {
    // Columns alternate 0, 90, 0, 90…; output 0 covers col 0 fully and col 1 by half: (0 + 0.5·90)/1.5 = 30.
    // Output 1 covers col 1 by half and col 2 fully: (0.5·90 + 0)/1.5 = 30.
    const out = imageToPixels(solid(72, 72, (x) => (x % 2 ? [90, 90, 90] : [0, 0, 0])));
    expect(out[0]).toBe(30);
    expect(out[1]).toBe(30);
    // Col 3 (90) and col 4 (0) for output 2: (1·90 + 0.5·0)/1.5 = 60.
    expect(out[2]).toBe(60);
  });

  it('crops the centre square of a wide image', () => {
    // 144×48: only columns 48..95 are kept; left third black, middle grey 100, right third white.
    const out = imageToPixels(
      solid(144, 48, (x) => (x < 48 ? [0, 0, 0] : x < 96 ? [100, 100, 100] : [255, 255, 255])),
    );
    expect(out.every((v) => v === 100)).toBe(true);
  });

  it('reduces the square a crop names instead of the centre one', () => {
    // 144×96: a bright 48×48 face at (90, 30) on a dark photo whose centre square holds none of it.
    const photo = solid(144, 96, (x, y) =>
      x >= 90 && x < 138 && y >= 30 && y < 78 ? [200, 200, 200] : [10, 10, 10],
    );
    expect(imageToPixels(photo, 'photo', { x: 90, y: 30, size: 48 }).every((v) => v === 200)).toBe(true);
    // Twice the side (2×2 blocks): the face is columns 48–95, rows 30–77 of the crop → output 24–47, 15–38.
    const wide = imageToPixels(photo, 'photo', { x: 42, y: 0, size: 96 });
    expect([wide[15 * 48 + 24], wide[38 * 48 + 47], wide[14 * 48 + 24], wide[15 * 48 + 23]]).toEqual([
      200, 200, 10, 10,
    ]);
    // No crop: the centre square, as before.
    expect(centreSquare(144, 96)).toEqual({ x: 24, y: 0, size: 96 });
    expect(imageToPixels(photo)).toEqual(imageToPixels(photo, 'image', centreSquare(144, 96)));
  });

  it('rejects a crop that is not whole pixels inside the image, naming the field', () => {
    const photo = solid(100, 80, () => [0, 0, 0]);
    const crop = (x: number, y: number, size: number) => () =>
      imageToPixels(photo, 'input.image', { x, y, size }, 'input.crop');
    expect(crop(60, 0, 48)).toThrow(InvalidCropError);
    expect(crop(60, 0, 48)).toThrow(
      'input.crop: the square at (60, 0) of side 48 reaches (108, 48), outside the 100×80 image',
    );
    expect(crop(0, 40, 48)).toThrow(/reaches \(48, 88\)/);
    expect(crop(-1, 0, 10)).toThrow(/input.crop: x and y must be integers ≥ 0/);
    expect(crop(0, 0, 0)).toThrow(/size an integer ≥ 1/);
    expect(crop(0.5, 0, 10)).toThrow(InvalidCropError);
    expect(crop(52, 32, 48)).not.toThrow();
  });

  it('rejects buffers that do not match their size', () => {
    expect(() => imageToPixels({ width: 10, height: 10, data: new Uint8Array(399) }, 'photo')).toThrow(
      InvalidImageError,
    );
    expect(() => imageToPixels({ width: 10, height: 10, data: new Uint8Array(399) }, 'photo')).toThrow(
      /photo: RGBA buffer holds 399/,
    );
  });
});

describe('imageToPixels on a turned square', () => {
  // Top half black, bottom half white.
  const halves = solid(96, 96, (_x, y) => (y < 48 ? [0, 0, 0] : [255, 255, 255]));

  it('reads the square turned clockwise about its centre: at 90°, what lies below the centre is on the right', () => {
    const turned = imageToPixels(halves, 'image', { x: 24, y: 24, size: 48, angle: 90 });
    expect(turned[10 * 48 + 40]).toBe(255); // right half: from below the centre
    expect(turned[10 * 48 + 7]).toBe(0); // left half: from above it
    const back = imageToPixels(halves, 'image', { x: 24, y: 24, size: 48, angle: -90 });
    expect(back[10 * 48 + 40]).toBe(0);
  });

  it('is the upright area average when the angle is 0, and samples the photo smoothly otherwise', () => {
    const crop = { x: 10, y: 5, size: 80 };
    expect(imageToPixels(halves, 'image', { ...crop, angle: 0 })).toEqual(
      imageToPixels(halves, 'image', crop),
    );
    // A tiny turn of a uniform photo changes nothing.
    const grey = solid(100, 100, () => [120, 120, 120]);
    expect(imageToPixels(grey, 'image', { ...crop, angle: 0.5 }).every((v) => v === 120)).toBe(true);
  });

  it('repeats the edge where the turned corners reach past the photo', () => {
    const turned = imageToPixels(halves, 'image', { x: 0, y: 0, size: 96, angle: 45 });
    expect(turned[0]).toBe(0); // the top-left corner comes from beyond the top edge: black repeated
    expect(turned[47 * 48 + 47]).toBe(255); // the bottom-right from beyond the bottom edge: white
  });

  it('refuses an angle that is not a number of degrees from −180 to 180', () => {
    for (const angle of [181, -200, Number.NaN])
      expect(() => imageToPixels(halves, 'image', { x: 0, y: 0, size: 48, angle }, 'input.crop')).toThrow(
        /input\.crop: angle must be a number of degrees from −180 to 180/,
      );
  });
});
