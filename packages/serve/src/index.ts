/**
 * @facekit/serve — the GraphQL classify API over onnxruntime-node. Start it with `startServer`; the
 * provider registry, micro-batcher and image decoding are exported for the GPU check and benchmarks.
 */
export { startServer, modelsDir, type RunningServer, type StartHooks } from './server.js';
export { DEFAULT_OPTIONS, HELP, parseServeArgs, type ServeOptions } from './options.js';
export {
  ProviderRegistry,
  NoProviderError,
  type ProviderEntry,
  type ProviderAttempt,
  type ProviderChoice,
} from './provider-registry.js';
export {
  onnxProviderRegistry,
  bindModels,
  type BoundModels,
  type BoundFile,
  type FileOutputs,
  type SessionSettings,
} from './onnx-providers.js';
export { bindModelsOffThread } from './inference-thread.js';
export { InferenceEngine, type FaceJob, type FaceResult } from './inference.js';
export { MicroBatcher, type BatcherOptions } from './batcher.js';
export { imageToFace, decodeBase64 } from './decode-image.js';
export { ServeError, type ServeErrorCode } from './errors.js';
export { Logger, memoryLogger } from './logger.js';
