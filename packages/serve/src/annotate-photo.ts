/**
 * A photo with its answer drawn on it, for `pnpm classify --annotate`: each face's square (turned as it
 * was read, when it was), numbered as the printed answer numbers it, with its labels beside the number.
 * Drawn on the photo as the classifier saw it (EXIF orientation applied, so the squares fall where the
 * answer's coordinates say) and written in the photo's own format (PNG, JPEG or WebP).
 */
import sharp from 'sharp';
import { TASKS } from '@facekit/core';
import type { FaceSquare } from './face-answer.js';
import type { PhotoAnswer } from './photo-classifier.js';

/** The colours squares are drawn in, face after face. */
export const ANNOTATION_COLOURS = ['#ffd400', '#00e5ff', '#ff4fd8', '#7cff4f', '#ff8a00'] as const;

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

/** The overlay: per face its square, and its number and labels on a dark band above it (inside the photo). */
function overlay({ width, height, faces }: PhotoAnswer): string {
  const shapes = faces.map((face, i) => {
    const colour = ANNOTATION_COLOURS[i % ANNOTATION_COLOURS.length]!;
    const { crop, classification } = face;
    const line = Math.max(2, Math.round(crop.size / 60));
    const points = squareCorners(crop)
      .map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`)
      .join(' ');
    const labels = TASKS.flatMap((task) => classification[task]?.label ?? []).join(' · ');
    const font = Math.max(11, Math.min(28, Math.round(crop.size / 9)));
    const text = escapeXml(`${i + 1}  ${labels}`);
    // The band above the square, moved inside the photo where it would leave it (its width estimated).
    const [band, wide] = [Math.round(font * 1.4), Math.round(font * 0.62 * text.length + font)];
    const top = Math.min(Math.max(0, Math.round(crop.y) - band), height - band);
    const left = Math.max(0, Math.min(Math.round(crop.x), width - wide));
    return [
      `<polygon points="${points}" fill="none" stroke="${colour}" stroke-width="${line}"/>`,
      `<rect x="${left}" y="${top}" width="${wide}" height="${band}" fill="#000" fill-opacity="0.6"/>`,
      `<text x="${left + font / 2}" y="${top + font * 1.05}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${font}" fill="${colour}">${text}</text>`,
    ].join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
}

/** The photo file's bytes with `answer` drawn on them, in the photo's format. */
export async function annotatePhoto(bytes: Uint8Array, answer: PhotoAnswer): Promise<Buffer> {
  const photo = sharp(bytes).rotate();
  const { format } = await sharp(bytes).metadata();
  const drawn = photo.composite([{ input: Buffer.from(overlay(answer)), top: 0, left: 0 }]);
  if (format === 'jpeg') return drawn.jpeg({ quality: 92 }).toBuffer();
  if (format === 'webp') return drawn.webp({ quality: 92 }).toBuffer();
  return drawn.png().toBuffer();
}
