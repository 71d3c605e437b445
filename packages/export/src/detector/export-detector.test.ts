import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, sha256OfBytes } from '@facekit/core/node';
import { seededRandom } from '@facekit/train';
import { anchorCentres, ANCHORS, boxOffsets } from './anchors.js';
import { exportDetector, type DetectorExport } from './export-detector.js';
import { faceImage } from './face-images.js';
import { DETECTOR_FILE, PROVENANCE_FILE } from './provenance.js';
import { readDetectorSource, type DetectorSource } from './source.js';
import { DETECTOR_TOLERANCE, noiseImages, verifyDetector } from './verify-detector.js';

let source: DetectorSource;
let exported: DetectorExport;

beforeAll(async () => {
  source = await readDetectorSource();
  exported = exportDetector(source);
});

describe('anchors', () => {
  it('go stride 16 (2 a cell) then stride 32 (6 a cell), row-major, centred in their cells', () => {
    const c = anchorCentres();
    expect(c.length).toBe(ANCHORS * 2);
    expect(ANCHORS).toBe(896);
    expect([...c.subarray(0, 6)]).toEqual([8, 8, 8, 8, 24, 8]); // cell (0,0) twice, then (1,0)
    expect([c[2 * 32], c[2 * 32 + 1]]).toEqual([8, 24]); // anchor 32: cell (0,1)
    expect([c[2 * 512], c[2 * 512 + 1], c[2 * 517], c[2 * 518]]).toEqual([16, 16, 16, 48]); // stride 32 starts
    expect([...c.subarray(-2)]).toEqual([240, 240]);
  });

  it('are added to centre and keypoints, not to width and height', () => {
    expect([...boxOffsets().subarray(16, 32)]).toEqual([8, 8, 0, 0, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8]);
  });
});

describe('face-detector.onnx', () => {
  it('has the fixed interface: image [1,256,256,3] → scores [1,896], boxes [1,896,16]', async () => {
    const session = await ort.InferenceSession.create(exported.bytes);
    expect(session.inputNames).toEqual(['image']);
    expect(session.outputNames).toEqual(['scores', 'boxes']);
    const result = await session.run({ image: new ort.Tensor('float32', noiseImages(1), [1, 256, 256, 3]) });
    expect(result.scores!.dims).toEqual([1, 896]);
    expect(result.boxes!.dims).toEqual([1, 896, 16]);
    await session.release();
    expect(exported.head).toEqual({
      classifiers: ['Identity', 'Identity_1'],
      regressors: ['Identity_2', 'Identity_3'],
    });
  });

  it('matches tfjs on the original graph model (noise and a face-sized seeded image)', async () => {
    const random = seededRandom(11);
    const pseudoFace = faceImage(Array.from({ length: 48 * 48 }, () => Math.floor(random() * 256)));
    const images = new Float32Array(2 * pseudoFace.length);
    images.set(noiseImages(1, 23));
    images.set(pseudoFace, pseudoFace.length);
    const report = await verifyDetector(source, exported, images);
    expect(report.images).toBe(2);
    expect(report.maxAbsDiff.scores).toBeLessThanOrEqual(DETECTOR_TOLERANCE.scores);
    expect(report.maxAbsDiff.boxes).toBeLessThanOrEqual(DETECTOR_TOLERANCE.boxes);
  });

  it('converts to the same bytes every time, and those are the shipped file', async () => {
    expect(sha256OfBytes(exportDetector(source).bytes)).toBe(sha256OfBytes(exported.bytes));
    const models = join(projectRoot(), 'models');
    const shipped = new Uint8Array(await readFile(join(models, DETECTOR_FILE)));
    expect(shipped.length).toBe(exported.bytes.length);
    expect(Buffer.compare(shipped, exported.bytes)).toBe(0); // regenerate with pnpm export:detector
    const provenance = JSON.parse(await readFile(join(models, PROVENANCE_FILE), 'utf8')) as {
      sha256: string;
      bytes: number;
      source: { files: Record<string, string> };
    };
    expect(provenance.sha256).toBe(sha256OfBytes(shipped));
    expect(provenance.bytes).toBe(shipped.length);
    expect(provenance.source.files).toEqual(source.sha256);
  });
});
