/**
 * Live labels over the webcam: while the camera runs, its current frame is searched by the same face
 * detector as a photo, the faces found (at most LIVE_MAX_FACES, best first) are classified from the same
 * 48×48 preprocessing (core's imageToPixels on the frame's pixels), and their squares and short answers
 * are drawn on a canvas laid over the video. One frame at a time: the next is the camera's first new
 * frame after the last is answered, so a slow machine labels fewer frames, never a backlog, and a fast
 * one never reads a frame twice; a hidden tab paints no frames, so nothing runs there. "Take photo"
 * still hands a frame to the page's full view.
 */
import { imageToPixels, type RgbaImage, type Task } from '@facekit/core';
import type { BrowserModels } from './browser-models.js';
import { drawFaces, type LabelledFace } from './draw-faces.js';
import { briefAnswer, liveStatusLine } from './format.js';

/** Faces classified per frame: the rest of a crowd is left unlabelled (each face costs a model run). */
export const LIVE_MAX_FACES = 5;

/**
 * One frame's faces, best first, each classified (at most `maxFaces` of them), and how many the detector
 * found; throws when the models have no face detector.
 */
export async function labelFrame(
  frame: RgbaImage,
  models: BrowserModels,
  maxFaces = LIVE_MAX_FACES,
): Promise<{ found: number; labelled: LabelledFace[] }> {
  if ('missing' in models.detector) throw new Error(`no face detector (${models.detector.missing})`);
  // One detector run a frame: no close look, whose tiles would cost three or four more (a face in a
  // 640×480 frame is found whole from about 80 px; a face nearer the camera is larger).
  const { faces } = await models.detector.detect(frame, false);
  const labelsOf = (task: Task) => models.manifest.models[task]!.labels;
  const labelled: LabelledFace[] = [];
  for (const { crop } of faces.slice(0, maxFaces)) {
    const { probabilities } = await models.run(imageToPixels(frame, 'webcam frame', crop));
    const { short } = briefAnswer(models.tasks, probabilities, labelsOf, models.ageGrouping);
    labelled.push({ crop, text: short });
  }
  return { found: faces.length, labelled };
}

/** How often the status line is rewritten: often enough to follow, rarely enough to read. */
const STATUS_EVERY_MS = 500;

export class LiveLabels {
  private camera = false;
  private running = false;
  /** Counts starts, so that a frame still in flight when live labels stop and start again is dropped. */
  private generation = 0;
  private readonly grab = document.createElement('canvas');
  /** Frames answered since the status line was last written, the time they took, and when that was. */
  private frames = 0;
  private busy = 0;
  private since = 0;
  /**
   * Frames labelled since live labels started, shown with the status line as its data-frames: what
   * `pnpm bench:demo-memory --webcam` divides the memory kept by.
   */
  private labelled = 0;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly overlay: HTMLCanvasElement,
    private readonly status: HTMLElement,
    private readonly toggle: HTMLInputElement,
    /** The models once loaded, why they could not be, or null while they load. */
    private readonly models: () => BrowserModels | { readonly failed: string } | null,
  ) {
    toggle.addEventListener('change', () => this.update());
  }

  /** The webcam was started (true) or stopped: live labels follow it, when their box is ticked. */
  cameraOn(on: boolean): void {
    this.camera = on;
    this.toggle.parentElement!.hidden = this.overlay.hidden = !on;
    this.update();
  }

  private update(): void {
    const want = this.camera && this.toggle.checked;
    if (want === this.running) return;
    this.running = want;
    this.generation++;
    this.overlay.getContext('2d')!.clearRect(0, 0, this.overlay.width, this.overlay.height);
    this.status.textContent = want ? 'Live labels: starting…' : '';
    delete this.status.dataset.faces;
    delete this.status.dataset.frames;
    [this.frames, this.busy, this.since, this.labelled] = [0, 0, performance.now(), 0];
    if (want) this.next(this.generation);
  }

  /**
   * The next step once the camera has a new frame (requestVideoFrameCallback: a frame is never read
   * twice, so a fast machine idles between a 30 frames/s camera's frames), or at the next paint where
   * the browser lacks it.
   */
  private next(generation: number): void {
    const step = () => void this.step(generation);
    if ('requestVideoFrameCallback' in this.video) this.video.requestVideoFrameCallback(step);
    else requestAnimationFrame(step);
  }

  private async step(generation: number): Promise<void> {
    if (generation !== this.generation) return;
    const models = this.models();
    if (models && 'failed' in models) return this.halt(`the models could not be loaded (${models.failed})`);
    if (models && 'missing' in models.detector) return this.halt(models.detector.missing);
    const { videoWidth: width, videoHeight: height } = this.video;
    if (!models || width === 0) {
      this.status.textContent = models
        ? 'Live labels: waiting for the camera…'
        : 'Live labels: waiting for the models…';
      return this.next(generation);
    }
    let found: number, faces: LabelledFace[];
    const started = performance.now();
    try {
      ({ found, labelled: faces } = await labelFrame(this.frame(width, height), models));
    } catch (error) {
      if (generation !== this.generation) return;
      return this.halt((error as Error).message);
    }
    if (generation !== this.generation) return;
    if (this.overlay.width !== width || this.overlay.height !== height)
      [this.overlay.width, this.overlay.height] = [width, height];
    const overlay = this.overlay.getContext('2d')!;
    overlay.clearRect(0, 0, width, height);
    drawFaces(overlay, faces);
    const now = performance.now();
    this.frames++;
    this.labelled++;
    this.busy += now - started;
    if (now - this.since >= STATUS_EVERY_MS) {
      // The work a frame took (read, search, classify, draw), and the frames labelled a second: at most
      // the camera's rate, fewer when the work takes longer than a frame.
      const [ms, rate] = [this.busy / this.frames, (this.frames * 1000) / (now - this.since)];
      const texts = faces.map((f) => f.text);
      this.status.textContent = liveStatusLine(found, texts, ms, rate, models.provider);
      this.status.dataset.faces = JSON.stringify(texts);
      this.status.dataset.frames = String(this.labelled);
      [this.frames, this.busy, this.since] = [0, 0, now];
    }
    this.next(generation);
  }

  /**
   * Live labels cannot go on: said, the overlay cleared, no next frame. Still "running" for the toggle
   * and the camera, so that unticking the box or stopping the camera clears the line, and ticking it
   * again tries again.
   */
  private halt(why: string): void {
    this.overlay.getContext('2d')!.clearRect(0, 0, this.overlay.width, this.overlay.height);
    this.status.textContent = `No live labels: ${why}.`;
    delete this.status.dataset.faces;
  }

  /** The video's current frame as RGBA pixels (one canvas, reused). */
  private frame(width: number, height: number): RgbaImage {
    if (this.grab.width !== width || this.grab.height !== height)
      [this.grab.width, this.grab.height] = [width, height];
    const context = this.grab.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(this.video, 0, 0, width, height);
    return context.getImageData(0, 0, width, height);
  }
}
