/**
 * `pnpm evaluate --answers <file.csv>`: every face judged, one row each, in the data's order — the photo's
 * file name or the CSV row's line, and per task the true class, the model's answer and its confidence —
 * so that the faces behind a figure (the wrong ones, the unsure ones) can be looked at.
 */
import { argmax, TASKS } from '@facekit/core';
import { csvText } from '@facekit/core/node';
import type { FaceAnswers } from './evaluate-models.js';

export function answersCsv({ faces, tasks }: FaceAnswers): string {
  const judged = TASKS.filter((task) => tasks[task]);
  const header = ['face', ...judged.flatMap((t) => [`${t}_truth`, `${t}_answer`, `${t}_confidence`])];
  const rows = faces.map((face, i) => [
    face,
    ...judged.flatMap((task) => {
      const { labels, truth, probabilities } = tasks[task]!;
      const row = probabilities.subarray(i * labels.length, (i + 1) * labels.length);
      const answer = argmax(row);
      return [labels[truth[i]!]!, labels[answer]!, row[answer]!.toFixed(4)];
    }),
  ]);
  return csvText([header, ...rows]);
}
