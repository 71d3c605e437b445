/**
 * The page's wiring: load the models, classify each face the source panel hands over (grey levels
 * from core's preprocessing of the square over the photo, which the user may move) in the browser,
 * show the model's view and the answers, and on request ask the GraphQL server the same question and
 * compare. Query parameters `ep` (auto | wasm | webgpu) and `server` (GraphQL URL) let tests and links
 * pin the runtime and the server.
 */
import type { Task } from '@facekit/core';
import { loadBrowserModels, ortVersion, wasmThreads, type BrowserModels } from './browser-models.js';
import { CropFrame } from './crop-frame.js';
import { drawGrey, isCentreSquare, recrop, sameCrop, type Face } from './face-sources.js';
import { difference } from './format.js';
import { comparisonTable, el, taskCard } from './render.js';
import {
  agreementTolerance,
  blobToBase64,
  classifyOnServer,
  compareAnswers,
  DEFAULT_SERVER_URL,
  pixelDifference,
  type ServerInput,
} from './server-compare.js';
import { loadSamples, wireSources } from './source-panel.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const want =
  params.get('ep') === 'wasm' || params.get('ep') === 'webgpu'
    ? (params.get('ep') as 'wasm' | 'webgpu')
    : 'auto';

let models: BrowserModels | null = null;
let current: { face: Face; probabilities: Map<Task, Float32Array> } | null = null;

function setStatus(text: string, state: 'loading' | 'ready' | 'error'): void {
  $('status').textContent = text;
  $('status').dataset.state = state;
}

function showError(where: HTMLElement, error: unknown): void {
  where.replaceChildren(el('p', { class: 'error' }, (error as Error).message ?? String(error)));
}

/** Counts faces shown, so that a slower run for an older face cannot overwrite a newer one's answer. */
let shown = 0;

/** The face whose photo is on screen (its square as last set), whether or not it is answered yet. */
let onScreen: Face | null = null;

const cropFrame = new CropFrame(
  $<HTMLImageElement>('photo'),
  $('crop'),
  $<HTMLInputElement>('crop-size'),
  $<HTMLButtonElement>('crop-reset'),
  (crop) => {
    if (!onScreen || sameCrop(crop, onScreen.crop)) return;
    void classify(recrop(onScreen, crop)).catch((error: unknown) => showError($('results'), error));
  },
);

/** A new photo: show it whole with its square, then classify that square. */
async function showFace(face: Face, truth = ''): Promise<void> {
  if (!models) return;
  const photo = $<HTMLImageElement>('photo');
  if (photo.src.startsWith('blob:')) URL.revokeObjectURL(photo.src);
  photo.src = URL.createObjectURL(face.blob);
  cropFrame.show(face.width, face.height, face.crop);
  $('truth').textContent = truth;
  await classify(face);
}

/** Classifies the face's square (a new photo, or the same photo with its square moved). */
async function classify(face: Face): Promise<void> {
  if (!models) return;
  const ticket = ++shown;
  onScreen = face;
  // The face on screen is no longer the one answered: nothing to compare until its own run is done.
  current = null;
  $<HTMLButtonElement>('compare').disabled = true;
  const square = isCentreSquare(face)
    ? 'centre square'
    : `square at (${face.crop.x}, ${face.crop.y}), side ${face.crop.size}`;
  $('photo-caption').textContent = `${face.name} · ${face.width}×${face.height} · ${square}`;
  drawGrey($<HTMLCanvasElement>('grey'), face.pixels);
  $('comparison').replaceChildren();
  const { probabilities, ms } = await models.run(face.pixels);
  if (ticket !== shown) return;
  current = { face, probabilities };
  const runs = models.files.length === 1 ? 'one run' : `${models.files.length} runs`;
  $('timing').textContent =
    `${models.tasks.length} tasks (${runs}) in ${ms.toFixed(1)} ms on ${models.provider}`;
  const grouping = models.manifest.models.age?.ageGrouping ?? 'six';
  const cards = models.tasks.map((task) =>
    taskCard(task, probabilities.get(task)!, models!.manifest.models[task]!.labels, grouping),
  );
  $('results').replaceChildren(...cards);
  $<HTMLButtonElement>('compare').disabled = false;
}

async function compare(): Promise<void> {
  if (!models || !current) return;
  // One face throughout, even if another is picked while the server answers.
  const { face, probabilities } = current;
  const out = $('comparison');
  const button = $<HTMLButtonElement>('compare');
  button.disabled = true;
  out.replaceChildren(el('p', { class: 'muted' }, 'Asking the server…'));
  try {
    const url = $<HTMLInputElement>('server-url').value;
    localStorage.setItem('facekit.server', url);
    const input: ServerInput =
      $<HTMLSelectElement>('send-as').value === 'pixels'
        ? { pixels: Array.from(face.pixels) }
        : {
            image: await blobToBase64(face.blob),
            ...(isCentreSquare(face) ? {} : { crop: face.crop }),
          };
    const answer = await classifyOnServer(url, input);
    const manifest = models.manifest;
    const rows = compareAnswers(probabilities, (t) => manifest.models[t]!.labels, answer);
    const tolerance = agreementTolerance(models.provider, answer.provider);
    const pixels = pixelDifference(face.pixels, answer.inputPixels);
    const same =
      pixels.differing === 0
        ? 'the same 48×48 input'
        : `inputs differ in ${pixels.differing} grey levels (by up to ${pixels.maxDelta})`;
    const worst = Math.max(...rows.map((r) => r.maxDiff));
    out.replaceChildren(
      comparisonTable(rows, tolerance, manifest.models.age?.ageGrouping ?? 'six'),
      el(
        'p',
        { class: 'muted' },
        `Server ran on ${answer.provider}, given ${answer.source === 'image' ? 'the photo' : 'the grey levels'}; ${same}; largest difference ${difference(worst)}.`,
      ),
    );
  } catch (error) {
    showError(out, error);
  } finally {
    // Still the face that was compared: another may have been picked meanwhile, and waits for its run.
    button.disabled = current === null;
  }
}

function wirePage(): void {
  const handlers = { onFace: showFace, onError: (error: unknown) => showError($('results'), error) };
  wireSources(handlers);
  void loadSamples(handlers);
  $('compare-form').addEventListener('submit', (e) => (e.preventDefault(), void compare()));
  $<HTMLInputElement>('server-url').value =
    params.get('server') ?? localStorage.getItem('facekit.server') ?? DEFAULT_SERVER_URL;
}

wirePage();
loadBrowserModels(new URL('models/', document.baseURI), want, (m) =>
  setStatus(`Loading models: ${m}…`, 'loading'),
)
  .then((loaded) => {
    models = loaded;
    const threads =
      loaded.provider === 'wasm' ? `, ${wasmThreads()} thread${wasmThreads() === 1 ? '' : 's'}` : '';
    const runs = [...new Set(loaded.tasks.map((t) => loaded.manifest.models[t]!.training.runId))].join(', ');
    setStatus(
      `Ready: ${loaded.tasks.join(', ')} (run ${runs}) on onnxruntime-web ${ortVersion()} · ${loaded.provider}${threads}`,
      'ready',
    );
    $('runtime').textContent = `onnxruntime-web ${loaded.provider} (${loaded.reason})`;
    document.body.dataset.provider = loaded.provider;
  })
  .catch((error: unknown) => setStatus(`Cannot load the models: ${(error as Error).message}`, 'error'));
