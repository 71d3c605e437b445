/**
 * Every face the detector found in a photo, answered, as `pnpm classify --annotate` answers them: the
 * page classifies the best face first (its cards), then the others one at a time, in the detector's
 * order, giving the page a turn between two runs so that clicks, keys and drawing never wait for more
 * than one face's run (2–3 ms on wasm). The rule for many faces is therefore "all of them, one run at
 * a time", not a cap: the detector gives at most 10 (core's maxFaces, the server's and the command
 * line's default too). One face a run, not a batch: the models take a batch (N × 48 × 48 × 1), but ten
 * faces ran in 20.3 ms as one batch against 21.9 ms as ten runs (onnxruntime-web wasm in headless
 * Chromium, median of 7), too little to pay for a second run path and a page held for the whole batch.
 * Each answer is kept for the photo, so a click on a mark already answered
 * shows it without a second run, and a face asked for twice at once (the loop and a click) runs once;
 * a square moved by hand is not a face found, and is always run. Runs go one after another for another
 * reason too: onnxruntime-web refuses a second run on a busy session (browser-models.ts queues them).
 */
import type { FaceCrop } from '@facekit/core';
import { recrop, sameCrop, type Face } from './face-sources.js';

/** The models' run on one face's 2304 grey levels. */
export type Run<T> = (pixels: Uint8Array) => Promise<T>;

/** How the faces of one photo went, once all were asked for. */
export interface AnsweredFaces {
  readonly faces: number;
  readonly answered: number;
  /** From the first face asked for to the last answer, including the page's turns between runs. */
  readonly ms: number;
}

/** A turn for the page (input, drawing) between two faces' runs: a task, not a microtask. */
export const pageTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export class FaceAnswers<T> {
  /** The photo (any square of it) whose faces are kept, and their squares, best first. */
  private photo: Face | null = null;
  private crops: readonly FaceCrop[] = [];
  private answers: (Promise<T> | undefined)[] = [];

  /** A new photo (`face`: any square of it; null: none) and the squares of the faces found in it. */
  reset(face: Face | null, crops: readonly FaceCrop[]): void {
    this.photo = face;
    this.crops = face ? crops : [];
    this.answers = [];
  }

  /** Which face found `face`'s square is (its index), or -1: another photo, or a square moved by hand. */
  indexOf(face: Face): number {
    if (!this.photo || face.rgba !== this.photo.rgba) return -1;
    return this.crops.findIndex((crop) => sameCrop(crop, face.crop));
  }

  /** Whether `face` is a face found whose answer has been asked for already (kept, or on its way). */
  asked(face: Face): boolean {
    const index = this.indexOf(face);
    return index >= 0 && this.answers[index] !== undefined;
  }

  /** `face`'s answer: the one already asked for when its square is a face found, else a fresh run. */
  answer(face: Face, run: Run<T>): Promise<T> {
    const index = this.indexOf(face);
    return index < 0 ? run(face.pixels) : this.answerAt(index, run, face);
  }

  /** Face `index`'s answer, kept or asked for (`face`: that face's square of the photo, if made already). */
  private answerAt(index: number, run: Run<T>, face?: Face): Promise<T> {
    const kept = this.answers[index];
    if (kept) return kept;
    let asked: Promise<T>;
    try {
      asked = run((face ?? recrop(this.photo!, this.crops[index]!)).pixels);
    } catch (error) {
      // A square core refuses: a failed answer, as a failed run is.
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.answers[index] = asked;
    // A failed run is not kept: a click on its mark asks again.
    asked.catch(() => {
      if (this.answers[index] === asked) this.answers[index] = undefined;
    });
    return asked;
  }

  /**
   * Asks for every face found, best first, one run at a time with a turn for the page after each;
   * `onAnswer` hears each face's answer (or why it has none). Stops, giving null, once `current` says
   * the photo is no longer the one shown (or another photo's faces are kept).
   */
  async answerAll(
    run: Run<T>,
    onAnswer: (index: number, answer: T | Error) => void,
    current: () => boolean,
  ): Promise<AnsweredFaces | null> {
    const photo = this.photo;
    const still = () => current() && this.photo === photo;
    const started = performance.now();
    let answered = 0;
    for (let index = 0; index < this.crops.length; index++) {
      if (!still()) return null;
      let answer: T | Error;
      try {
        answer = await this.answerAt(index, run);
        answered++;
      } catch (error) {
        answer = error instanceof Error ? error : new Error(String(error));
      }
      if (!still()) return null;
      onAnswer(index, answer);
      await pageTurn();
    }
    return still() ? { faces: this.crops.length, answered, ms: performance.now() - started } : null;
  }
}

/** "3 faces labelled in 9 ms", or "2 of 3 faces labelled in 9 ms (1 could not be classified)". */
export function answeredText({ faces, answered, ms }: AnsweredFaces): string {
  const took = `in ${ms.toFixed(0)} ms`;
  if (answered === faces) return `${faces} faces labelled ${took}`;
  return `${answered} of ${faces} faces labelled ${took} (${faces - answered} could not be classified)`;
}
