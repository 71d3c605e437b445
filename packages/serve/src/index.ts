/**
 * @facekit/serve — the GraphQL classify API over onnxruntime-node. Start it with `startServer`; its
 * options and help text, and `imageToFace` (a photo to the 48×48 grey levels the server feeds the
 * models, which the export's robustness check uses), are the rest of its API.
 */
export { startServer, type RunningServer, type StartHooks } from './server.js';
export { DEFAULT_OPTIONS, HELP, parseServeArgs, type ServeOptions } from './options.js';
export { imageToFace } from './decode-image.js';
export { ServeError, type ServeErrorCode } from './errors.js';
