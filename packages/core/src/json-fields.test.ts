import { describe, expect, it } from 'vitest';
import { FaceKitError, JsonFieldError, ManifestError } from './errors.js';
import { isJsonObject, jsonFields, parseJsonText, type JsonFields } from './json-fields.js';

const f = jsonFields('/runs/r/run.json');

/** The error `read` throws (failing the test when it throws none, or another kind). */
function refusal(read: () => unknown): JsonFieldError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(JsonFieldError);
    return error as JsonFieldError;
  }
  throw new Error('expected the value to be refused');
}

/** Each reader with the values it must take and refuse (JSON cannot hold NaN or Infinity, code can). */
const cases: [string, (f: JsonFields, value: unknown) => unknown, unknown[], unknown[]][] = [
  ['object', (r, v) => r.object(v, 'x'), [{}, { a: 1 }], [null, [], [1], 'a', 1, true, undefined]],
  ['text', (r, v) => r.text(v, 'x'), ['a', ' '], ['', 1, null, [], {}, undefined, ['a']]],
  [
    'number',
    (r, v) => r.number(v, 'x'),
    [0, -1.5, 1e300, Number.MIN_VALUE],
    [NaN, Infinity, -Infinity, '1', null, [], true, undefined],
  ],
  [
    'whole ≥ 1',
    (r, v) => r.whole(v, 'x', 1),
    [1, 2, Number.MAX_SAFE_INTEGER],
    [0, -1, 1.5, 1e300, 2 ** 53, NaN, Infinity, '2', null, true, [1], undefined],
  ],
  ['whole 0–9', (r, v) => r.whole(v, 'x', 0, 9), [0, 9, -0], [10, -1, 0.5, 9.5]],
  ['share', (r, v) => r.share(v, 'x'), [0, 0.5, 0.999], [1, -0.1, 1.5, NaN, '0.5', null, undefined]],
  ['share above 0', (r, v) => r.share(v, 'x', { zero: false }), [1e-9, 0.3], [0, 1, -0]],
  ['array', (r, v) => r.array(v, 'x'), [[], [1, 'a']], [{}, { length: 0 }, 'ab', null, undefined]],
  ['oneOf', (r, v) => r.oneOf(v, 'x', ['six', 'decades']), ['six', 'decades'], ['Six', '', 6, null, ['six']]],
  [
    'hexDigest',
    (r, v) => r.hexDigest(v, 'x'),
    ['0123456789abcdef'.repeat(4)],
    ['A'.repeat(64), 'a'.repeat(63), 'a'.repeat(65), `${'a'.repeat(64)}\n`, 'g'.repeat(64), 64, null],
  ],
  [
    'objectOf',
    (r, v) => r.objectOf(v, 'x', ['age', 'gender'], 'a task'),
    [{}, { age: 1 }, { age: 1, gender: 2 }],
    [{ smile: 1 }, { age: 1, Age: 2 }, [], null],
  ],
];

describe('jsonFields readers', () => {
  it.each(cases)('%s takes what it should and gives it back', (_, read, good) => {
    for (const value of good) expect(read(f, value)).toBe(value);
  });

  it.each(cases)('%s refuses everything else, naming the file and the field', (_, read, _good, bad) => {
    for (const value of bad) {
      const error = refusal(() => read(f, value));
      expect(error.file).toBe('/runs/r/run.json');
      expect(error.code).toBe('INVALID_JSON_FIELD');
      expect(error.message).toEqual(expect.stringMatching(/^\/runs\/r\/run\.json: x[ .]/));
    }
  });

  it('says what was expected and what was found', () => {
    const error = refusal(() => f.whole(1.5, 'epochs.gender', 1));
    expect(error).toMatchObject({ path: 'epochs.gender', expected: 'a whole number ≥ 1', found: 1.5 });
    expect(error.message).toBe('/runs/r/run.json: epochs.gender must be a whole number ≥ 1, got 1.5');
    expect(refusal(() => f.whole(10, 'x', 0, 9)).message).toBe(
      '/runs/r/run.json: x must be a whole number from 0 to 9, got 10',
    );
    expect(refusal(() => f.number(NaN, 'loss')).message).toBe(
      '/runs/r/run.json: loss must be a finite number, got NaN',
    );
    expect(refusal(() => f.text('', 'preset')).message).toBe(
      '/runs/r/run.json: preset must be a non-empty string, got ""',
    );
    expect(refusal(() => f.object([], '')).message).toBe('/runs/r/run.json: must be a JSON object, got []');
    expect(refusal(() => f.share(1, 'testFraction', { zero: false })).message).toBe(
      '/runs/r/run.json: testFraction must be a number above 0 and below 1, got 1',
    );
    expect(refusal(() => f.oneOf('x', 'tasks.age', ['pending', 'training', 'done'])).message).toBe(
      '/runs/r/run.json: tasks.age must be "pending", "training" or "done", got "x"',
    );
    expect(refusal(() => f.objectOf({ smile: 1 }, 'tasks', ['age'], 'a task')).message).toBe(
      '/runs/r/run.json: tasks.smile is not a task (age)',
    );
  });

  it('says a missing field is missing, and cuts a long value short', () => {
    expect(refusal(() => f.text(undefined, 'runId')).message).toBe(
      '/runs/r/run.json: runId must be a non-empty string, but it is missing',
    );
    const long = refusal(() => f.text(['x'.repeat(200)], 'runId')).message;
    expect(long).toBe(
      `/runs/r/run.json: runId must be a non-empty string, got ${`["${'x'.repeat(200)}`.slice(0, 80)}…`,
    );
  });

  it('describes an object or an array in the caller’s words', () => {
    expect(refusal(() => f.array('x', 'train', 'a list of row indices')).message).toBe(
      '/runs/r/run.json: train must be a list of row indices, got "x"',
    );
    expect(refusal(() => f.object(null, 'data', 'the run’s data file')).message).toBe(
      '/runs/r/run.json: data must be the run’s data file, got null',
    );
  });

  it('throws the error type it is given, with the hint it is given', () => {
    const manifest = jsonFields('manifest.json', { error: ManifestError });
    const error = refusal(() => manifest.whole(-1, 'models.age.bytes', 0));
    expect(error).toBeInstanceOf(ManifestError);
    expect(error).toBeInstanceOf(FaceKitError);
    expect(error.code).toBe('INVALID_MANIFEST');
    expect(error.message).toBe('manifest.json: models.age.bytes must be a whole number ≥ 0, got -1');
    const hinted = jsonFields('state.json', { hint: 'the checkpoint cannot be resumed' });
    expect(refusal(() => hinted.fail('histories', 'cover different epochs')).message).toBe(
      'state.json: histories cover different epochs; the checkpoint cannot be resumed',
    );
  });
});

describe('parseJsonText', () => {
  it('parses JSON, and names the file of text that is not', () => {
    expect(parseJsonText('{"a": [1]}', 'x.json')).toEqual({ a: [1] });
    const error = refusal(() => parseJsonText('{"a": [1', 'x.json'));
    expect(error.message).toEqual(expect.stringMatching(/^x\.json: is not valid JSON \(.+\)$/));
    expect(refusal(() => parseJsonText('', 'm.json', { error: ManifestError }))).toBeInstanceOf(
      ManifestError,
    );
  });
});

describe('isJsonObject', () => {
  it('is true of objects only: not null, not arrays', () => {
    expect([{}, { a: 1 }].map(isJsonObject)).toEqual([true, true]);
    expect([null, [], 'a', 1, undefined].map(isJsonObject)).toEqual([false, false, false, false, false]);
  });
});
