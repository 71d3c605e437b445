/**
 * For the face-detection tests (their photos: the web demo's sample faces pasted at known squares by
 * tests/support/face-scene.ts): a photo as a base64 PNG, by the web demo's own writer, and a models
 * folder of fixture classifiers beside the shipped face detector.
 */
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RgbaImage } from '@facekit/core';
import { encodePng } from '../../web-demo/png.js';
import { writeFixtureModels } from './fixture-models.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHIPPED_DETECTOR = path.join(root, 'models/face-detector.onnx');
export const SHIPPED_DETECTOR_JSON = path.join(root, 'models/face-detector.json');

/** A photo as base64 PNG. */
export const pngBase64 = (photo: RgbaImage): string =>
  encodePng(photo.data, photo.width, photo.height, 4).toString('base64');

/** A fixture models folder holding the shipped face detector and its face-detector.json too. */
export async function modelsWithDetector(): Promise<string> {
  const { dir } = await writeFixtureModels();
  await copyFile(SHIPPED_DETECTOR, path.join(dir, 'face-detector.onnx'));
  await copyFile(SHIPPED_DETECTOR_JSON, path.join(dir, 'face-detector.json'));
  return dir;
}
