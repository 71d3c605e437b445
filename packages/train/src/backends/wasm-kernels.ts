/**
 * The kernels we give tfjs-backend-wasm for training, through tfjs's kernel registry: ones it lacks
 * (Conv2DBackpropFilter, the two depthwise convolution gradients) and faster replacements for ones it runs slowly (Conv2DBackpropInput,
 * MaxPoolGrad, and the overrides in wasm-overrides.ts). Each is checked against the cpu backend's
 * gradients in gradients.test.ts. Registration must happen before the backend initialises: a
 * replaced kernel keeps the original's setup function, which the backend runs at init.
 */
import type { KernelConfig } from '@tensorflow/tfjs';
import { installKernels } from './kernel-install.js';
import { conv2dBackpropFilterConfig } from './wasm-conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './wasm-conv2d-backprop-input.js';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './wasm-depthwise-conv2d-grad.js';
import { maxPoolGradConfig } from './wasm-max-pool-grad.js';
import { WASM_KERNEL_OVERRIDES } from './wasm-overrides.js';

const KERNELS: readonly KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  maxPoolGradConfig,
];

/** Names of the wasm kernels this module registers or replaces. */
export const WASM_TRAINING_KERNEL_NAMES: readonly string[] = [
  ...KERNELS.map((k) => k.kernelName),
  ...Object.keys(WASM_KERNEL_OVERRIDES),
];

/** Registers our wasm kernels (once; later calls do nothing). */
export function registerWasmTrainingKernels(): void {
  installKernels('wasm', KERNELS, WASM_KERNEL_OVERRIDES);
}
