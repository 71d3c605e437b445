/**
 * A camera for headless Chromium that films a picture we made: its fake capture device plays a Y4M
 * file, so the web demo's webcam paths (live labels, "Take photo") run on known faces in the tests and
 * the live-labels benchmark.
 */
import type { RgbaImage } from '@facekit/core';

/**
 * A Y4M video of `frames` copies of `image` (even sides) at 30 frames a second, as a webcam films:
 * 4:2:0, full-range BT.601 ("C420jpeg"), the format Chromium's fake camera reads from a file.
 */
export function y4m(image: RgbaImage, frames: number): Buffer {
  const { width, height, data } = image;
  if (width % 2 || height % 2) throw new Error(`y4m: 4:2:0 needs even sides, got ${width}×${height}`);
  const [cw, ch] = [width / 2, height / 2];
  const frame = Buffer.alloc(width * height + 2 * cw * ch);
  const rgb = (x: number, y: number) => [0, 1, 2].map((c) => data[(y * width + x) * 4 + c]!);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgb(x, y);
      frame[y * width + x] = Math.round(0.299 * r! + 0.587 * g! + 0.114 * b!);
    }
  for (let y = 0; y < ch; y++)
    for (let x = 0; x < cw; x++) {
      const four = [
        rgb(2 * x, 2 * y),
        rgb(2 * x + 1, 2 * y),
        rgb(2 * x, 2 * y + 1),
        rgb(2 * x + 1, 2 * y + 1),
      ];
      const [r, g, b] = [0, 1, 2].map((c) => four.reduce((sum, p) => sum + p[c]!, 0) / 4);
      const u = 128 - 0.168736 * r! - 0.331264 * g! + 0.5 * b!;
      const v = 128 + 0.5 * r! - 0.418688 * g! - 0.081312 * b!;
      frame[width * height + y * cw + x] = Math.max(0, Math.min(255, Math.round(u)));
      frame[width * height + cw * ch + y * cw + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`, 'latin1');
  const frameHeader = Buffer.from('FRAME\n', 'latin1');
  return Buffer.concat([header, ...Array.from({ length: frames }, () => [frameHeader, frame]).flat()]);
}

/** Chromium's flags for a camera that plays `file`, granted without asking. */
export const fakeCamera = (file: string): string[] => [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  `--use-file-for-fake-video-capture=${file}`,
];
