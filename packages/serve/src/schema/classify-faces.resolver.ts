/**
 * The `classifyFaces` mutation: a whole photo in, every face in it out — found by the face detector on
 * its own thread (detector-thread.ts), each face's square reduced to 48×48 there, and all the faces of
 * the photo handed to the engine together so they share one run. The photo (base64 `image`, or a
 * `photo` file part of a multipart request) is checked by the same `decodePhoto` as classify's photos
 * and decoded once, on the detector's thread; a client that leaves has its photo dropped before
 * decoding, or its faces left unrun.
 */
import { Arg, Ctx, Float, Int, Mutation, Resolver } from 'type-graphql';
import { DETECTION_DEFAULTS, type Task } from '@facekit/core';
import { decodePhoto } from '../decode-image.js';
import type { PhotoFaces } from '../detector-thread.js';
import { errorCode, ServeError } from '../errors.js';
import { answerFoundFace } from '../face-answer.js';
import type { UploadedFile } from '../multipart-request.js';
import { checkDetectOptions } from '../photo-faces.js';
import type { ServeContext, ServerState } from '../state.js';
import { toClassification } from './classification.type.js';
import {
  chooseTasks,
  countUnrun,
  modelsByTask,
  readyEngine,
  TASKS_DESCRIPTION,
} from './classify.resolver.js';
import { FacesInPhoto } from './faces.type.js';
import { TaskEnum } from './task.enum.js';
import { UploadScalar } from './upload.scalar.js';

/** Refuses before decoding when there is no detector to search the photo with. */
function checkDetector(state: ServerState): void {
  const unavailable = state.detector.unavailable();
  if (unavailable)
    throw new ServeError('DETECTOR_UNAVAILABLE', 'classifyFaces', state.forClients(unavailable)!, 503);
}

/** The photo to search, base64 `image` or the `photo` file, and the field that names it: exactly one. */
function chooseFile(
  image: string | null | undefined,
  photo: UploadedFile | null | undefined,
): ['image', string] | ['photo', Buffer] {
  // An argument left out arrives as undefined, one sent as null as null: both are not given.
  if (image != null && photo == null) return ['image', image];
  if (photo != null && image == null) return ['photo', photo.bytes];
  const got = image == null ? 'none' : 'both';
  throw new ServeError('INVALID_INPUT', 'classifyFaces', `give exactly one of image or photo (got ${got})`);
}

/** Ends a request whose client has left, counting the photo dropped undecoded or the faces left unrun. */
function stopIfGone(signal: AbortSignal, state: ServerState, found: PromiseSettledResult<PhotoFaces>): void {
  if (!signal.aborted) return;
  if (found.status === 'rejected' && errorCode(found.reason) === 'CLIENT_GONE')
    state.metrics.abandoned.inc({ stage: 'decode' });
  if (found.status === 'fulfilled') state.metrics.abandoned.inc({ stage: 'run' }, found.value.faces.length);
  throw signal.reason;
}

@Resolver()
export class ClassifyFacesResolver {
  @Mutation(() => FacesInPhoto, {
    description:
      'Find the faces in a photo and classify each (one run for all of them). Needs the face detector (health.detector); answers DETECTOR_UNAVAILABLE without one.',
  })
  async classifyFaces(
    @Arg('image', () => String, {
      nullable: true,
      description:
        "A photo as base64 (or a data: URL): PNG, JPEG or WebP, within the same limits as classify's image. Give this or `photo`.",
    })
    image: string | null,
    @Arg('photo', () => UploadScalar, {
      nullable: true,
      description: 'The photo as a file part of a multipart request, instead of `image`: no base64.',
    })
    photo: UploadedFile | null,
    @Arg('tasks', () => [TaskEnum], { nullable: true, description: TASKS_DESCRIPTION }) tasks: Task[] | null,
    @Arg('minScore', () => Float, {
      nullable: true,
      defaultValue: DETECTION_DEFAULTS.minScore,
      description: 'Lowest detector score a face is kept at: above 0, at most 1.',
    })
    minScore: number | null,
    @Arg('maxFaces', () => Int, {
      nullable: true,
      defaultValue: DETECTION_DEFAULTS.maxFaces,
      description: `Most faces answered, best first: 1 to --max-batch-items (health.limits.maxBatchItems); the default, ${DETECTION_DEFAULTS.maxFaces}, means that limit where it is lower.`,
    })
    maxFaces: number | null,
    @Arg('closeLook', () => Boolean, {
      nullable: true,
      defaultValue: DETECTION_DEFAULTS.closeLook,
      description:
        'Also search a photo larger than 256 px in tiles, for faces too small to be found in the whole photo (under about an eighth of its longer side); only the tiles where the whole photo hints at a small face, up to four. Off: one or two detector runs a photo, and small faces missed.',
    })
    closeLook: boolean | null,
    @Ctx() { state, signal }: ServeContext,
  ): Promise<FacesInPhoto> {
    const engine = readyEngine(state, 'classifyFaces');
    const { maxBatchItems } = state.options;
    // The default (which arrives as given) means the limit on a server with --max-batch-items under it.
    const asked = maxFaces ?? DETECTION_DEFAULTS.maxFaces;
    const options = {
      minScore: minScore ?? DETECTION_DEFAULTS.minScore,
      maxFaces: asked === DETECTION_DEFAULTS.maxFaces ? Math.min(asked, maxBatchItems) : asked,
      closeLook: closeLook ?? DETECTION_DEFAULTS.closeLook,
    };
    checkDetectOptions(options, maxBatchItems);
    const chosen = chooseTasks(tasks, engine);
    const [field, file] = chooseFile(image, photo);
    checkDetector(state);
    const [found] = await Promise.allSettled([
      decodePhoto(file, field, state.options, (checked) => state.detector.detect(checked, options), signal),
    ]);
    stopIfGone(signal, state, found!);
    if (found!.status === 'rejected') throw found!.reason;
    const { width, height, faces, pixels, seconds } = found!.value;
    state.metrics.facesPerPhoto.observe(faces.length);
    state.metrics.detectionSeconds.observe(seconds);
    if (faces.length > 0) state.metrics.faces.inc({ source: 'detected' }, faces.length);
    const runs = await Promise.allSettled(
      engine.classifyAll(
        pixels.map((p) => ({ pixels: p, tasks: chosen })),
        signal,
      ),
    );
    countUnrun(state, runs);
    const failed = runs.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const models = modelsByTask(state);
    return {
      width,
      height,
      faces: faces.map((face, i) => {
        const result = (runs[i] as PromiseFulfilledResult<Parameters<typeof toClassification>[0]>).value;
        return answerFoundFace(
          face,
          toClassification(result, models, engine.provider, pixels[i]!, 'detected'),
        );
      }),
    };
  }
}
