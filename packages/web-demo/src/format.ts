/**
 * How answers read on the page: an age group as a range of years (from core's age groups, for the
 * grouping the manifest says the model was trained with), probabilities as percentages, tiny
 * differences in scientific notation. Pure functions, unit-tested beside this file.
 */
import { ageGroups, argmax, type AgeGrouping, type FaceCrop, type Task } from '@facekit/core';

export const TASK_TITLES: Readonly<Record<Task, string>> = {
  age: 'Age',
  ethnicity: 'Ethnicity',
  gender: 'Gender',
};

/** "21-40" → "21–40 years", "91+" → "91 years or older" (labels not in the grouping are returned as they are). */
export function ageRange(label: string, grouping: AgeGrouping): string {
  const group = ageGroups(grouping).find((g) => g.label === label);
  if (!group) return label;
  return group.max === null ? `${group.min} years or older` : `${group.min}–${group.max} years`;
}

/** The answer as a person reads it. */
export function answerText(task: Task, label: string, grouping: AgeGrouping = 'six'): string {
  return task === 'age' ? ageRange(label, grouping) : label;
}

/** A label as a probability bar names it: an age group's range with a true dash ("21-40" → "21–40"). */
export function labelText(task: Task, label: string): string {
  return task === 'age' ? label.replace('-', '–') : label;
}

export function percent(p: number): string {
  return `${(p * 100).toFixed(1)} %`;
}

/** The most likely label's index, the answer as a person reads it, and its confidence. */
export function topAnswer(
  task: Task,
  probabilities: ArrayLike<number>,
  labels: readonly string[],
  grouping: AgeGrouping,
): { readonly best: number; readonly text: string; readonly confidence: string } {
  const best = argmax(probabilities);
  return { best, text: answerText(task, labels[best]!, grouping), confidence: percent(probabilities[best]!) };
}

/**
 * A face's answer in a few words, each task's most likely label in `tasks`' order: `short` for a mark
 * on the photo ("21–40 · White · female", the labels its bars show) and `spoken` for a screen reader
 * ("21–40 years, White, female", the answers its cards show).
 */
export function briefAnswer(
  tasks: readonly Task[],
  probabilities: ReadonlyMap<Task, ArrayLike<number>>,
  labelsOf: (task: Task) => readonly string[],
  grouping: AgeGrouping,
): { readonly short: string; readonly spoken: string } {
  const answers = tasks.map((task) => {
    const labels = labelsOf(task);
    const { best, text } = topAnswer(task, probabilities.get(task)!, labels, grouping);
    return { label: labelText(task, labels[best]!), text };
  });
  return {
    short: answers.map((a) => a.label).join(' · '),
    spoken: answers.map((a) => a.text).join(', '),
  };
}

/** A face's answers as one short line for screen readers ("Age: 21–40 years, 62.0 %; …"), not every bar. */
export function answerLine(
  tasks: readonly Task[],
  probabilities: ReadonlyMap<Task, ArrayLike<number>>,
  labelsOf: (task: Task) => readonly string[],
  grouping: AgeGrouping,
): string {
  return tasks
    .map((task) => {
      const { text, confidence } = topAnswer(task, probabilities.get(task)!, labelsOf(task), grouping);
      return `${TASK_TITLES[task]}: ${text}, ${confidence}`;
    })
    .join('; ');
}

/** 0 → "0", 3.2e-7 → "3.2e−7" (a true minus sign), 0.0123 → "0.0123". */
export function difference(d: number): string {
  if (d === 0) return '0';
  return d < 1e-3 ? d.toExponential(1).replace('e-', 'e−') : d.toPrecision(3);
}

/** A turned square's angle for a caption: ", turned 17.3°" ("−17.3°", a true minus, anticlockwise); "" upright. */
export function turnedText(crop: FaceCrop): string {
  return crop.angle ? `, turned ${crop.angle.toFixed(1).replace('-', '−')}°` : '';
}

/**
 * The live labels' status line: the faces the detector found in the frame, how many of them, best first,
 * were labelled when it found more than are classified a frame, each one's short answer, and the pace.
 */
export function liveStatusLine(
  found: number,
  labelled: readonly string[],
  msAFrame: number,
  framesASecond: number,
  provider: string,
): string {
  const faces = found === 1 ? '1 face' : `${found} faces`;
  const some = labelled.length < found ? `, the best ${labelled.length} labelled` : '';
  const said = labelled.map((text, i) => `${i + 1}: ${text}`).join('; ');
  return (
    `Live labels: ${faces}${some}${said ? ` (${said})` : ''} · ${msAFrame.toFixed(0)} ms a frame, ` +
    `${framesASecond.toFixed(1)} frames/s on ${provider}`
  );
}
