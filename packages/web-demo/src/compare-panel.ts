/**
 * "Compare with server" for one face: send the GraphQL server's `classify` the photo with its square
 * (or the 48×48 grey levels) and show both answers per task, the largest probability difference and
 * whether both sides saw the same input. Where the two image decoders round a photo's colours a grey
 * level or two apart, the browser also runs the server's input, so the runtimes are judged on one
 * input. The request's `stale()` says another face is on screen now: its answer is then dropped.
 */
import type { Task } from '@facekit/core';
import type { BrowserModels } from './browser-models.js';
import { isCentreSquare, serverFile, type Face } from './face-sources.js';
import { difference } from './format.js';
import { comparisonTable, el, errorMessage } from './render.js';
import {
  agreementTolerance,
  classifyOnServer,
  compareAnswers,
  cropInput,
  pixelDifference,
  type ServerInput,
} from './server-compare.js';

export interface CompareRequest {
  readonly models: BrowserModels;
  readonly face: Face;
  /** The browser's answer for the face. */
  readonly probabilities: Map<Task, Float32Array>;
  /** The GraphQL URL. */
  readonly url: string;
  /** The photo with its square (true), or the grey levels. */
  readonly sendPhoto: boolean;
  readonly stale: () => boolean;
}

/** Asks the server and shows the comparison (or why there is none) in `out`; never rejects. */
export async function compareWithServer(request: CompareRequest, out: HTMLElement): Promise<void> {
  const { models, face, probabilities, url, sendPhoto, stale } = request;
  out.replaceChildren(el('p', { class: 'muted' }, 'Asking the server…'));
  try {
    const input: ServerInput = sendPhoto
      ? {
          photo: await serverFile(face),
          ...(isCentreSquare(face) ? {} : { crop: cropInput(face.crop) }),
        }
      : { pixels: Array.from(face.pixels) };
    const answer = await classifyOnServer(url, input);
    if (stale()) return;
    const labels = (t: Task) => models.manifest.models[t]!.labels;
    const pixels = pixelDifference(face.pixels, answer.inputPixels);
    let judged = probabilities;
    let inputs =
      pixels.differing === 0
        ? 'the same 48×48 input'
        : `inputs differ in ${pixels.differing} grey levels (by up to ${pixels.maxDelta})`;
    // Two image decoders (the browser's and sharp's) may round a JPEG's colours a grey level apart: the
    // runtimes are then judged on one input, the browser running the server's too. Grey levels sent as
    // they are, or inputs further apart, are a real difference and judged as they stand.
    const decoderRounding =
      sendPhoto &&
      pixels.differing > 0 &&
      pixels.maxDelta <= 2 &&
      answer.inputPixels.length === face.pixels.length;
    if (decoderRounding) {
      judged = (await models.run(Uint8Array.from(answer.inputPixels))).probabilities;
      if (stale()) return;
      const own = compareAnswers(probabilities, labels, answer);
      const ownWorst = Math.max(...own.map((r) => r.maxDiff));
      inputs =
        `the server's 48×48 input differs in ${pixels.differing} grey levels (by up to ${pixels.maxDelta}: ` +
        `its image decoder rounds differently), so the browser also ran the server's input, compared below; ` +
        `on its own input the labels ${own.every((r) => r.sameLabel) ? 'are the same' : 'differ'} ` +
        `and the probabilities differ by up to ${difference(ownWorst)}`;
    }
    const rows = compareAnswers(judged, labels, answer);
    const tolerance = agreementTolerance(models.provider, answer.provider);
    const worst = Math.max(...rows.map((r) => r.maxDiff));
    out.replaceChildren(
      comparisonTable(rows, tolerance, models.ageGrouping),
      el(
        'p',
        { class: 'muted' },
        `Server ran on ${answer.provider}, given ${answer.source === 'image' ? 'the photo' : 'the grey levels'}; ${inputs}; largest difference ${difference(worst)}.`,
      ),
    );
  } catch (error) {
    if (stale()) return;
    const refused =
      sendPhoto && /INVALID_IMAGE|IMAGE_TOO_LARGE|PAYLOAD_TOO_LARGE/.test((error as Error).message);
    out.replaceChildren(
      errorMessage(
        refused
          ? new Error(
              `${(error as Error).message} — send "the 48×48 grey levels" to compare this face anyway.`,
            )
          : error,
      ),
    );
  }
}
