/**
 * The photo on screen, drawn on a canvas from the pixels the page read (the RGBA that core's
 * preprocessing and the detector see), not shown in an <img> from an object URL. Chromium keeps every
 * image an <img> has shown from a blob: URL — its file and its decoded pixels, about 1.3 MB for a
 * 600×300 photo — after the URL is revoked and the <img> shows another, freeing them only under memory
 * pressure: the renderer grew by that much per photo, without bound over hundreds of photos
 * (`pnpm bench:demo-memory`). One canvas, redrawn, holds one photo's pixels at a time. It also shows
 * exactly what the models read: an animated GIF's first frame, a BMP's pixels, with no PNG to make first.
 */
import type { RgbaImage } from '@facekit/core';

/** Draws `image` on `canvas` at its own size (CSS scales it to fit); null empties and hides it. */
export function drawPhoto(canvas: HTMLCanvasElement, image: RgbaImage | null): void {
  // A canvas given a size starts transparent; 0 × 0 lets go of the last photo's pixels.
  canvas.width = image?.width ?? 0;
  canvas.height = image?.height ?? 0;
  canvas.hidden = image === null;
  if (!image) return;
  const { data, width, height } = image;
  // A view of the same bytes, not a copy: ImageData takes only a Uint8ClampedArray (of an ArrayBuffer:
  // decoded pixels never lie in shared memory).
  const clamped = new Uint8ClampedArray(data.buffer as ArrayBuffer, data.byteOffset, data.length);
  canvas.getContext('2d')!.putImageData(new ImageData(clamped, width, height), 0, 0);
}
