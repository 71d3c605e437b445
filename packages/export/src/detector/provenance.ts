/**
 * models/face-detector.json: where face-detector.onnx came from (package, version, source files'
 * sha256), what it is (the file's sha256 and size, its interface, the anchor layout the boxes were
 * decoded with), under which licences, and how closely it was checked against tfjs. Nothing in it
 * depends on the time of the export, so the same command on the same inputs writes the same file.
 */
import { sha256OfBytes } from '@facekit/core/node';
import { OPSET } from '../onnx/proto.js';
import { DETECTOR_BOX_VALUES, FACE_KEYPOINTS } from '@facekit/core';
import { ANCHOR_LAYERS } from './anchors.js';
import { DETECTOR_INPUT, DETECTOR_OUTPUTS, type DetectorExport } from './export-detector.js';
import { LICENCE, SOURCE_PACKAGE, type DetectorSource } from './source.js';
import type { DetectorVerification } from './verify-detector.js';

export const DETECTOR_FILE = 'face-detector.onnx';
export const PROVENANCE_FILE = 'face-detector.json';

export function detectorProvenance(
  source: DetectorSource,
  exported: DetectorExport,
  verification: DetectorVerification,
  command: string,
) {
  return {
    file: DETECTOR_FILE,
    bytes: exported.bytes.length,
    sha256: sha256OfBytes(exported.bytes),
    opset: OPSET,
    nodes: exported.nodes,
    source: {
      package: SOURCE_PACKAGE,
      version: source.version,
      model: 'BlazeFace full-range ("back"), MediaPipe, tfjs graph model',
      files: source.sha256,
      rawOutputs: { classifiers: exported.head.classifiers, regressors: exported.head.regressors },
    },
    licence: LICENCE,
    input: {
      ...DETECTOR_INPUT,
      dtype: 'float32',
      layout: 'NHWC, RGB 0–255',
      preprocessing: 'x / 127.5 − 1, inside the graph',
    },
    outputs: [
      { ...DETECTOR_OUTPUTS[0], dtype: 'float32', meaning: 'sigmoid of each anchor’s face logit' },
      {
        ...DETECTOR_OUTPUTS[1],
        dtype: 'float32',
        meaning: `per anchor ${DETECTOR_BOX_VALUES} values in input pixels: box centre x, y (anchor added), width, height, then keypoints x, y (anchor added)`,
        keypoints: FACE_KEYPOINTS,
      },
    ],
    anchors: {
      layers: ANCHOR_LAYERS,
      centre: 'stride · (gx + 0.5), stride · (gy + 0.5)',
      order: 'layer by layer; within a layer row-major over gy, then gx, then the cell’s anchors',
    },
    verification,
    command,
  };
}
