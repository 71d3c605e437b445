/**
 * "Save with labels": the photo on screen as a PNG with its faces drawn and labelled (draw-faces.ts, as
 * the live labels and `pnpm classify --annotate` draw them), downloaded as `<photo>-labelled.png`. The
 * pixels are those the page read (EXIF orientation applied; a photo over 4096 px as scaled to fit).
 */
import type { Face } from './face-sources.js';
import { drawFaces, type LabelledFace } from './draw-faces.js';

export async function saveLabelled(face: Face, faces: readonly LabelledFace[]): Promise<void> {
  const canvas = document.createElement('canvas');
  [canvas.width, canvas.height] = [face.width, face.height];
  const context = canvas.getContext('2d')!;
  context.putImageData(new ImageData(Uint8ClampedArray.from(face.rgba.data), face.width, face.height), 0, 0);
  drawFaces(context, faces);
  const png = await new Promise<Blob>((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('could not encode the labelled photo as PNG'))),
      'image/png',
    ),
  );
  const link = document.createElement('a');
  link.href = URL.createObjectURL(png);
  link.download = `${face.name.replace(/\.[^./]*$/, '')}-labelled.png`;
  link.click();
  // The download has its own copy once started.
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}
