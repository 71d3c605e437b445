/**
 * Faces drawn with their answers on a canvas, as `pnpm classify --annotate` draws them on a photo: each
 * face's square (turned as it was read) in core's FACE_COLOURS, then each face's number and short
 * answer on a dark band by its square, placed by core's placeBands (label-bands.ts) as the annotated
 * photo's are: above the square, else below it, else inside its top or bottom edge, over no band drawn
 * before and, where the picture leaves a place, over no other face's square. The web demo's live
 * labels draw over the webcam with it, and "Save with labels" over the photo.
 */
import { FACE_COLOURS, placeBands, type FaceCrop, type Rect } from '@facekit/core';

export interface LabelledFace {
  readonly crop: FaceCrop;
  /** Its number among the faces found (1: the best), which picks its colour; else its place here. */
  readonly number?: number;
  /** Each task's most likely label, in the models' task order: "21–40 · White · female" (as a mark's). */
  readonly text: string;
}

/** Draws each face's square (turned as it was read) and its number and answer by it; gives the bands. */
export function drawFaces(context: CanvasRenderingContext2D, faces: readonly LabelledFace[]): Rect[] {
  const { width, height } = context.canvas;
  const drawn = faces.map(({ crop, text, number: given }, i) => {
    const number = given ?? i + 1;
    const colour = FACE_COLOURS[(number - 1) % FACE_COLOURS.length]!;
    const half = crop.size / 2;
    context.save();
    context.translate(crop.x + half, crop.y + half);
    context.rotate(((crop.angle ?? 0) * Math.PI) / 180);
    context.strokeStyle = colour;
    context.lineWidth = Math.max(2, crop.size / 60);
    context.strokeRect(-half, -half, crop.size, crop.size);
    context.restore();
    const size = Math.max(11, Math.min(24, Math.round(crop.size / 9)));
    const font = `${size}px system-ui, sans-serif`;
    const label = `${number}  ${text}`;
    context.font = font;
    const band = { width: context.measureText(label).width + size, height: Math.round(size * 1.4) };
    return { colour, size, font, label, band };
  });
  // The bands after every square, so that no square is drawn over a band.
  const bands = placeBands(
    faces.map((face) => face.crop),
    drawn.map(({ band }) => [band]),
    { width, height },
  );
  drawn.forEach(({ colour, size, font, label }, i) => {
    const { left, top, width: bandWidth, height: bandHeight } = bands[i]!;
    context.fillStyle = 'rgba(0, 0, 0, 0.6)';
    context.fillRect(left, top, bandWidth, bandHeight);
    context.font = font;
    context.fillStyle = colour;
    context.fillText(label, left + size / 2, top + size * 1.05);
  });
  return bands;
}
