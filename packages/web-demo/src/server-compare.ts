/**
 * "Compare with server": the same face goes to the GraphQL `classify` mutation — as the photo's file, in
 * a multipart request (so the server's own decoding and core preprocessing run) or as the browser's
 * 48×48 grey levels —
 * and the answers are compared per task: the labels, and the largest difference between the two
 * probability rows. The server also returns the grey levels it fed its models, so the page can show
 * whether both sides saw the same tensor.
 */
import { argmax, TASKS, type FaceCrop, type Task } from '@facekit/core';
import { readServerAnswer } from './server-answer.js';

export const DEFAULT_SERVER_URL = 'http://localhost:4000/graphql';

export const CLASSIFY_MUTATION = `mutation Classify($input: ClassifyInput!) {
  classify(input: $input) {
    provider
    source
    inputPixels
    age { ...Answer }
    ethnicity { ...Answer }
    gender { ...Answer }
  }
}
fragment Answer on TaskPrediction { label index confidence probabilities { label probability } }`;

/** What `classify` is sent: the photo (with the square holding the face, unless it is the centre one) or grey levels. */
export type ServerInput = { photo: Blob; crop?: FaceCrop } | { pixels: number[] };

/**
 * The square as `classify`'s CropInput: x, y and size, and `angle` only for a turned square (an
 * upright one is sent as before, so a server that predates turned squares still takes it).
 */
export function cropInput({ x, y, size, angle }: FaceCrop): FaceCrop {
  return angle ? { x, y, size, angle } : { x, y, size };
}

interface ServerPrediction {
  readonly label: string;
  readonly index: number;
  readonly probabilities: readonly { label: string; probability: number }[];
}

export type ServerAnswer = {
  readonly provider: string;
  readonly source: string;
  readonly inputPixels: readonly number[];
} & {
  readonly [T in Task]?: ServerPrediction | null;
};

export interface TaskComparison {
  readonly task: Task;
  readonly browserLabel: string;
  readonly serverLabel: string;
  readonly sameLabel: boolean;
  /** Largest |p_browser − p_server| over the task's labels. */
  readonly maxDiff: number;
}

/**
 * The request for `input`: grey levels as JSON; a photo as the file it is, in a GraphQL multipart
 * request (the photo's variable null, the map naming it) — no base64 text to make in the page, a third
 * fewer bytes — with the header Apollo asks of a multipart request, which a cross-site form cannot send.
 */
export function classifyRequest(input: ServerInput): { headers: Record<string, string>; body: BodyInit } {
  if ('pixels' in input)
    return {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: CLASSIFY_MUTATION, variables: { input } }),
    };
  const { photo, ...rest } = input;
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({ query: CLASSIFY_MUTATION, variables: { input: { ...rest, photo: null } } }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.input.photo'] }));
  form.append('0', photo, 'photo');
  return { headers: { 'apollo-require-preflight': 'true' }, body: form };
}

/** How long the page waits for the server's answer before it says so. */
export const SERVER_TIMEOUT_MS = 30_000;

export async function classifyOnServer(
  url: string,
  input: ServerInput,
  timeoutMs = SERVER_TIMEOUT_MS,
): Promise<ServerAnswer> {
  // `localhost:4000` is a valid URL whose scheme is "localhost:": fetch's own error would not say so.
  if (!/^https?:\/\//i.test(url))
    throw new Error(`${url} is not an http(s) URL; write it as http://localhost:4000/graphql`);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      ...classifyRequest(input),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if ((error as Error).name === 'TimeoutError')
      throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`, { cause: error });
    throw new Error(
      `cannot reach ${url} (${(error as Error).message}); is \`pnpm serve\` running, and does it allow this page's origin (CORS)?`,
      { cause: error },
    );
  }
  return readServerAnswer(response.status, await response.text());
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length)
    throw new RangeError(`cannot compare ${a.length} probabilities with ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/**
 * Per task answered by both sides: labels and the largest probability difference. Throws when the two
 * answer no task in common, or give a task different numbers of probabilities (other models).
 */
export function compareAnswers(
  browser: ReadonlyMap<Task, ArrayLike<number>>,
  labels: (task: Task) => readonly string[],
  server: ServerAnswer,
): TaskComparison[] {
  const rows = TASKS.flatMap((task) => {
    const mine = browser.get(task);
    const theirs = server[task];
    if (!mine || !theirs) return [];
    const serverProbs = theirs.probabilities.map((p) => p.probability);
    if (serverProbs.length !== mine.length)
      throw new Error(
        `${task}: the server gives ${serverProbs.length} probabilities and the page ${mine.length}; are they running the same models?`,
      );
    const browserLabel = labels(task)[argmax(mine)]!;
    return [
      {
        task,
        browserLabel,
        serverLabel: theirs.label,
        sameLabel: browserLabel === theirs.label,
        maxDiff: maxAbsDiff(mine, serverProbs),
      },
    ];
  });
  if (rows.length === 0)
    throw new Error(
      `the server answered none of the tasks the page answers (${[...browser.keys()].join(', ')})`,
    );
  return rows;
}

/** How many of the 2304 grey levels differ between the two inputs, and by how much at most. */
export function pixelDifference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): { differing: number; maxDelta: number } {
  if (a.length !== b.length) return { differing: Math.max(a.length, b.length), maxDelta: 255 };
  let differing = 0;
  let maxDelta = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > 0) differing++;
    maxDelta = Math.max(maxDelta, d);
  }
  return { differing, maxDelta };
}

/** Largest probability difference that still counts as agreement: float32 on CPU both sides, or a GPU involved. */
export function agreementTolerance(browserProvider: string, serverProvider: string): number {
  return browserProvider === 'wasm' && serverProvider === 'cpu' ? 1e-5 : 1e-4;
}
