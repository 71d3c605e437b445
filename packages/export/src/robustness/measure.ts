/**
 * The model card's robustness table: accuracy of an exported ONNX file, run in onnxruntime-node, on
 * the run's test faces changed one way at a time (perturbations.ts). The first row, the faces as they
 * are, is the test accuracy again — read through the ONNX file instead of tfjs — so the other rows
 * read as differences from it. Random draws (noise) are seeded, so an export repeats its figures.
 */
import * as ort from 'onnxruntime-node';
import { argmax, inputShape, PIXEL_COUNT, writeModelInput, type Task } from '@facekit/core';
import { seededRandom } from '@facekit/train';
import { PERTURBATIONS, type Perturbation } from './perturbations.js';

/** The faces to change and their true classes per task. */
export interface RobustnessFaces {
  /** size × 2304 grey levels (a FaceDataset's pixels). */
  readonly pixels: Uint8Array;
  /** Rows of `pixels` to use: the run's test part. */
  readonly rows: Uint32Array;
  readonly targets: Partial<Record<Task, Uint8Array>>;
}

export interface RobustnessRow {
  readonly name: string;
  readonly accuracy: Partial<Record<Task, number>>;
}

const BATCH = 256;

/** Accuracy per task (`outputs`: the task each named output answers) under each perturbation. */
export async function measureRobustness(
  onnx: Uint8Array,
  outputs: readonly { task: Task; name: string }[],
  faces: RobustnessFaces,
  perturbations: readonly Perturbation[] = PERTURBATIONS,
): Promise<RobustnessRow[]> {
  const session = await ort.InferenceSession.create(onnx);
  const input = session.inputNames[0]!;
  const changed = new Uint8Array(BATCH * PIXEL_COUNT);
  const batch = new Float32Array(BATCH * PIXEL_COUNT);
  const rows: RobustnessRow[] = [];
  try {
    for (const [k, perturbation] of perturbations.entries()) {
      const random = seededRandom(1000 + k);
      const correct = new Map(outputs.map((o) => [o.task, 0]));
      for (let start = 0; start < faces.rows.length; start += BATCH) {
        const count = Math.min(BATCH, faces.rows.length - start);
        // Started in order (the draws of the changes that draw repeat), awaited together (sharp's run
        // on its thread pool).
        const face = (i: number) => changed.subarray(i * PIXEL_COUNT, (i + 1) * PIXEL_COUNT);
        await Promise.all(
          Array.from({ length: count }, (_, i) => {
            const row = faces.rows[start + i]!;
            const source = faces.pixels.subarray(row * PIXEL_COUNT, (row + 1) * PIXEL_COUNT);
            return perturbation.apply(source, face(i), random);
          }),
        );
        for (let i = 0; i < count; i++) writeModelInput(face(i), batch, i);
        const feeds = {
          [input]: new ort.Tensor('float32', batch.subarray(0, count * PIXEL_COUNT), inputShape(count)),
        };
        const results = await session.run(feeds);
        for (const { task, name } of outputs) {
          const probabilities = results[name]!.data as Float32Array;
          const classes = probabilities.length / count;
          const truth = faces.targets[task]!;
          for (let i = 0; i < count; i++) {
            const p = probabilities.subarray(i * classes, (i + 1) * classes);
            if (argmax(p) === truth[faces.rows[start + i]!]) correct.set(task, correct.get(task)! + 1);
          }
        }
      }
      rows.push({
        name: perturbation.name,
        accuracy: Object.fromEntries(outputs.map((o) => [o.task, correct.get(o.task)! / faces.rows.length])),
      });
    }
  } finally {
    await session.release();
  }
  return rows;
}

/** The rows of two files measured on the same faces (other tasks), joined row by row; [] joins as nothing. */
export function joinRobustness(
  rows: readonly RobustnessRow[],
  more: readonly RobustnessRow[],
): RobustnessRow[] {
  if (rows.length === 0) return [...more];
  return rows.map((row, k) => ({ ...row, accuracy: { ...row.accuracy, ...more[k]!.accuracy } }));
}
