import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import './presets.js';
import { combineMembers } from './ensemble.js';
import { buildSharedCompact, type CompactArchitecture } from './presets-compact.js';
import { applyTemperature, retemper } from './temperature.js';
import { headModel } from './train-network.js';

const TINY: CompactArchitecture = { widths: [2, 4], batchNorm: true, globalPool: true, dropout: 0.3 };
const TASKS = ['age', 'gender'] as const;

/** A member with random weights (batch-norm statistics included, so folding them matters). */
function member(seed: number): tf.LayersModel {
  const m = buildSharedCompact(TINY, `m${seed}`, TASKS, 'six', seed);
  m.setWeights(m.getWeights().map((w, i) => tf.randomUniform(w.shape, 0.2, 1.2, 'float32', seed * 100 + i)));
  return m;
}

/** softmax(mean over members of log p): what averaging the members' logits gives. */
function expected(probabilities: Float32Array[], classes: number): Float32Array {
  const meanLog = new Float32Array(probabilities[0]!.length);
  for (const p of probabilities)
    p.forEach((v, i) => (meanLog[i] = meanLog[i]! + Math.log(v) / probabilities.length));
  return retemper(meanLog.map(Math.exp), classes, 1);
}

const outputsOf = (model: tf.LayersModel, x: tf.Tensor) =>
  (model.predict(x) as tf.Tensor[]).map((t) => t.dataSync() as Float32Array);

/**
 * Checks that `joined` answers, per task, softmax of the mean logit of `votes` (each a network's
 * outputs on x), and that a temperature of 2 on task `h`'s head model halves that mean logit.
 */
function expectMeanOfVotes(joined: tf.LayersModel, x: tf.Tensor, votes: Float32Array[][], h: number): void {
  const got = outputsOf(joined, x);
  TASKS.forEach((task, t) => {
    const want = expected(
      votes.map((v) => v[t]!),
      t === 0 ? 6 : 2,
    );
    got[t]!.forEach((v, i) => expect(v, `${task}[${i}]`).toBeCloseTo(want[i]!, 5));
  });
  const head = headModel(joined, h, TASKS[h]!);
  applyTemperature(head, 2);
  const tempered = (head.predict(x) as tf.Tensor).dataSync();
  const want = retemper(got[h]!, h === 0 ? 6 : 2, 1 / 2);
  tempered.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
}

describe('combineMembers', () => {
  it('answers softmax of the members’ mean logits, per task, under the task’s name', async () => {
    await tf.setBackend('cpu');
    const members = [member(1), member(2)];
    const joined = combineMembers(
      members.map((model) => ({ model })),
      TASKS,
      'pair',
    );
    expect(joined.outputs.map((o) => o.sourceLayer.name)).toEqual(['age', 'gender']);
    expect(joined.layers.filter((l) => l.name.startsWith('m1_')).length).toBe(members[0]!.layers.length - 1); // all but its input
    const x = tf.randomUniform([3, 48, 48, 1], 0, 1, 'float32', 7);
    // A temperature divides the mean logit: the members' heads are all scaled.
    expectMeanOfVotes(
      joined,
      x,
      members.map((m) => outputsOf(m, x)),
      1,
    );
  });

  it('refuses members whose outputs do not line up with the tasks', () => {
    expect(() => combineMembers([{ model: member(1) }], ['age'], 'bad')).toThrow(
      /every member must have 1 outputs/,
    );
  });

  it('lets a mirrored member vote twice, on the face and on its mirror, with one set of weights', async () => {
    await tf.setBackend('cpu');
    const [plain, mirrored] = [member(3), member(4)];
    const joined = combineMembers([{ model: plain }, { model: mirrored, mirrored: true }], TASKS, 'flip');
    // The mirrored member's layers are copied once (applied twice): no extra weights.
    expect(joined.countParams()).toBe(plain.countParams() + mirrored.countParams());
    const x = tf.randomUniform([3, 48, 48, 1], 0, 1, 'float32', 8);
    const votes = [outputsOf(plain, x), outputsOf(mirrored, x), outputsOf(mirrored, tf.reverse(x, 2))];
    // The mirrored member's head is scaled once by a temperature, not once per vote.
    expectMeanOfVotes(joined, x, votes, 0);
  });
});
