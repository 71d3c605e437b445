/**
 * A face's answer as plain data, built in one place for the GraphQL schema (classification.type.ts,
 * faces.type.ts) and the in-process photo classifier alike, so the two cannot drift: per task the
 * winning label, its index, the confidence, every label's probability and the model that produced it;
 * the execution provider; where the face came from; and, for a face the detector found, its score, box,
 * keypoints and the square that was classified.
 */
import { interpretProbabilities, type DetectedFace, type TaskPrediction, type Task } from '@facekit/core';
import type { LoadedModel } from '@facekit/core/node';
import type { FaceResult } from './inference.js';

/** One task's answer for one face. */
export interface TaskAnswer extends TaskPrediction {
  readonly task: Task;
  /** The training run the model came from (its version). */
  readonly modelVersion: string;
  /** sha256 of the ONNX file that ran. */
  readonly modelSha256: string;
}

/** One face's answer: the tasks asked for (the others absent), the provider, and the face's source. */
export type FaceAnswer = { [T in Task]?: TaskAnswer } & {
  /** The execution provider that ran the models: cuda, webgpu or cpu. */
  readonly provider: string;
  /** pixels, image (a photo's square), or detected (found in a photo by the detector). */
  readonly source: string;
};

/** A face's probability rows, per task, as its answer. */
export function answerFace(
  result: FaceResult,
  models: ReadonlyMap<Task, LoadedModel>,
  provider: string,
  source: string,
): FaceAnswer {
  const tasks = [...result].map(([task, probabilities]): [Task, TaskAnswer] => {
    const model = models.get(task)!;
    const prediction = interpretProbabilities(probabilities, model.entry.labels);
    return [
      task,
      { task, ...prediction, modelVersion: model.entry.training.runId, modelSha256: model.entry.sha256 },
    ];
  });
  return { ...Object.fromEntries(tasks), provider, source };
}

/** The square a face was classified in: `angle` null when upright (as GraphQL answers it). */
export interface FaceSquare {
  readonly x: number;
  readonly y: number;
  readonly size: number;
  readonly angle: number | null;
}

/** A face the detector found in a photo, with its classification. */
export interface FoundFaceAnswer<C> {
  /** The detector's confidence that this is a face, 0–1. */
  readonly score: number;
  /** The square that was classified. */
  readonly crop: FaceSquare;
  readonly box: DetectedFace['box'];
  readonly keypoints: DetectedFace['keypoints'];
  readonly classification: C;
}

/** A detected face and its classification, as classifyFaces answers it. */
export function answerFoundFace<C>(face: DetectedFace, classification: C): FoundFaceAnswer<C> {
  const { score, box, keypoints, crop } = face;
  return {
    score,
    crop: { x: crop.x, y: crop.y, size: crop.size, angle: crop.angle ?? null },
    box: { ...box },
    keypoints: { ...keypoints },
    classification,
  };
}
