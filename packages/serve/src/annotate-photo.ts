/**
 * A photo with its answer drawn on it, for `pnpm classify --annotate`: each face's square (turned as it
 * was read, when it was), numbered as the printed answer numbers it, with its labels beside the number
 * on a dark band above the square (below it when the photo's top edge leaves no room).
 * Drawn on the photo as the classifier saw it (EXIF orientation applied, so the squares fall where the
 * answer's coordinates say) and written in the photo's own format (PNG, JPEG or WebP).
 */
import sharp from 'sharp';
import { FACE_COLOURS, fileFormat, TASKS } from '@facekit/core';
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

interface Band {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

const overlaps = (a: Band, b: Band) =>
  a.left < b.left + b.width &&
  b.left < a.left + a.width &&
  a.top < b.top + b.height &&
  b.top < a.top + a.height;

/**
 * The overlay: every face's square, then per face its number and labels on a dark band above the square
 * (turned or not), else below it where the photo's top edge or an earlier face's band leaves no room —
 * in a crowd where neither has room, the number alone (the printed answer has the labels); moved inside
 * the photo where it would leave it (its width estimated from the text).
 */
export function annotationSvg({ width, height, faces }: PhotoAnswer): string {
  const squares: string[] = [];
  const labels: string[] = [];
  const placed: Band[] = [];
  faces.forEach(({ crop, classification }, i) => {
    const colour = FACE_COLOURS[i % FACE_COLOURS.length]!;
    const corners = squareCorners(crop);
    const points = corners.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
    const line = Math.max(2, Math.round(crop.size / 60));
    squares.push(`<polygon points="${points}" fill="none" stroke="${colour}" stroke-width="${line}"/>`);

    const said = TASKS.flatMap((task) => classification[task]?.label ?? []).join(' · ');
    const font = Math.max(11, Math.min(28, Math.round(crop.size / 9)));
    const ys = corners.map(([, py]) => py);
    const [above, below] = [Math.floor(Math.min(...ys)), Math.ceil(Math.max(...ys))];
    const xMin = Math.round(Math.min(...corners.map(([px]) => px)));
    /** Where a band for `text` would go, above the square if the photo has room there, else below. */
    const bands = (text: string): { text: string; band: Band }[] => {
      const [bandHeight, bandWidth] = [Math.round(font * 1.4), Math.round(font * 0.62 * text.length + font)];
      const at = (top: number) => ({
        text,
        band: {
          left: Math.max(0, Math.min(xMin, width - bandWidth)),
          top: Math.max(0, Math.min(top, height - bandHeight)),
          width: bandWidth,
          height: bandHeight,
        },
      });
      return [...(above - bandHeight >= 0 ? [at(above - bandHeight)] : []), at(below)];
    };
    // The labels where they fit beside the other faces' bands; in a crowd, the number alone.
    const candidates = [...bands(`${i + 1}  ${said}`), ...bands(`${i + 1}`)];
    const { text, band } =
      candidates.find((c) => !placed.some((p) => overlaps(c.band, p))) ?? candidates.at(-1)!;
    placed.push(band);
    labels.push(
      `<rect x="${band.left}" y="${band.top}" width="${band.width}" height="${band.height}" fill="#000" fill-opacity="0.6"/>`,
      `<text x="${band.left + font / 2}" y="${band.top + font * 1.05}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${font}" fill="${colour}">${escapeXml(text)}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${squares.join('')}${labels.join('')}</svg>`;
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
