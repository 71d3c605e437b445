/**
 * The `classify` and `classifyBatch` mutations. Both check readiness and the tasks asked for, turn
 * each input into grey levels (pixels validated, photos decoded), and hand the faces to the engine's
 * micro-batcher; classifyBatch submits its faces together so they share one run, and a bad item becomes
 * an error at that item's path (`classifyBatch.3`, with its code) while the others get their answers.
 */
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Task } from '@facekit/core';
import type { LoadedModel } from '@facekit/core/node';
import { errorCode, ServeError } from '../errors.js';
import type { InferenceEngine } from '../inference.js';
import type { ServeContext, ServerState } from '../state.js';
import { Classification, toClassification } from './classification.type.js';
import { ClassifyInput, inputToFace } from './classify.input.js';
import { TaskEnum } from './task.enum.js';

export const TASKS_DESCRIPTION = 'Tasks to answer; all loaded tasks when omitted.';

/** The engine, once ready. (A request that arrives while draining is refused before GraphQL: http-server.) */
export function readyEngine(state: ServerState, field: string): InferenceEngine {
  if (!state.engine)
    throw new ServeError(
      'NOT_READY',
      field,
      state.status === 'failed'
        ? 'the models could not be started (health.providers says why)'
        : 'models are still loading; retry when health.ready is true',
      503,
    );
  return state.engine;
}

/** A decode or run that did not happen because the client had left (rejected with its CLIENT_GONE). */
export const leftBehind = (result: PromiseSettledResult<unknown>): boolean =>
  result.status === 'rejected' && errorCode(result.reason) === 'CLIENT_GONE';

/**
 * Ends a request whose client has left (its `signal` aborted with a CLIENT_GONE error), counting its
 * `faces`: the photos dropped before decoding, and the faces that will not be run.
 */
function stopIfGone(
  signal: AbortSignal,
  state: ServerState,
  faces: readonly PromiseSettledResult<unknown>[],
): void {
  if (!signal.aborted) return;
  state.metrics.abandoned.inc({ stage: 'decode' }, faces.filter(leftBehind).length);
  state.metrics.abandoned.inc({ stage: 'run' }, faces.filter((f) => f.status === 'fulfilled').length);
  throw signal.reason;
}

/** Counts the faces a gone client left waiting for a batch, which the micro-batcher dropped unrun. */
export function countUnrun(state: ServerState, runs: readonly PromiseSettledResult<unknown>[]): void {
  const unrun = runs.filter(leftBehind).length;
  if (unrun > 0) state.metrics.abandoned.inc({ stage: 'run' }, unrun);
}

export function chooseTasks(asked: readonly Task[] | null | undefined, engine: InferenceEngine): Task[] {
  if (!asked) return engine.tasks;
  const missing = asked.filter((t) => !engine.tasks.includes(t));
  if (missing.length > 0) {
    throw new ServeError(
      'TASK_NOT_LOADED',
      'tasks',
      `no model is loaded for ${missing.join(', ')}; loaded: ${engine.tasks.join(', ')}`,
    );
  }
  if (asked.length === 0)
    throw new ServeError('INVALID_INPUT', 'tasks', 'must name at least one task when given');
  return [...new Set(asked)];
}

export function modelsByTask(state: ServerState): ReadonlyMap<Task, LoadedModel> {
  return new Map(state.models.models.map((m) => [m.task, m]));
}

@Resolver()
export class ClassifyResolver {
  @Mutation(() => Classification, { description: 'Classify one face.' })
  async classify(
    @Arg('input', () => ClassifyInput) input: ClassifyInput,
    @Arg('tasks', () => [TaskEnum], { nullable: true, description: TASKS_DESCRIPTION }) tasks: Task[] | null,
    @Ctx() { state, signal }: ServeContext,
  ): Promise<Classification> {
    const engine = readyEngine(state, 'classify');
    const chosen = chooseTasks(tasks, engine);
    const [decoded] = await Promise.allSettled([inputToFace(input, 'input', state.options, signal)]);
    stopIfGone(signal, state, [decoded!]);
    if (decoded!.status === 'rejected') throw decoded!.reason;
    const face = decoded!.value;
    state.metrics.faces.inc({ source: face.source });
    const [ran] = await Promise.allSettled([engine.classify({ pixels: face.pixels, tasks: chosen }, signal)]);
    countUnrun(state, [ran!]);
    if (ran!.status === 'rejected') throw ran!.reason;
    return toClassification(ran!.value, modelsByTask(state), engine.provider, face.pixels, face.source);
  }

  @Mutation(() => [Classification], {
    nullable: 'items',
    description:
      'Classify many faces in one run. A bad input gives null at its position and an error whose path ends with its index; the others are answered.',
  })
  async classifyBatch(
    @Arg('inputs', () => [ClassifyInput]) inputs: ClassifyInput[],
    @Arg('tasks', () => [TaskEnum], { nullable: true, description: TASKS_DESCRIPTION }) tasks: Task[] | null,
    @Ctx() { state, signal }: ServeContext,
  ): Promise<(Classification | Error)[]> {
    const engine = readyEngine(state, 'classifyBatch');
    const { maxBatchItems } = state.options;
    if (inputs.length > maxBatchItems) {
      throw new ServeError(
        'BATCH_TOO_LARGE',
        'inputs',
        `holds ${inputs.length} items; the limit is ${maxBatchItems}`,
        413,
      );
    }
    const chosen = chooseTasks(tasks, engine);
    const faces = await Promise.allSettled(
      inputs.map((input, i) => inputToFace(input, `inputs[${i}]`, state.options, signal)),
    );
    // No one is left to answer: the faces already decoded are not run either.
    stopIfGone(signal, state, faces);
    const good = faces.flatMap((f, i) => (f.status === 'fulfilled' ? [{ i, ...f.value }] : []));
    for (const face of good) state.metrics.faces.inc({ source: face.source });
    const runs = engine.classifyAll(
      good.map((f) => ({ pixels: f.pixels, tasks: chosen })),
      signal,
    );
    const answers: (Classification | Error)[] = faces.map((f) =>
      f.status === 'rejected' ? toError(f.reason) : new Error('unanswered'),
    );
    const models = modelsByTask(state);
    const settled = await Promise.allSettled(runs);
    countUnrun(state, settled);
    settled.forEach((run, k) => {
      const face = good[k]!;
      answers[face.i] =
        run.status === 'fulfilled'
          ? toClassification(run.value, models, engine.provider, face.pixels, face.source)
          : toError(run.reason);
    });
    return answers;
  }
}

export function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
