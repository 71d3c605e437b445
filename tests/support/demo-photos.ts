/**
 * The photos the web demo's browser tests pick: two faces at known squares, and a crowd of ten (as
 * many as the detector gives), made from the demo's sample faces by face-scene.ts.
 */
import type { FaceCrop } from '@facekit/core';
import { encodePng } from '../../packages/web-demo/png.js';
import { faceScene, sampleFace } from './face-scene.js';

/** A 420×300 photo of two faces, a larger and a smaller, at known squares. */
export async function twoFacesPhoto(): Promise<{ png: Buffer; squares: FaceCrop[] }> {
  const [big, small] = await Promise.all(['white-male-29.png', 'black-female-47.png'].map(sampleFace));
  const faces = [
    { face: big!, square: { x: 230, y: 40, size: 140 } },
    { face: small!, square: { x: 40, y: 150, size: 90 } },
  ];
  const photo = faceScene(faces, 420, 300, 5);
  return { png: encodePng(photo.data, 420, 300, 4), squares: faces.map((f) => f.square) };
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
