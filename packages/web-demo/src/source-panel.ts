/**
 * The "a face" panel: the drop zone and file picker, the webcam, and the sample faces (listed in
 * samples/samples.json with their dataset labels). Every source ends in one callback with a Face,
 * so the page classifies all of them the same way.
 */
import { faceFromBlob, faceFromUrl, Webcam, type Face } from './face-sources.js';
import { el } from './render.js';

export interface SourceHandlers {
  /** A face is ready; `truth` is the dataset's label line for a sample. */
  onFace(face: Face, truth?: string): Promise<void>;
  /** Something went wrong on the way to a face. */
  onError(error: unknown): void;
}

interface Sample {
  readonly file: string;
  readonly age: number;
  readonly ethnicity: string;
  readonly gender: string;
}

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export async function loadSamples(handlers: SourceHandlers): Promise<void> {
  const response = await fetch('samples/samples.json');
  if (!response.ok) return;
  const samples = (await response.json()) as Sample[];
  const buttons = samples.map((s) => {
    const truth = `Dataset label: age ${s.age}, ${s.ethnicity}, ${s.gender}.`;
    const button = el(
      'button',
      { type: 'button', class: 'sample', title: truth, 'data-sample': s.file },
      el('img', { src: `samples/${s.file}`, alt: truth }),
    );
    button.addEventListener('click', () =>
      faceFromUrl(`samples/${s.file}`, s.file)
        .then((face) => handlers.onFace(face, truth))
        .catch(handlers.onError),
    );
    return button;
  });
  byId('samples').replaceChildren(...buttons);
}

export function wireSources(handlers: SourceHandlers): void {
  const run = (work: Promise<void>) => void work.catch(handlers.onError);
  const take = (file: File | undefined) =>
    file && run(faceFromBlob(file, file.name).then((face) => handlers.onFace(face)));
  const drop = byId('drop');
  const picker = byId<HTMLInputElement>('file');
  picker.addEventListener('change', () => take(picker.files?.[0]));
  drop.addEventListener('dragover', (e) => (e.preventDefault(), drop.classList.add('over')));
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    take(e.dataTransfer?.files[0]);
  });

  const webcam = new Webcam(byId<HTMLVideoElement>('webcam'));
  const toggle = byId<HTMLButtonElement>('webcam-toggle');
  toggle.addEventListener('click', () => {
    const on = !webcam.running;
    if (!on) webcam.stop();
    run(
      (on ? webcam.start() : Promise.resolve()).then(() => {
        toggle.textContent = on ? 'Stop webcam' : 'Use webcam';
        byId('webcam').hidden = byId('webcam-capture').hidden = !on;
      }),
    );
  });
  byId('webcam-capture').addEventListener('click', () =>
    run(webcam.capture().then((face) => handlers.onFace(face))),
  );
}
