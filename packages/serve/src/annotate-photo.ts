/**
 * A photo with its answer drawn on it, for `pnpm classify --annotate`: each face's square (turned as it
 * was read, when it was), numbered as the printed answer numbers it, with its labels beside the number
 * on a dark band by the square, placed as the web demo's "Save with labels" places it (core's
 * placeBands: above the square, else below or inside it, off the other faces' bands and squares).
 * Drawn on the photo as the classifier saw it (EXIF orientation applied, so the squares fall where the
 * answer's coordinates say) and written in the photo's own format (PNG, JPEG or WebP).
 */
import sharp from 'sharp';
import { FACE_COLOURS, fileFormat, placeBands, TASKS } from '@facekit/core';
import type { FaceSquare } from './face-answer.js';
import type { PhotoAnswer } from './photo-classifier.js';

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The square's four corners in photo pixels, turned `angle` degrees clockwise about its centre. */
export function squareCorners({ x, y, size, angle }: FaceSquare): [number, number][] {
  const [cx, cy, half] = [x + size / 2, y + size / 2, size / 2];
  const turn = ((angle ?? 0) * Math.PI) / 180;
  const [cos, sin] = [Math.cos(turn), Math.sin(turn)];
  return [
    [-half, -half],
    [half, -half],
    [half, half],
    [-half, half],
  ].map(([dx, dy]) => [cx + dx! * cos - dy! * sin, cy + dx! * sin + dy! * cos]);
}

/**
 * The overlay: every face's square, then per face its number and labels on a dark band by the square,
 * placed by core's placeBands as the web demo's "Save with labels" places them (above the square, else
 * below it, else inside its top or bottom edge, moved inside the photo; over no band placed before and,
 * where the photo leaves a place, over no other face's square). In a crowd the number alone may go
 * where the labels cannot: it is tried at every place after them, rule by rule (the printed answer has
 * the labels). A band's width is estimated from its text.
 */
export function annotationSvg({ width, height, faces }: PhotoAnswer): string {
  const drawn = faces.map(({ crop, classification }, i) => {
    const colour = FACE_COLOURS[i % FACE_COLOURS.length]!;
    const points = squareCorners(crop)
      .map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`)
      .join(' ');
    const line = Math.max(2, Math.round(crop.size / 60));
    const square = `<polygon points="${points}" fill="none" stroke="${colour}" stroke-width="${line}"/>`;
    const said = TASKS.flatMap((task) => classification[task]?.label ?? []).join(' · ');
    const font = Math.max(11, Math.min(28, Math.round(crop.size / 9)));
    // The labels where they have room; in a crowd, the number alone.
    const texts = [`${i + 1}  ${said}`, `${i + 1}`];
    const bands = texts.map((text) => ({
      width: Math.round(font * 0.62 * text.length + font),
      height: Math.round(font * 1.4),
    }));
    return { colour, square, font, texts, bands };
  });
  const placed = placeBands(
    faces.map((face) => face.crop),
    drawn.map(({ bands }) => bands),
    { width, height },
  );
  const labels = drawn.flatMap(({ colour, font, texts }, i) => {
    const { left, top, width: w, height: h, choice } = placed[i]!;
    return [
      `<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="#000" fill-opacity="0.6"/>`,
      `<text x="${left + font / 2}" y="${top + font * 1.05}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${font}" fill="${colour}">${escapeXml(texts[choice]!)}</text>`,
    ];
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${drawn.map((d) => d.square).join('')}${labels.join('')}</svg>`;
}

/** The photo file's bytes with `answer` drawn on them, in the photo's format. */
export async function annotatePhoto(bytes: Uint8Array, answer: PhotoAnswer): Promise<Buffer> {
  // Its format from its first bytes, as the decoder sniffed it: no second parse of the file for it.
  const format = fileFormat(bytes);
  const drawn = sharp(bytes)
    .rotate()
    .composite([{ input: Buffer.from(annotationSvg(answer)), top: 0, left: 0 }]);
  if (format === 'jpeg') return drawn.jpeg({ quality: 92 }).toBuffer();
  if (format === 'webp') return drawn.webp({ quality: 92 }).toBuffer();
  return drawn.png().toBuffer();
}
