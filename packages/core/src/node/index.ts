/**
 * @facekit/core/node — the Node-only half of the contract (file system, node:crypto), kept out of the
 * main entry so that `@facekit/core` stays browser-safe. Import it from servers, CLIs and tests.
 */
// First: onnxruntime-node's telemetry is turned off before any session of the process is made.
export * from './onnxruntime-telemetry.js';
export * from './atomic-file.js';
export * from './csv-text.js';
export * from './data-path.js';
export * from './launcher-gone.js';
export * from './load-models.js';
export * from './onnx-inspect.js';
export * from './percentile.js';
export * from './photo-files.js';
export * from './script-args.js';
export * from './webgpu-adapter.js';
export * from './worker-url.js';
