/**
 * @facekit/serve — the GraphQL classify API over onnxruntime-node. Start it with `startServer`; its
 * options and help text, `imageToFace` (a photo to the 48×48 grey levels the server feeds the models,
 * which the export's robustness check and `pnpm evaluate --photos` use), `openPhotoClassifier` (the
 * server's photo answers in process, without a server: `pnpm classify`) and `PhotoFaceFinder` (the
 * faces it finds, which `pnpm evaluate --photos --detect` judges) are the rest of its API.
 */
export { startServer, type RunningServer, type StartHooks } from './server.js';
export { DEFAULT_OPTIONS, HELP, parseServeArgs, type ServeOptions } from './options.js';
export { fileTooLarge, imageToFace } from './decode-image.js';
export {
  openPhotoClassifier,
  PhotoClassifier,
  type ClassifyPhotoOptions,
  type FoundFace,
  type PhotoAnswer,
  type PhotoClassification,
  type PhotoClassifierOptions,
  type SquareFace,
} from './photo-classifier.js';
export { PhotoFaceFinder, type FacesInPhotoFile } from './photo-faces.js';
export type { FaceAnswer, FaceSquare, TaskAnswer } from './face-answer.js';
export { ServeError, type ServeErrorCode } from './errors.js';
