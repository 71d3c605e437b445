/**
 * BlazeFace graph model → ONNX bytes with the detector's fixed interface: `image` [1, 256, 256, 3]
 * NHWC RGB 0–255 in; `scores` [1, 896] (sigmoid of the logits) and `boxes` [1, 896, 16] (regressors
 * with the anchor centres added, in input pixels) out. The graph scales the input to [−1, 1] itself,
 * as BlazeFace expects, and works in NCHW after one Transpose. Nothing in the bytes depends on the
 * time or the machine: one source gives one file.
 */
import { GraphBuilder } from '../onnx/graph-builder.js';
import { OPSET } from '../onnx/proto.js';
import {
  DETECTOR_BOX_VALUES,
  DETECTOR_BOXES_NAME,
  DETECTOR_INPUT_NAME,
  DETECTOR_INPUT_SHAPE,
  DETECTOR_SCORES_NAME,
} from '@facekit/core';
import { ANCHOR_LAYERS, ANCHORS, anchorCount, boxOffsets } from './anchors.js';
import { convertGraph } from './convert-graph.js';
import { readGraphModel, type GraphModel } from './graph-model.js';
import type { GraphValue } from './op-context.js';
import { LICENCE, SOURCE_PACKAGE, type DetectorSource } from './source.js';

export const DETECTOR_INPUT = {
  name: DETECTOR_INPUT_NAME,
  shape: DETECTOR_INPUT_SHAPE,
} as const;
export const DETECTOR_OUTPUTS = [
  { name: DETECTOR_SCORES_NAME, shape: [1, ANCHORS] },
  { name: DETECTOR_BOXES_NAME, shape: [1, ANCHORS, DETECTOR_BOX_VALUES] },
] as const;

/** The model's raw output nodes, per anchor layer: classifier logits [1, n, 1] and regressors [1, n, 16]. */
export interface HeadOutputs {
  readonly classifiers: readonly string[];
  readonly regressors: readonly string[];
}

/** Tells the model's outputs apart by shape, layer by layer (n = that layer's anchor count). */
export function headOutputs(shapes: ReadonlyMap<string, readonly number[]>): HeadOutputs {
  const find = (n: number, width: number) => {
    const names = [...shapes].filter(([, s]) => s.join() === [1, n, width].join()).map(([name]) => name);
    if (names.length !== 1)
      throw new Error(
        `${names.length} model outputs of shape [1, ${n}, ${width}] (expected 1; outputs: ${[...shapes.keys()].join(', ')})`,
      );
    return names[0]!;
  };
  return {
    classifiers: ANCHOR_LAYERS.map((l) => find(anchorCount(l), 1)),
    regressors: ANCHOR_LAYERS.map((l) => find(anchorCount(l), DETECTOR_BOX_VALUES)),
  };
}

export interface DetectorExport {
  readonly bytes: Uint8Array;
  readonly nodes: number;
  readonly head: HeadOutputs;
  readonly graph: GraphModel;
}

export function exportDetector(source: DetectorSource): DetectorExport {
  const graph = readGraphModel(source.json, source.weightData);
  const g = new GraphBuilder();
  const image = g.reserve(DETECTOR_INPUT.name);
  const scoresName = g.reserve(DETECTOR_SCORES_NAME);
  const boxesName = g.reserve(DETECTOR_BOXES_NAME);
  // x / 127.5 − 1 (tfjs's and MediaPipe's own preprocessing, the same two float32 ops), then NCHW.
  const scaled = g.node(
    'Sub',
    [g.node('Div', [image, g.scalar(127.5)], 'normalize'), g.scalar(1)],
    'normalize',
  );
  const nchw = g.node('Transpose', [scaled], 'input/nchw', { perm: { ints: [0, 3, 1, 2] } });
  const outputs = convertGraph(graph, { name: nchw, shape: DETECTOR_INPUT.shape }, g);
  const head = headOutputs(new Map([...outputs].map(([name, v]) => [name, v.shape])));
  const value = (name: string): GraphValue => outputs.get(name)!;

  const logits = g.node(
    'Concat',
    head.classifiers.map((n) => value(n).name),
    'head/logits',
    { axis: { int: 1 } },
  );
  const flat = g.node('Reshape', [logits, g.int64s('head/scores_shape', [1, ANCHORS])], 'head/logits');
  g.node('Sigmoid', [flat], 'head/scores', {}, scoresName);
  const raw = g.node(
    'Concat',
    head.regressors.map((n) => value(n).name),
    'head/regressors',
    { axis: { int: 1 } },
  );
  const offsets = g.floats('head/anchor_offsets', [1, ANCHORS, DETECTOR_BOX_VALUES], boxOffsets());
  g.node('Add', [raw, offsets], 'head/boxes', {}, boxesName);

  const bytes = g.encode({
    name: 'face-detector',
    docString: `BlazeFace full-range face detector from ${SOURCE_PACKAGE} ${source.version}, converted by facekit-export (opset ${OPSET}).`,
    input: { name: DETECTOR_INPUT.name, shape: [...DETECTOR_INPUT.shape] },
    outputs: DETECTOR_OUTPUTS,
    metadata: {
      source: `${SOURCE_PACKAGE}@${source.version} models/blazeface.json`,
      licence: LICENCE.join('\n'),
      anchors: JSON.stringify(ANCHOR_LAYERS),
    },
  });
  return { bytes, nodes: g.nodes.length, head, graph };
}
