/**
 * DOM for results: one card per task (the answer, its confidence and a bar per label) and the
 * browser-versus-server table. Built with a tiny element helper so the page needs no framework.
 */
import type { AgeGrouping, Task } from '@facekit/core';
import { answerText, difference, labelText, percent, TASK_TITLES, topAnswer } from './format.js';
import type { TaskComparison } from './server-compare.js';

type Child = Node | string;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

/** An error said in words, announced to screen readers. */
export function errorMessage(error: unknown): HTMLElement {
  return el('p', { class: 'error', role: 'alert' }, (error as Error).message ?? String(error));
}

/** A card for `task`: answer, confidence, and a bar per label (the winner highlighted). */
export function taskCard(
  task: Task,
  probabilities: ArrayLike<number>,
  labels: readonly string[],
  grouping: AgeGrouping,
): HTMLElement {
  const { best, text, confidence } = topAnswer(task, probabilities, labels, grouping);
  const bars = labels.map((label, i) => {
    const p = probabilities[i]!;
    const fill = el('span', { class: 'fill', style: `width: ${(p * 100).toFixed(2)}%` });
    return el(
      'div',
      { class: i === best ? 'bar best' : 'bar' },
      el('span', { class: 'bar-label' }, labelText(task, label)),
      el('span', { class: 'track' }, fill),
      el('span', { class: 'bar-value' }, percent(p)),
    );
  });
  return el(
    'section',
    { class: 'card', 'data-task': task },
    el('h3', {}, TASK_TITLES[task]),
    el('p', { class: 'answer', 'data-answer': task }, text),
    el('p', { class: 'confidence' }, `confidence ${confidence}`),
    ...bars,
  );
}

/** The comparison table, with a verdict line above it. */
export function comparisonTable(
  rows: readonly TaskComparison[],
  tolerance: number,
  grouping: AgeGrouping,
): HTMLElement {
  const agree = rows.length > 0 && rows.every((r) => r.sameLabel && r.maxDiff <= tolerance);
  const verdict = el(
    'p',
    { class: agree ? 'verdict agree' : 'verdict disagree', 'data-verdict': agree ? 'agree' : 'disagree' },
    agree
      ? `Browser and server agree (every probability within ${tolerance.toExponential(0)})`
      : 'Browser and server disagree',
  );
  const head = el(
    'tr',
    {},
    el('th', {}, 'Task'),
    el('th', {}, 'Browser'),
    el('th', {}, 'Server'),
    el('th', {}, 'Largest |Δp|'),
  );
  const body = rows.map((r) =>
    el(
      'tr',
      { class: r.sameLabel ? '' : 'mismatch' },
      el('td', {}, TASK_TITLES[r.task]),
      el('td', {}, answerText(r.task, r.browserLabel, grouping)),
      el('td', {}, answerText(r.task, r.serverLabel, grouping)),
      el('td', { class: 'num', 'data-diff': r.task }, difference(r.maxDiff)),
    ),
  );
  return el(
    'div',
    {},
    verdict,
    el('table', { class: 'compare' }, el('thead', {}, head), el('tbody', {}, ...body)),
  );
}
