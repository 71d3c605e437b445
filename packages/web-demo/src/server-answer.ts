/**
 * The GraphQL server's reply to Compare's `classify`, read and checked before anything is compared: the
 * URL may lead to any server (a proxy's error page, another version, a broken build), and a reply that
 * is not JSON, carries errors without messages, or lacks a field the comparison reads must be said as
 * such, naming the field, rather than surface as "Cannot read properties of undefined" or a difference
 * of NaN.
 */
import { PIXEL_COUNT, TASKS } from '@facekit/core';
import type { ServerAnswer } from './server-compare.js';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The first `max` characters of `text`, on one line. */
function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** A body that is not JSON, quoted. */
const quote = (text: string) => JSON.stringify(clip(text, 60));

/** A value that came instead of the one wanted, as JSON writes it. */
const shown = (value: unknown) => (value === undefined ? 'nothing' : clip(JSON.stringify(value), 40));

function checkPrediction(prediction: unknown, field: string): void {
  const wrong = (what: string, value: unknown) =>
    new Error(`the server's answer is not a classification: ${field}${what}, got ${shown(value)}`);
  if (!isObject(prediction)) throw wrong(': must be an object', prediction);
  if (typeof prediction.label !== 'string') throw wrong('.label: must be a string', prediction.label);
  const probabilities = prediction.probabilities;
  if (!Array.isArray(probabilities) || probabilities.length === 0)
    throw wrong('.probabilities: must be a list of labels and probabilities', probabilities);
  probabilities.forEach((p: unknown, i) => {
    if (!isObject(p)) throw wrong(`.probabilities[${i}]: must be an object`, p);
    if (typeof p.probability !== 'number' || !Number.isFinite(p.probability))
      throw wrong(`.probabilities[${i}].probability: must be a number`, p.probability);
  });
}

/**
 * The classification in a reply of HTTP `status` with body `text`; throws, saying what the reply was
 * instead: the server's own error (code and message), a body that is not JSON, or the field of the
 * classification that is missing or of the wrong kind.
 */
export function readServerAnswer(status: number, text: string): ServerAnswer {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(
      text.trim() === ''
        ? `server answered HTTP ${status} with an empty body`
        : `server answered HTTP ${status} with a body that is not JSON: ${quote(text)}`,
    );
  }
  if (!isObject(body))
    throw new Error(`server answered HTTP ${status} with ${shown(body)}, not a GraphQL reply`);
  const { errors } = body;
  if (errors !== undefined && !(Array.isArray(errors) && errors.length === 0)) {
    const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
    if (!isObject(first) || typeof first.message !== 'string')
      throw new Error(`server answered HTTP ${status} with errors that give no message: ${shown(errors)}`);
    const code = isObject(first.extensions) ? first.extensions.code : undefined;
    throw new Error(`server: ${typeof code === 'string' ? code : 'ERROR'}: ${first.message}`);
  }
  const classification = isObject(body.data) ? body.data.classify : undefined;
  if (classification === undefined || classification === null || status < 200 || status > 299)
    throw new Error(`server answered HTTP ${status} without a classification`);
  if (!isObject(classification))
    throw new Error(`the server's answer is not a classification: classify is ${shown(classification)}`);
  const { inputPixels } = classification;
  if (
    !Array.isArray(inputPixels) ||
    inputPixels.length !== PIXEL_COUNT ||
    !inputPixels.every((v) => typeof v === 'number')
  )
    throw new Error(
      `the server's answer is not a classification: classify.inputPixels must be ${PIXEL_COUNT} grey levels, got ${
        Array.isArray(inputPixels) ? `a list of ${inputPixels.length}` : shown(inputPixels)
      }`,
    );
  for (const field of ['provider', 'source'])
    if (typeof classification[field] !== 'string')
      throw new Error(
        `the server's answer is not a classification: classify.${field} must be a string, got ${shown(classification[field])}`,
      );
  for (const task of TASKS) {
    const prediction = classification[task];
    // A server without this task's model answers null for it: compared on the tasks both answer.
    if (prediction !== undefined && prediction !== null) checkPrediction(prediction, `classify.${task}`);
  }
  return classification as ServerAnswer;
}
