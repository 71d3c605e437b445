/**
 * BlazeFace's anchors (MediaPipe's full-range "back" model): one per cell and slot of two feature
 * grids, centred in their cell, in input pixels. Shared by the ONNX head (which adds them inside the
 * graph) and by the TypeScript post-processing of tfjs's raw outputs that the export is checked
 * against, so both sides use one definition.
 */
import { DETECTOR_BOX_VALUES } from '@facekit/core';

export interface AnchorLayer {
  readonly stride: number;
  /** Cells per side: input size / stride. */
  readonly grid: number;
  readonly perCell: number;
}

/** Stride-16 head first (16×16 cells, 2 anchors each), then stride-32 (8×8, 6 each): 512 + 384. */
export const ANCHOR_LAYERS: readonly AnchorLayer[] = [
  { stride: 16, grid: 16, perCell: 2 },
  { stride: 32, grid: 8, perCell: 6 },
];

export const anchorCount = (layer: AnchorLayer): number => layer.grid * layer.grid * layer.perCell;
export const ANCHORS = ANCHOR_LAYERS.reduce((n, l) => n + anchorCount(l), 0);

/** Anchor centres [x0, y0, x1, y1, …], row-major over y then x then slot, layer by layer. */
export function anchorCentres(layers: readonly AnchorLayer[] = ANCHOR_LAYERS): Float32Array {
  const out = new Float32Array(layers.reduce((n, l) => n + anchorCount(l), 0) * 2);
  let k = 0;
  for (const { stride, grid, perCell } of layers)
    for (let gy = 0; gy < grid; gy++)
      for (let gx = 0; gx < grid; gx++)
        for (let a = 0; a < perCell; a++) {
          out[k++] = stride * (gx + 0.5);
          out[k++] = stride * (gy + 0.5);
        }
  return out;
}

/**
 * What is added to each anchor's 16 regressor values: its centre to the box centre and to each
 * keypoint, nothing to width and height. [anchors × 16], row-major.
 */
export function boxOffsets(layers: readonly AnchorLayer[] = ANCHOR_LAYERS): Float32Array {
  const centres = anchorCentres(layers);
  const n = centres.length / 2;
  const out = new Float32Array(n * DETECTOR_BOX_VALUES);
  for (let i = 0; i < n; i++)
    for (let v = 0; v < DETECTOR_BOX_VALUES; v++) {
      if (v === 2 || v === 3) continue;
      out[i * DETECTOR_BOX_VALUES + v] = centres[i * 2 + (v % 2)]!;
    }
  return out;
}

/**
 * The ONNX outputs computed from the model's raw outputs, in TypeScript: `logits` per layer
 * ([anchors] each) and `regressors` per layer ([anchors × 16] each) → scores = sigmoid(logit) and
 * boxes = raw + offsets, in float32 as the graph computes them.
 */
export function decodeRaw(
  logits: readonly Float32Array[],
  regressors: readonly Float32Array[],
): { scores: Float32Array; boxes: Float32Array } {
  const offsets = boxOffsets();
  const scores = new Float32Array(ANCHORS);
  const boxes = new Float32Array(ANCHORS * DETECTOR_BOX_VALUES);
  let s = 0;
  for (const l of logits) for (const v of l) scores[s++] = 1 / (1 + Math.exp(-v));
  let b = 0;
  for (const r of regressors)
    for (const v of r) {
      boxes[b] = v + offsets[b]!; // the Float32Array rounds, as the graph's float32 Add does
      b++;
    }
  if (s !== ANCHORS || b !== ANCHORS * DETECTOR_BOX_VALUES)
    throw new RangeError(
      `raw outputs hold ${s} scores and ${b} box values (expected ${ANCHORS}, ${ANCHORS * DETECTOR_BOX_VALUES})`,
    );
  return { scores, boxes };
}
