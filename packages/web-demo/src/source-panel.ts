/**
 * The "a face" panel: the drop zone and file picker, the webcam, and the sample faces (listed in
 * samples/samples.json with their dataset labels). Every source ends in one callback with a Face,
 * so the page classifies all of them the same way.
 */
import { faceFromBlob, faceFromUrl, Webcam, type Face } from './face-sources.js';
import { el } from './render.js';

export interface SourceHandlers {
  /** A photo named `name` is being read (a problem said before is not this photo's). */
  onReading(name: string): void;
  /** A face is ready; `truth` is the dataset's label line for a sample. */
  onFace(face: Face, truth?: string): Promise<void>;
  /** A photo could not be turned into a face (the page no longer shows the previous one). */
  onError(error: unknown): void;
  /** A source failed before any photo (the webcam, a drop of no file): the face shown stays. */
  onSourceError(error: unknown): void;
  /** A new attempt at a source (the webcam toggled): a problem said before is not this attempt's. */
  onSourceAttempt(): void;
  /** The webcam started (true) or stopped. */
  onWebcam(on: boolean): void;
}

/**
 * Hands over only the face asked for last: decoding takes its own time per source, and a slow sample
 * clicked first must not replace a photo picked after it. Errors of superseded requests are dropped too.
 */
function latestOnly(
  handlers: SourceHandlers,
): (name: string, load: () => Promise<Face>, truth?: string) => void {
  let asked = 0;
  return (name, load, truth) => {
    const ticket = ++asked;
    handlers.onReading(name);
    load()
      .then((face) => (ticket === asked ? handlers.onFace(face, truth) : undefined))
      .catch((error: unknown) => {
        if (ticket === asked) handlers.onError(error);
      });
  };
}

interface Sample {
  readonly file: string;
  readonly age: number;
  readonly ethnicity: string;
  readonly gender: string;
}

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function loadSamples(show: ReturnType<typeof latestOnly>): Promise<void> {
  const response = await fetch('samples/samples.json');
  if (!response.ok) throw new Error(`samples/samples.json: HTTP ${response.status}`);
  const samples = (await response.json()) as Sample[];
  const buttons = samples.map((s) => {
    const truth = `Dataset label: age ${s.age}, ${s.ethnicity}, ${s.gender}.`;
    const button = el(
      'button',
      { type: 'button', class: 'sample', title: truth, 'data-sample': s.file },
      el('img', { src: `samples/${s.file}`, alt: truth }),
    );
    button.addEventListener('click', () =>
      show(
        s.file,
        async () => ({ ...(await faceFromUrl(`samples/${s.file}`, s.file)), cropped: true }),
        truth,
      ),
    );
    return button;
  });
  byId('samples').replaceChildren(...buttons);
}

/** Wires the drop zone, file picker, webcam and samples to `handlers`. */
export function wireSources(handlers: SourceHandlers): void {
  const show = latestOnly(handlers);
  // The page works without them: say why they are missing where they would be.
  loadSamples(show).catch((error: unknown) => {
    byId('samples').textContent =
      `No sample faces (${error instanceof Error ? error.message : String(error)}).`;
  });
  const take = (file: File | undefined) => file && show(file.name, () => faceFromBlob(file, file.name));
  const drop = byId('drop');
  const picker = byId<HTMLInputElement>('file');
  picker.addEventListener('change', () => {
    take(picker.files?.[0]);
    // Cleared, so that picking the same file again is a change the browser reports.
    picker.value = '';
  });
  // The zone is a focusable label: Enter or Space opens the file dialog, as a click does.
  drop.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();
    picker.click();
  });
  // A file dropped anywhere on the page is taken: the browser would otherwise open it, or a dropped
  // link, in the page's place. A drag over a text field is left to the field (text dropped into the
  // server URL), and so is an image pasted into one.
  const typedInto = (target: EventTarget | null) =>
    target instanceof HTMLTextAreaElement ||
    (target instanceof HTMLInputElement &&
      !['range', 'file', 'checkbox', 'radio', 'button', 'submit'].includes(target.type)) ||
    (target instanceof HTMLElement && target.isContentEditable);
  document.addEventListener('dragover', (e) => {
    if (typedInto(e.target)) return;
    e.preventDefault();
    drop.classList.toggle('over', drop.contains(e.target as Node));
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  document.addEventListener('drop', (e) => {
    if (typedInto(e.target)) return;
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) take(file);
    else handlers.onSourceError(new Error('What was dropped is not a file; drop a photo file'));
  });
  document.addEventListener('paste', (e) => {
    if (typedInto(e.target)) return; // the server URL, say
    const file = Array.from(e.clipboardData?.files ?? []).find((f) => f.type.startsWith('image/'));
    if (!file) return;
    e.preventDefault();
    take(file);
  });

  const toggle = byId<HTMLButtonElement>('webcam-toggle');
  const showCamera = (on: boolean) => {
    toggle.textContent = on ? 'Stop webcam' : 'Use webcam';
    byId('webcam').hidden = byId('webcam-capture').hidden = !on;
    handlers.onWebcam(on);
  };
  const webcam = new Webcam(byId<HTMLVideoElement>('webcam'), () => {
    showCamera(false);
    handlers.onSourceError(
      new Error(
        'Webcam: the camera stopped (unplugged, or taken by another program); press "Use webcam" to start it again.',
      ),
    );
  });
  toggle.addEventListener('click', () => {
    handlers.onSourceAttempt();
    if (webcam.running) {
      webcam.stop();
      return showCamera(false);
    }
    // Shown as it is once started: the camera may have been stopped again while it started.
    webcam
      .start()
      .then(() => showCamera(webcam.running))
      .catch((error: unknown) => handlers.onSourceError(error));
  });
  byId('webcam-capture').addEventListener('click', () => show('a webcam frame', () => webcam.capture()));
}
