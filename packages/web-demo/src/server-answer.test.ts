import { describe, expect, it } from 'vitest';
import { readServerAnswer } from './server-answer.js';
import { compareAnswers, type ServerAnswer } from './server-compare.js';

const row = (labels: readonly string[], p: readonly number[]) =>
  labels.map((label, i) => ({ label, probability: p[i]! }));
const classification = {
  provider: 'cpu',
  source: 'image',
  inputPixels: new Array<number>(2304).fill(128),
  age: { label: '21-40', index: 2, probabilities: row(['1-10', '11-20', '21-40'], [0.1, 0.2, 0.7]) },
  ethnicity: null,
  gender: { label: 'male', index: 0, probabilities: row(['male', 'female'], [0.6, 0.4]) },
};
const reply = (classify: unknown) => JSON.stringify({ data: { classify } });
const read =
  (text: string, status = 200) =>
  () =>
    readServerAnswer(status, text);

describe("the server's reply to Compare", () => {
  it('is the classification when it is one (a task the server lacks is null)', () => {
    expect(readServerAnswer(200, reply(classification))).toEqual(classification);
  });

  it('says what came instead of JSON, quoting its start', () => {
    expect(read('<html><body>Bad gateway</body></html>', 502)).toThrow(
      'server answered HTTP 502 with a body that is not JSON: "<html><body>Bad gateway</body></html>"',
    );
    expect(read('{"data": {"classify": {"provider": "cpu", ')).toThrow(
      'server answered HTTP 200 with a body that is not JSON: "{\\"data\\": {\\"classify\\": {\\"provider\\": \\"cpu\\","',
    );
    expect(read('', 500)).toThrow('server answered HTTP 500 with an empty body');
    expect(read('[1, 2]')).toThrow('server answered HTTP 200 with [1,2], not a GraphQL reply');
  });

  it("gives the server's own error with its code, and says so when errors come without a message", () => {
    const error = { message: 'input.crop: outside the image', extensions: { code: 'INVALID_CROP' } };
    expect(read(JSON.stringify({ errors: [error] }))).toThrow(
      'server: INVALID_CROP: input.crop: outside the image',
    );
    expect(read(JSON.stringify({ errors: [{ message: 'boom' }] }))).toThrow('server: ERROR: boom');
    for (const errors of [[{}], 'nope', [null]])
      expect(read(JSON.stringify({ errors }))).toThrow(
        expect.objectContaining({
          message: expect.stringMatching(/^server answered HTTP 200 with errors that give no message: /),
        }),
      );
    expect(read(JSON.stringify({ errors: [], data: null }))).toThrow(
      'server answered HTTP 200 without a classification',
    );
  });

  it('refuses a reply that is not a classification, naming the field', () => {
    expect(read(JSON.stringify({ data: null }))).toThrow('server answered HTTP 200 without a classification');
    expect(read(reply(classification), 500)).toThrow('server answered HTTP 500 without a classification');
    expect(read(reply('yes'))).toThrow(`the server's answer is not a classification: classify is "yes"`);
    expect(read(reply({ ...classification, inputPixels: undefined }))).toThrow(
      "the server's answer is not a classification: classify.inputPixels must be 2304 grey levels, got nothing",
    );
    expect(read(reply({ ...classification, inputPixels: [1, 2, 3] }))).toThrow(
      'classify.inputPixels must be 2304 grey levels, got a list of 3',
    );
    expect(read(reply({ ...classification, provider: 7 }))).toThrow(
      'classify.provider must be a string, got 7',
    );
    expect(read(reply({ ...classification, age: { label: '21-40', index: 2 } }))).toThrow(
      "the server's answer is not a classification: classify.age.probabilities: must be a list of labels and probabilities, got nothing",
    );
    const gender = { label: 'male', index: 0, probabilities: [{ label: 'male', probability: 'x' }] };
    expect(read(reply({ ...classification, gender }))).toThrow(
      'classify.gender.probabilities[0].probability: must be a number, got "x"',
    );
  });
});

describe('comparing answers from other models', () => {
  const labels = (task: string) => (task === 'gender' ? ['male', 'female'] : ['1-10', '11-20', '21-40']);
  it('names the task whose probabilities differ in number', () => {
    const server = {
      ...classification,
      gender: { label: 'male', index: 0, probabilities: row(['male'], [1]) },
    };
    const browser = new Map([['gender', Float32Array.from([0.6, 0.4])]] as const);
    expect(() => compareAnswers(browser, labels, server as ServerAnswer)).toThrow(
      'gender: the server gives 1 probabilities and the page 2; are they running the same models?',
    );
  });

  it('says so when the server answers none of the tasks the page answers', () => {
    const server = { ...classification, age: null, gender: null } as ServerAnswer;
    const browser = new Map([['gender', Float32Array.from([0.6, 0.4])]] as const);
    expect(() => compareAnswers(browser, labels, server)).toThrow(
      'the server answered none of the tasks the page answers (gender)',
    );
  });
});
