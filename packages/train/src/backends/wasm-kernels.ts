/**
 * The kernels we add to tfjs-backend-wasm for training, registered through tfjs's kernel registry.
 * Each is checked against the cpu backend's gradients in gradients.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig } from './wasm-conv2d-backprop-filter.js';

export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [conv2dBackpropFilterConfig];

/** Registers the kernels above for the wasm backend (once; later calls do nothing). */
export function registerWasmTrainingKernels(): void {
  for (const config of WASM_TRAINING_KERNELS) {
    if (!tf.getKernel(config.kernelName, config.backendName)) tf.registerKernel(config);
  }
}
