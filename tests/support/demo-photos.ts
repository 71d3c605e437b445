/**
 * The photos the web demo's browser tests pick: two faces at known squares, a crowd of ten (as many as
 * the detector gives), and four faces close together, made from the demo's sample faces by
 * face-scene.ts.
 */
import type { FaceCrop } from '@facekit/core';
import { encodePng } from '../../packages/web-demo/png.js';
import { faceScene, sampleFace } from './face-scene.js';

/**
 * A 420×300 photo of two faces, a larger and a smaller, at known squares; `scale` times as large each
 * way (a whole number: the squares stay whole) for a photo whose pixels weigh more.
 */
export async function twoFacesPhoto(scale = 1): Promise<{ png: Buffer; squares: FaceCrop[] }> {
  const [big, small] = await Promise.all(['white-male-29.png', 'black-female-47.png'].map(sampleFace));
  const at = (x: number, y: number, size: number) => ({ x: x * scale, y: y * scale, size: size * scale });
  const faces = [
    { face: big!, square: at(230, 40, 140) },
    { face: small!, square: at(40, 150, 90) },
  ];
  const [width, height] = [420 * scale, 300 * scale];
  const photo = faceScene(faces, width, height, 5);
  return { png: encodePng(photo.data, width, height, 4), squares: faces.map((f) => f.square) };
}

/** A 600×300 photo of ten faces in two rows, each 110 px: as many as the detector gives. */
export async function crowdPhoto(): Promise<Buffer> {
  const samples = [
    'white-male-29',
    'black-female-47',
    'asian-female-4',
    'indian-male-72',
    'others-female-35',
  ];
  const faces = await Promise.all(
    [...samples, 'white-female-55', 'black-male-16', 'indian-female-24'].map((s) => sampleFace(`${s}.png`)),
  );
  // Five a row, spaced evenly: gaps of (600 - 5 × 110) / 6 across and (300 - 2 × 110) / 3 down.
  const placed = Array.from({ length: 10 }, (_, i) => ({
    face: faces[i % faces.length]!,
    square: {
      x: Math.round(50 / 6 + (i % 5) * (110 + 50 / 6)),
      y: Math.round(80 / 3 + Math.floor(i / 5) * (110 + 80 / 3)),
      size: 110,
    },
  }));
  return encodePng(faceScene(placed, 600, 300, 8).data, 600, 300, 4);
}

/**
 * A 600×300 photo of four faces close together: a small one over a larger one's top-left corner (a
 * child's head by a parent's), their squares overlapping, one beside them on the left and a smaller
 * one on the right. Too close to tag on a 240-pixel photo: the marks are numbered, and the two
 * overlapping squares' top-left corners lie a few pixels apart.
 */
export async function closeFacesPhoto(): Promise<Buffer> {
  const samples = ['asian-female-4', 'white-male-29', 'black-female-47', 'indian-male-72'];
  const faces = await Promise.all(samples.map((s) => sampleFace(`${s}.png`)));
  // The child first: faceScene draws the first face a pixel falls in, so it lies over the parent's.
  const squares = [
    { x: 285, y: 50, size: 80 },
    { x: 300, y: 60, size: 200 },
    { x: 140, y: 100, size: 150 },
    { x: 480, y: 150, size: 110 },
  ];
  const placed = squares.map((square, i) => ({ face: faces[i]!, square }));
  return encodePng(faceScene(placed, 600, 300, 9).data, 600, 300, 4);
}
