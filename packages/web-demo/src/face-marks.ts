/**
 * The faces the detector found, marked on the photo: one button per face over its square (dashed;
 * click it to put the square there), numbered best first as the detector and `pnpm classify` number
 * them, and a tag with the face's short answer ("2 · 21–40 · White · female") once it is answered,
 * its button's label saying the answer in words. The rule for a crowded photo: the tags sit beside
 * their squares (under each, else above it, moved sideways to stay on the photo) when every tag fits
 * so, on the photo and over no other face's square or tag; when one does not (many faces, small ones,
 * a long answer on the 240-pixel photo), every mark shows its number alone, in the first corner of its
 * square clear of the other faces and numbers (so the numbers of faces that overlap never lie on one
 * another), and the answers are listed under the photo instead. Where tags and numbers go is pure
 * geometry (mark-spots.ts), tested beside it.
 */
import { turnedBounds, type FaceCrop, type Rect } from '@facekit/core';
import type { LabelledFace } from './draw-faces.js';
import { sameCrop } from './face-sources.js';
import { numberSpots, tagSpots } from './mark-spots.js';

/** A face the detector found: its square, and how sure the detector was (0–1). */
export interface FaceMark {
  readonly crop: FaceCrop;
  readonly score: number;
}

/** A face's answer in a few words (format.ts's `briefAnswer`), or why it has none. */
export type MarkAnswer = { readonly short: string; readonly spoken: string } | Error;

/** What face `index`'s mark says to a screen reader (and as its tooltip). */
export function markLabel(index: number, count: number, score: number, answer?: MarkAnswer): string {
  const face = `face ${index + 1} of ${count}, ${Math.round(score * 100)} % sure`;
  if (!answer) return `${face}: classify this one`;
  if (answer instanceof Error) return `${face}: not classified (${answer.message}); classify it again`;
  return `${face}: ${answer.spoken}; show its answers`;
}

/** Face `index`'s answer as its tag, or its line in the list, shows it. */
export function tagText(index: number, answer?: MarkAnswer): string {
  if (!answer) return `${index + 1}`;
  return `${index + 1} · ${answer instanceof Error ? 'not classified' : answer.short}`;
}

export class FaceMarks {
  private faces: readonly FaceMark[] = [];
  private answers: (MarkAnswer | undefined)[] = [];
  private marks: HTMLButtonElement[] = [];
  private tags: HTMLElement[] = [];
  /** Places an element on a square of the photo (turned with it) and gives the box it put it in. */
  private put: ((element: HTMLElement, crop: FaceCrop) => Rect) | null = null;
  private area: Rect | null = null;

  /** `layer` holds the marks, over the photo; `list`, under it, the answers of a crowded photo. */
  constructor(
    private readonly layer: HTMLElement,
    private readonly list: HTMLOListElement,
  ) {}

  /** The faces found in a new photo (none: no marks); `onPick` hears a mark clicked. */
  show(faces: readonly FaceMark[], onPick: (crop: FaceCrop) => void): void {
    this.faces = faces;
    this.answers = [];
    this.put = this.area = null;
    this.marks = faces.map((face) => {
      const mark = document.createElement('button');
      mark.type = 'button';
      mark.className = 'face-mark';
      mark.addEventListener('click', () => onPick(face.crop));
      return mark;
    });
    // The tags are drawn above the square (so it cannot dim them) and let clicks through to it.
    this.tags = faces.map(() => Object.assign(document.createElement('span'), { className: 'face-tag' }));
    this.tags.forEach((tag) => tag.setAttribute('aria-hidden', 'true'));
    this.layer.replaceChildren(...this.marks, ...this.tags);
    this.list.replaceChildren(...faces.map(() => document.createElement('li')));
    this.faces.forEach((_, i) => this.say(i));
    this.list.hidden = true;
    delete this.layer.dataset.layout;
  }

  /** Face `index` answered (or not): its mark's label, its tag and its line in the list. */
  answer(index: number, answer: MarkAnswer): void {
    if (index >= this.faces.length) return;
    this.answers[index] = answer;
    this.say(index);
    this.layOut();
  }

  /** Marks the face whose square is `crop` as the one shown (none when the square was moved). */
  select(crop: FaceCrop | null): void {
    this.faces.forEach((face, i) => {
      const selected = crop !== null && sameCrop(face.crop, crop);
      this.marks[i]!.toggleAttribute('aria-current', selected);
      this.tags[i]!.classList.toggle('selected', selected);
      this.list.children[i]?.classList.toggle('selected', selected);
    });
  }

  /** Puts the marks on their squares and the tags beside them, in `area` (the photo's box). */
  place(put: (element: HTMLElement, crop: FaceCrop) => Rect, area: Rect): void {
    this.put = put;
    this.area = area;
    this.layOut();
  }

  clear(): void {
    this.show([], () => {});
  }

  /** The faces answered so far, numbered as their marks are, with their short answers: to draw them. */
  labelled(): LabelledFace[] {
    return this.faces.flatMap(({ crop }, i) => {
      const answer = this.answers[i];
      return answer && !(answer instanceof Error) ? [{ crop, text: answer.short, number: i + 1 }] : [];
    });
  }

  private say(index: number): void {
    const answer = this.answers[index];
    const mark = this.marks[index]!;
    mark.title = mark.ariaLabel = markLabel(index, this.faces.length, this.faces[index]!.score, answer);
    // Its labels, for whoever reads the page (a test, a script): the tag may show only the number.
    if (answer && !(answer instanceof Error)) mark.dataset.labels = answer.short;
    else delete mark.dataset.labels;
    this.list.children[index]!.textContent = answer ? tagText(index, answer) : `${index + 1} · …`;
  }

  /** Each tag beside its mark with the answer, or (a crowded photo) the number on it and a list. */
  private layOut(): void {
    const { put, area } = this;
    if (!put || !area || this.faces.length === 0) return;
    const squares = this.faces.map((face, i) =>
      turnedBounds(put(this.marks[i]!, face.crop), face.crop.angle),
    );
    this.tags.forEach((tag, i) => (tag.textContent = tagText(i, this.answers[i])));
    // Measured as they stand, in the page's font (a tag is one line: white-space nowrap).
    const spots = tagSpots(
      squares,
      this.tags.map((tag) => ({ width: tag.offsetWidth, height: tag.offsetHeight })),
      area,
    );
    const crowded = spots === null;
    // Crowded: each mark shows its number alone, measured again as it now stands.
    if (crowded) this.tags.forEach((tag, i) => (tag.textContent = `${i + 1}`));
    const at =
      spots ??
      numberSpots(
        squares,
        this.tags.map((tag) => ({ width: tag.offsetWidth, height: tag.offsetHeight })),
        area,
      );
    this.tags.forEach((tag, i) =>
      Object.assign(tag.style, { left: `${at[i]!.left}px`, top: `${at[i]!.top}px` }),
    );
    this.layer.dataset.layout = crowded ? 'numbers' : 'tags';
    this.list.hidden = !crowded;
  }
}
