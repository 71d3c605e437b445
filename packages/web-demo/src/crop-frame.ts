/**
 * The square over the photo that says which part of it the models see: drag it onto the face, set its
 * side with the slider, or put it back on the centre square. The faces the detector found are marked
 * on the photo (face-marks.ts); clicking one's mark puts the square on it. The photo is shown whole
 * (scaled to fit its box), and the square is kept in the photo's own pixels, whole and inside the
 * photo, so what the page classifies and what it sends the server (`crop`) are the same square. A
 * square the detector turned with a tilted face (`crop.angle`, degrees clockwise about its centre) is
 * drawn turned, and keeps its angle while it is dragged, resized or nudged (only its upright square is
 * moved and clamped); "Centre" puts back the upright centre square.
 */
import { centreSquare, type FaceCrop, type Rect } from '@facekit/core';
import type { FaceMark, FaceMarks } from './face-marks.js';
import { turnedText } from './format.js';

interface Placement {
  readonly scale: number;
  readonly left: number;
  readonly top: number;
}

/**
 * Clamps a square of side `size` with its top-left corner at (x, y) into a `width` × `height` photo,
 * turned by `angle` degrees about its centre (kept as it is; 0 leaves the crop without one).
 */
export function clampCrop(
  x: number,
  y: number,
  size: number,
  width: number,
  height: number,
  angle = 0,
): FaceCrop {
  const side = Math.max(1, Math.min(Math.round(size), width, height));
  return {
    x: Math.min(Math.max(0, Math.round(x)), width - side),
    y: Math.min(Math.max(0, Math.round(y)), height - side),
    size: side,
    ...(angle ? { angle } : {}),
  };
}

/** The CSS transform that turns an element placed on `crop`'s upright square about its centre. */
export const cropTransform = (crop: FaceCrop): string => (crop.angle ? `rotate(${crop.angle}deg)` : '');

export class CropFrame {
  private width = 0;
  private height = 0;
  private crop: FaceCrop | null = null;

  /**
   * `photo` shows the photo with `object-fit: contain` inside its box; `frame` is an absolutely placed
   * element in the same box; `onCrop` hears each square the user settles on.
   */
  constructor(
    private readonly photo: HTMLCanvasElement,
    private readonly frame: HTMLElement,
    private readonly size: HTMLInputElement,
    private readonly reset: HTMLButtonElement,
    /** The faces found, marked over the photo. */
    private readonly marks: FaceMarks,
    private readonly onCrop: (crop: FaceCrop) => void,
  ) {
    frame.addEventListener('pointerdown', (e) => this.drag(e));
    frame.addEventListener('keydown', (e) => this.nudge(e));
    size.addEventListener('input', () => this.resize(Number(size.value), false));
    size.addEventListener('change', () => this.resize(Number(size.value), true));
    reset.addEventListener('click', () => this.settle(centreSquare(this.width, this.height)));
    new ResizeObserver(() => this.layOut()).observe(photo);
  }

  /** A new photo: its square is `crop` (the best face's, else the centre one), `faces` those found. */
  show(width: number, height: number, crop: FaceCrop, faces: readonly FaceMark[] = []): void {
    this.width = width;
    this.height = height;
    this.crop = crop;
    this.marks.show(faces, (square) => this.settle(square));
    this.size.min = String(Math.min(24, width, height));
    this.size.max = String(Math.min(width, height));
    this.size.value = String(crop.size);
    this.size.disabled = this.reset.disabled = false;
    this.frame.hidden = false;
    this.layOut();
  }

  /** No photo: the square is hidden and its controls off. */
  hide(): void {
    this.crop = null;
    this.width = this.height = 0;
    this.marks.clear();
    this.frame.hidden = true;
    this.size.disabled = this.reset.disabled = true;
  }

  /** Where the photo's pixels land in its box (inside the image's border: clientLeft/Top). */
  private placement(): Placement {
    const box = { width: this.photo.clientWidth, height: this.photo.clientHeight };
    const scale = Math.min(box.width / this.width, box.height / this.height);
    return {
      scale,
      left: this.photo.offsetLeft + this.photo.clientLeft + (box.width - this.width * scale) / 2,
      top: this.photo.offsetTop + this.photo.clientTop + (box.height - this.height * scale) / 2,
    };
  }

  /** Places `element` on `square` of the photo, turned with it, and gives the upright box it put it in. */
  private put(element: HTMLElement, square: FaceCrop, { scale, left, top } = this.placement()): Rect {
    const box = {
      left: left + square.x * scale,
      top: top + square.y * scale,
      width: square.size * scale,
      height: square.size * scale,
    };
    Object.assign(element.style, {
      left: `${box.left}px`,
      top: `${box.top}px`,
      width: `${box.width}px`,
      height: `${box.height}px`,
      // About the element's centre (transform-origin's default), as core turns the square.
      transform: cropTransform(square),
    });
    return box;
  }

  /** The square and the marks, where the photo now lies (a new photo, or its box resized). */
  private layOut(): void {
    if (!this.crop || this.width === 0) return;
    const placement = this.placement();
    const area = {
      left: this.photo.offsetLeft + this.photo.clientLeft,
      top: this.photo.offsetTop + this.photo.clientTop,
      width: this.photo.clientWidth,
      height: this.photo.clientHeight,
    };
    this.marks.place((element, square) => this.put(element, square, placement), area);
    this.draw();
  }

  private draw(crop = this.crop): void {
    if (!crop || this.width === 0) return;
    this.put(this.frame, crop);
    this.marks.select(crop);
    this.frame.title = `x ${crop.x}, y ${crop.y}, side ${crop.size} px${turnedText(crop)}`;
    this.size.setAttribute('aria-valuetext', `${crop.size} pixels`);
  }

  private settle(crop: FaceCrop): void {
    this.crop = crop;
    this.size.value = String(crop.size);
    this.draw();
    this.onCrop(crop);
  }

  /** A new side, about the square's centre; `done` once the slider is let go. */
  private resize(side: number, done: boolean): void {
    if (!this.crop) return;
    const { x, y, size, angle } = this.crop;
    const half = (size - side) / 2;
    const next = clampCrop(x + half, y + half, side, this.width, this.height, angle);
    if (done) this.settle(next);
    else this.draw(next);
  }

  private drag(down: PointerEvent): void {
    if (!this.crop) return;
    down.preventDefault();
    this.frame.setPointerCapture(down.pointerId);
    const start = this.crop;
    const { scale } = this.placement();
    const at = (e: PointerEvent) =>
      clampCrop(
        start.x + (e.clientX - down.clientX) / scale,
        start.y + (e.clientY - down.clientY) / scale,
        start.size,
        this.width,
        this.height,
        start.angle,
      );
    const move = (e: PointerEvent) => this.draw(at(e));
    const end = (e: PointerEvent) => {
      this.frame.removeEventListener('pointermove', move);
      this.frame.removeEventListener('pointerup', end);
      this.frame.removeEventListener('pointercancel', end);
      // A cancelled drag (the browser took the gesture over) puts the square back where it was.
      if (e.type === 'pointercancel') this.draw(start);
      else this.settle(at(e));
    };
    this.frame.addEventListener('pointermove', move);
    this.frame.addEventListener('pointerup', end);
    this.frame.addEventListener('pointercancel', end);
  }

  /**
   * Arrow keys move the focused square by a pixel of the screen (with Shift, by ten): a pixel of the
   * photo, as before, moved it by a 24th of a screen pixel on a 4000-pixel photo.
   */
  private nudge(e: KeyboardEvent): void {
    const steps: Record<string, [number, number]> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, -1],
      ArrowDown: [0, 1],
    };
    const step = steps[e.key];
    if (!step || !this.crop) return;
    e.preventDefault();
    const screenPixel = Math.max(1, Math.round(1 / this.placement().scale));
    const by = (e.shiftKey ? 10 : 1) * screenPixel;
    const { x, y, size, angle } = this.crop;
    const next = clampCrop(x + step[0] * by, y + step[1] * by, size, this.width, this.height, angle);
    if (next.x !== x || next.y !== y) this.settle(next);
  }
}
