/**
 * Faces drawn with their answers on a canvas, as `pnpm classify --annotate` draws them on a photo: each
 * face's square (turned as it was read) in core's FACE_COLOURS, face after face, and its number and
 * short answer on a dark band above it (inside its top edge where the picture has no room above). The
 * web demo's live labels draw over the webcam with it, and "Save with labels" over the photo.
 */
import { FACE_COLOURS, type FaceCrop } from '@facekit/core';

export interface LabelledFace {
  readonly crop: FaceCrop;
  /** Its number among the faces found (1: the best), which picks its colour; else its place here. */
  readonly number?: number;
  /** Each task's most likely label, in the models' task order: "21–40 · White · female" (as a mark's). */
  readonly text: string;
}

/** Draws each face's square (turned as it was read) and its number and answer above it. */
export function drawFaces(context: CanvasRenderingContext2D, faces: readonly LabelledFace[]): void {
  const { width } = context.canvas;
  faces.forEach(({ crop, text, number: given }, i) => {
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
    const font = Math.max(11, Math.min(24, Math.round(crop.size / 9)));
    const label = `${number}  ${text}`;
    context.font = `${font}px system-ui, sans-serif`;
    const bandWidth = context.measureText(label).width + font;
    const bandHeight = Math.round(font * 1.4);
    // Above the square where the frame has room, else inside its top edge; kept inside the frame.
    const left = Math.max(0, Math.min(crop.x, width - bandWidth));
    const top = crop.y - bandHeight >= 0 ? crop.y - bandHeight : Math.max(0, crop.y);
    context.fillStyle = 'rgba(0, 0, 0, 0.6)';
    context.fillRect(left, top, bandWidth, bandHeight);
    context.fillStyle = colour;
    context.fillText(label, left + font / 2, top + font * 1.05);
  });
}
