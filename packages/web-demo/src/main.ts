/**
 * The page's wiring: load the models, put the square of each photo the source panel hands over on the
 * best face the detector finds, classify that square (grey levels from core's preprocessing of it;
 * the user may move it, or pick another face found) in the browser, then every other face found, each
 * answer on its mark (face-answers.ts, face-marks.ts); show the model's view and the answers, and on
 * request ask the GraphQL server the same question and compare (compare-panel.ts); label the webcam's
 * faces live (live-webcam.ts). Query parameters `ep` (auto | wasm | webgpu), `threads` (wasm's thread
 * count, wasm-threads.ts) and `server` (GraphQL URL) let tests and links pin the runtime and the server.
 */
import type { DetectedFace, Task } from '@facekit/core';
import { loadBrowserModels, type BrowserModels } from './browser-models.js';
import { compareWithServer } from './compare-panel.js';
import { CropFrame } from './crop-frame.js';
import { answeredText, FaceAnswers } from './face-answers.js';
import { FaceMarks } from './face-marks.js';
import { drawGrey, isCentreSquare, recrop, sameCrop, type Face } from './face-sources.js';
import { answerLine, briefAnswer, turnedText } from './format.js';
import { LiveLabels } from './live-webcam.js';
import { drawPhoto } from './photo-view.js';
import { el, errorMessage, taskCard } from './render.js';
import { saveLabelled } from './save-labelled.js';
import { DEFAULT_SERVER_URL } from './server-compare.js';
import { wireSources } from './source-panel.js';
import { threadsShortfall, wasmThreadsAsked } from './wasm-threads.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const asked = params.get('ep');
const want = asked === 'wasm' || asked === 'webgpu' ? asked : 'auto';
/** A `?ep=` the page does not know is said, not silently taken for auto. */
const unknownEp = asked !== null && asked !== want ? ` (?ep=${asked} is not wasm, webgpu or auto)` : '';
const threadsAsked = wasmThreadsAsked(params.get('threads'));

let models: BrowserModels | null = null;
/** Why the models could not be loaded, once that is known. */
let modelsFailed: string | null = null;
let current: { face: Face; probabilities: Map<Task, Float32Array> } | null = null;

type ModelAnswer = Awaited<ReturnType<BrowserModels['run']>>;
/** The answers of the faces found in the photo on screen, each asked for once. */
const faceAnswers = new FaceAnswers<ModelAnswer>();
const faceMarks = new FaceMarks($('face-marks'), $<HTMLOListElement>('face-list'));

function setStatus(text: string, state: 'loading' | 'ready' | 'error'): void {
  $('status').textContent = text;
  $('status').dataset.state = state;
}

function showError(where: HTMLElement, error: unknown): void {
  where.replaceChildren(errorMessage(error));
}

/** Counts faces shown, so that a slower run for an older face cannot overwrite a newer one's answer. */
let shown = 0;

/** The face whose photo is on screen (its square as last set), whether or not it is answered yet. */
let onScreen: Face | null = null;

const cropFrame = new CropFrame(
  $<HTMLCanvasElement>('photo'),
  $('crop'),
  $<HTMLInputElement>('crop-size'),
  $<HTMLButtonElement>('crop-reset'),
  faceMarks,
  (crop) => {
    if (!onScreen || sameCrop(crop, onScreen.crop)) return;
    let face: Face;
    try {
      face = recrop(onScreen, crop);
    } catch (error) {
      return showError($('results'), error);
    }
    void classify(face);
  },
);

/** The photo being read, if one is: its caption stays until it is shown, even if the old square moves. */
let readingName: string | null = null;

/**
 * A photo is being read (a large one takes a while): said at once, the previous face still shown, and
 * a problem said of an earlier photo no longer (it is not this one's, and stood beside "reading …").
 */
function reading(name: string): void {
  readingName = name;
  hideSourceError();
  $('photo-caption').textContent = `reading ${name}…`;
  $('input-panel').setAttribute('aria-busy', 'true');
}

/** Counts photos shown, so that a detection finishing after another photo was picked is dropped. */
let photos = 0;
/** The photo on screen has been searched for faces (or needs no search); else it waits for the models. */
let searched = true;

const percent = (score: number) => `${Math.round(score * 100)} %`;

/** What the line under the photo says once the models (the detector with them) failed to load. */
const NOT_SEARCHED = 'Not searched for faces: the models could not be loaded.';

/** The labels of `task`'s model, in its output order. */
const labelsOf = (task: Task) => models!.manifest.models[task]!.labels;

/**
 * The face's photo searched for faces: the square moved onto the best one, the others marked. A sample
 * (already cropped) is not searched; without a detector, or without a face found, the square stays on
 * the centre and the page says why.
 */
async function findFaces(face: Face): Promise<{ face: Face; found: readonly DetectedFace[] }> {
  const say = (text: string) => ($('detection').textContent = text);
  if (face.cropped || !models) {
    searched = face.cropped === true;
    say(
      face.cropped
        ? 'A face already cropped: not searched.'
        : modelsFailed
          ? NOT_SEARCHED
          : 'Searching for faces once the models are in…',
    );
    return { face, found: [] };
  }
  searched = true;
  if ('missing' in models.detector) {
    say(`No face detector (${models.detector.missing}): drag the square onto the face.`);
    return { face, found: [] };
  }
  const { faces, ms } = await models.detector.detect(face.rgba);
  const took = `${ms.toFixed(0)} ms on ${models.detector.provider}`;
  if (faces.length === 0) {
    say(`No face found (${took}): the centre square; drag it onto the face.`);
    return { face, found: [] };
  }
  const others = faces.length > 1 ? `; ${faces.length - 1} more marked` : '';
  say(`Face found, ${percent(faces[0]!.score)} sure (${took})${others}.`);
  return { face: recrop(face, faces[0]!.crop), found: faces };
}

/** Shows the face's photo with its square (on the best face found) and the faces found, then classifies. */
async function placeAndClassify(given: Face): Promise<void> {
  const photo = ++photos;
  let placed: Awaited<ReturnType<typeof findFaces>>;
  try {
    placed = await findFaces(given);
  } catch (error) {
    placed = { face: given, found: [] };
    $('detection').textContent = `Face detection failed (${(error as Error).message}): the centre square.`;
  }
  if (photo !== photos) return;
  const { face, found } = placed;
  faceAnswers.reset(
    face,
    found.map((f) => f.crop),
  );
  cropFrame.show(face.width, face.height, face.crop, found);
  // With several faces, screen readers hear the best one's answer once all are labelled, not twice.
  await classify(face, found.length < 2);
  await labelEveryFace(photo, found);
}

/**
 * Every face found in photo `photo`, answered on its mark once the best one's cards are shown; with
 * several, the line under the photo then says how many were labelled and how long it took, and screen
 * readers hear that with the answer of the face shown.
 */
async function labelEveryFace(photo: number, found: readonly DetectedFace[]): Promise<void> {
  if (!models || found.length === 0) return;
  const { tasks, ageGrouping, run } = models;
  const done = await faceAnswers.answerAll(
    run,
    (i, answer) =>
      faceMarks.answer(
        i,
        answer instanceof Error ? answer : briefAnswer(tasks, answer.probabilities, labelsOf, ageGrouping),
      ),
    () => photo === photos,
  );
  if (!done || found.length < 2) return;
  $('detection').textContent += ` ${answeredText(done)}: click a mark for a face's full answers.`;
  const labelled = `${done.faces} faces found and ${done.answered === done.faces ? 'all' : done.answered} labelled`;
  const index = current ? faceAnswers.indexOf(current.face) : -1;
  const which = index < 0 ? 'the square shown' : `face ${index + 1}`;
  $('announce').textContent = current
    ? `${labelled}; ${which}: ${answerLine(tasks, current.probabilities, labelsOf, ageGrouping)}`
    : `${labelled}.`;
}

/** A new photo: show it whole (the pixels read: photo-view.ts) with its square, then classify that square. */
async function showFace(face: Face, truth = ''): Promise<void> {
  readingName = null;
  hideSourceError();
  drawPhoto($<HTMLCanvasElement>('photo'), face.rgba);
  $('truth').textContent = truth;
  await placeAndClassify(face);
}

/**
 * A photo failed to load: said under the drop zone, where the person who picked it is looking (on a
 * phone the answers are a screen further down), and the page stops showing (and offering to compare)
 * the one before it.
 */
function clearFace(error: unknown): void {
  readingName = null;
  ++shown;
  ++photos;
  searched = true;
  $('detection').textContent = '';
  onScreen = current = null;
  faceAnswers.reset(null, []);
  drawPhoto($<HTMLCanvasElement>('photo'), null);
  cropFrame.hide();
  $('photo-caption').textContent = 'no face yet';
  $('input-panel').removeAttribute('aria-busy');
  $<HTMLCanvasElement>('grey').getContext('2d')!.clearRect(0, 0, 48, 48);
  $('truth').textContent = $('timing').textContent = $('announce').textContent = '';
  $('comparison').replaceChildren();
  $<HTMLButtonElement>('compare').disabled = $<HTMLButtonElement>('save-labelled').disabled = true;
  $('results').replaceChildren(el('p', { class: 'muted' }, 'Pick a face to classify it.'));
  sourceError(error);
}

/** A source's problem (a file, the webcam), under the drop zone until the next attempt or face. */
function sourceError(error: unknown): void {
  $('source-error').textContent = (error as Error).message ?? String(error);
  $('source-error').hidden = false;
}

function hideSourceError(): void {
  $('source-error').hidden = true;
}

/**
 * Classifies the face's square (a new photo, or the same photo with its square moved; a face found
 * whose answer is in already is not run again) and, when `announce`, says its answer to screen readers.
 * Never rejects: a failed run is shown only while its face is still the one on screen.
 */
async function classify(face: Face, announce = true): Promise<void> {
  const ticket = ++shown;
  onScreen = face;
  // The face on screen is no longer the one answered: nothing to compare until its own run is done.
  current = null;
  $<HTMLButtonElement>('compare').disabled = true;
  const square = isCentreSquare(face)
    ? 'centre square'
    : `square at (${face.crop.x}, ${face.crop.y}), side ${face.crop.size}${turnedText(face.crop)}`;
  const size = face.scaledFrom
    ? `${face.scaledFrom.width}×${face.scaledFrom.height} scaled to ${face.width}×${face.height}`
    : `${face.width}×${face.height}`;
  // Smaller than the input: the models see it enlarged, which they were not trained on.
  const small = face.crop.size < 48 ? ' · under 48 px, enlarged' : '';
  if (readingName === null) {
    $('photo-caption').textContent = `${face.name} · ${size} · ${square}${small}`;
    $('input-panel').removeAttribute('aria-busy');
  }
  drawGrey($<HTMLCanvasElement>('grey'), face.pixels);
  $('comparison').replaceChildren();
  if (!models) {
    // Answered once the models are in (see the end of this file), or told why not.
    const waiting = modelsFailed
      ? `Cannot answer: the models could not be loaded (${modelsFailed}).`
      : 'The models are still loading; this face is answered as soon as they are ready.';
    $('results').replaceChildren(el('p', { class: modelsFailed ? 'error' : 'muted' }, waiting));
    return;
  }
  let answer: ModelAnswer;
  // A face whose answer the labelling of the photo's faces asked for: its run's time, said so.
  const kept = faceAnswers.asked(face);
  try {
    answer = await faceAnswers.answer(face, models.run);
  } catch (error) {
    if (ticket !== shown) return;
    $('announce').textContent = '';
    showError($('results'), error);
    return;
  }
  if (ticket !== shown) return;
  const { probabilities, ms } = answer;
  current = { face, probabilities };
  const runs = models.files.length === 1 ? 'one run' : `${models.files.length} runs`;
  const tasks = models.tasks.length === 1 ? '1 task' : `${models.tasks.length} tasks`;
  const when = kept ? ', when the faces were labelled' : '';
  $('timing').textContent = `${tasks} (${runs}) in ${ms.toFixed(1)} ms on ${models.provider}${when}`;
  const cards = models.tasks.map((task) =>
    taskCard(task, probabilities.get(task)!, models!.manifest.models[task]!.labels, models!.ageGrouping),
  );
  $('results').replaceChildren(...cards);
  $('announce').textContent = announce
    ? answerLine(models.tasks, probabilities, labelsOf, models.ageGrouping)
    : '';
  $<HTMLButtonElement>('compare').disabled = $<HTMLButtonElement>('save-labelled').disabled = false;
}

/**
 * "Save with labels": the photo with its faces found and labelled drawn on it; with none (no detector,
 * no face found, a sample), the square on screen with its answer.
 */
async function save(): Promise<void> {
  if (!models || !current) return;
  const faces = faceMarks.labelled();
  const { face, probabilities } = current;
  const square = {
    crop: face.crop,
    text: briefAnswer(models.tasks, probabilities, labelsOf, models.ageGrouping).short,
  };
  await saveLabelled(face, faces.length > 0 ? faces : [square]).catch((error: unknown) =>
    showError($('results'), error),
  );
}

/** "Compare with server" for the face answered on screen; the button waits until it is done. */
async function compare(): Promise<void> {
  if (!models || !current) return;
  const ticket = shown;
  const button = $<HTMLButtonElement>('compare');
  button.disabled = true;
  const url = $<HTMLInputElement>('server-url').value;
  try {
    localStorage.setItem('facekit.server', url);
  } catch {
    // Storage refused (a private window's quota, say): the URL is not remembered; the comparison runs.
  }
  try {
    await compareWithServer(
      {
        models,
        ...current,
        url,
        sendPhoto: $<HTMLSelectElement>('send-as').value !== 'pixels',
        // One face throughout: an answer that comes back after another face (or square) is shown is dropped.
        stale: () => ticket !== shown,
      },
      $('comparison'),
    );
  } finally {
    // Still the face that was compared: another may have been picked meanwhile, and waits for its run.
    button.disabled = current === null;
  }
}

const live = new LiveLabels(
  $<HTMLVideoElement>('webcam'),
  $<HTMLCanvasElement>('webcam-overlay'),
  $('live-status'),
  $<HTMLInputElement>('live-toggle'),
  () => models ?? (modelsFailed === null ? null : { failed: modelsFailed }),
);

function wirePage(): void {
  wireSources({
    onWebcam: (on) => live.cameraOn(on),
    onReading: reading,
    onFace: showFace,
    onError: clearFace,
    onSourceError: sourceError,
    onSourceAttempt: hideSourceError,
  });
  $('compare-form').addEventListener('submit', (e) => (e.preventDefault(), void compare()));
  $('save-labelled').addEventListener('click', () => void save());
  $<HTMLInputElement>('server-url').value =
    params.get('server') ?? localStorage.getItem('facekit.server') ?? DEFAULT_SERVER_URL;
}

wirePage();
loadBrowserModels(new URL('models/', document.baseURI), want, threadsAsked.threads, (m) =>
  setStatus(`Loading models: ${m}…`, 'loading'),
)
  .then((loaded) => {
    models = loaded;
    const { version, wasmThreads } = loaded.runtime;
    const threads =
      loaded.provider === 'wasm'
        ? `, ${wasmThreads} thread${wasmThreads === 1 ? '' : 's'}${threadsShortfall(threadsAsked.threads, wasmThreads, crossOriginIsolated)}${threadsAsked.note}`
        : '';
    const runs = [...new Set(loaded.tasks.map((t) => loaded.manifest.models[t]!.training.runId))].join(', ');
    setStatus(
      `Ready: ${loaded.tasks.join(', ')} (run ${runs}) on onnxruntime-web ${version} · ${loaded.provider}${threads}`,
      'ready',
    );
    $('runtime').textContent = `onnxruntime-web ${loaded.provider} (${loaded.reason})${unknownEp}`;
    document.body.dataset.provider = loaded.provider;
    // A face picked while the models loaded waits on screen for its search and answer.
    if (onScreen) void (searched ? classify(onScreen) : placeAndClassify(onScreen));
  })
  .catch((error: unknown) => {
    modelsFailed = (error as Error).message;
    // WebGPU pinned where it cannot run: say how to run on wasm instead.
    const instead = want === 'webgpu' ? ' (open the page with ?ep=wasm to run on the CPU)' : '';
    setStatus(`Cannot load the models: ${modelsFailed}${unknownEp}${instead}`, 'error');
    // A photo waiting for its search will not get one: said, not left "searching once the models are in".
    if (onScreen && !searched) $('detection').textContent = NOT_SEARCHED;
    if (onScreen) void classify(onScreen);
  });
