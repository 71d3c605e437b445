import { describe, expect, it } from 'vitest';
import { imageToPixels, type FaceCrop } from '@facekit/core';
import { answeredText, FaceAnswers, pageTurn } from './face-answers.js';
import { recrop, type Face } from './face-sources.js';

/** A 90×60 photo whose pixels differ from column to column, with its face at `crop`. */
function photo(crop: FaceCrop = { x: 0, y: 0, size: 60 }): Face {
  const data = new Uint8Array(90 * 60 * 4);
  for (let i = 0; i < 90 * 60; i++) data.set([(i % 90) * 2, 100, 50, 255], i * 4);
  const rgba = { width: 90, height: 60, data };
  return {
    blob: new Blob([]),
    name: 'faces.png',
    rgba,
    crop,
    pixels: imageToPixels(rgba, 'faces.png', crop),
    width: 90,
    height: 60,
  };
}

const squares: FaceCrop[] = [
  { x: 0, y: 0, size: 40 },
  { x: 50, y: 10, size: 40 },
  { x: 20, y: 20, size: 30, angle: 12 },
];

/**
 * A run that answers a face's first grey level, recording the runs; queued one after another, as
 * browser-models queues the models' runs.
 */
function fakeRun(fail: (first: number) => boolean = () => false) {
  const seen: number[] = [];
  let queue: Promise<unknown> = Promise.resolve();
  const run = (pixels: Uint8Array) => {
    const result = queue.then(async () => {
      await pageTurn();
      seen.push(pixels[0]!);
      if (fail(pixels[0]!)) throw new Error('no answer');
      return pixels[0]!;
    });
    queue = result.catch(() => undefined);
    return result;
  };
  return { run, seen };
}

describe('FaceAnswers', () => {
  it('answers every face found, best first, each once, and keeps the answers for clicks', async () => {
    const first = photo(squares[0]);
    const answers = new FaceAnswers<number>();
    answers.reset(first, squares);
    const { run, seen } = fakeRun();
    // The best face's cards first, as the page does; the loop then reuses that answer.
    const best = await answers.answer(first, run);
    const heard: [number, number | Error][] = [];
    const done = await answers.answerAll(
      run,
      (i, a) => heard.push([i, a]),
      () => true,
    );
    const expected = squares.map((crop) => recrop(first, crop).pixels[0]!);
    expect(heard).toEqual(expected.map((a, i) => [i, a]));
    expect(best).toBe(expected[0]);
    expect(seen).toEqual(expected);
    expect(done).toMatchObject({ faces: 3, answered: 3 });
    // A click on face 3's mark: its kept answer, no run (and the page can say it was run before).
    expect(answers.asked(recrop(first, squares[2]!))).toBe(true);
    expect(await answers.answer(recrop(first, squares[2]!), run)).toBe(expected[2]);
    expect(seen).toHaveLength(3);
  });

  it('runs a square moved by hand, or another photo, and keeps neither', async () => {
    const first = photo(squares[0]);
    const answers = new FaceAnswers<number>();
    answers.reset(first, squares);
    const { run, seen } = fakeRun();
    const moved = recrop(first, { ...squares[1]!, x: 49 });
    expect(answers.indexOf(moved)).toBe(-1);
    expect(answers.asked(moved)).toBe(false);
    // A face found, not asked for yet.
    expect(answers.asked(recrop(first, squares[1]!))).toBe(false);
    await answers.answer(moved, run);
    await answers.answer(moved, run);
    // The same square of another photo (another decode): not this photo's face.
    const other = photo(squares[1]);
    expect(answers.indexOf(other)).toBe(-1);
    await answers.answer(other, run);
    expect(seen).toHaveLength(3);
    // Turned or not is part of the square.
    expect(answers.indexOf(recrop(first, squares[2]!))).toBe(2);
    expect(answers.indexOf(recrop(first, { ...squares[2]!, angle: 0 }))).toBe(-1);
  });

  it('runs a face asked for by the loop and a click at once only once', async () => {
    const first = photo(squares[0]);
    const answers = new FaceAnswers<number>();
    answers.reset(first, squares);
    const { run, seen } = fakeRun();
    const loop = answers.answerAll(
      run,
      () => {},
      () => true,
    );
    const clicked = answers.answer(recrop(first, squares[2]!), run);
    await Promise.all([loop, clicked]);
    expect(seen).toHaveLength(3);
  });

  it('says a failed face and goes on; a click on it asks again', async () => {
    const first = photo(squares[0]);
    const answers = new FaceAnswers<number>();
    answers.reset(first, squares);
    const failing = recrop(first, squares[1]!).pixels[0]!;
    let failures = 1;
    const { run, seen } = fakeRun((p) => p === failing && failures-- > 0);
    const heard: (number | string)[] = [];
    const done = await answers.answerAll(
      run,
      (_, a) => heard.push(a instanceof Error ? a.message : a),
      () => true,
    );
    expect(heard[1]).toBe('no answer');
    expect(heard).toHaveLength(3);
    expect(done).toMatchObject({ faces: 3, answered: 2 });
    expect(await answers.answer(recrop(first, squares[1]!), run)).toBe(failing);
    expect(seen).toHaveLength(4);
  });

  it('stops once the photo is no longer the one shown, saying nothing more', async () => {
    const first = photo(squares[0]);
    const answers = new FaceAnswers<number>();
    answers.reset(first, squares);
    const { run, seen } = fakeRun();
    let shown = true;
    const heard: number[] = [];
    const done = await answers.answerAll(
      run,
      (i) => {
        heard.push(i);
        shown = false; // another photo picked while face 1's answer was shown
      },
      () => shown,
    );
    expect(done).toBeNull();
    expect(heard).toEqual([0]);
    expect(seen).toHaveLength(1);

    // Another photo's faces kept meanwhile: the old loop stops too, even if asked as current.
    answers.reset(first, squares);
    const loop = answers.answerAll(
      run,
      () => answers.reset(photo(), []),
      () => true,
    );
    expect(await loop).toBeNull();
  });

  it('says how many faces were labelled, and how long it took', () => {
    expect(answeredText({ faces: 3, answered: 3, ms: 8.6 })).toBe('3 faces labelled in 9 ms');
    expect(answeredText({ faces: 3, answered: 2, ms: 12 })).toBe(
      '2 of 3 faces labelled in 12 ms (1 could not be classified)',
    );
  });
});
