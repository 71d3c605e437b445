/**
 * @facekit/core — the contract every package shares. Browser-safe: no Node built-ins.
 */
export * from './errors.js';
export * from './age-groups.js';
export * from './tasks.js';
export * from './pixels.js';
export * from './preprocess.js';
export * from './image-format.js';
export * from './interpret.js';
export * from './json-fields.js';
export * from './manifest.js';
export * from './sha256.js';
export * from './webgpu-adapter-info.js';
export * from './face-detection.js';
export * from './boxes.js';
export * from './label-bands.js';
