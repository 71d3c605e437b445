/**
 * The kernels we give tfjs-backend-wasm for training, through tfjs's kernel registry: ones it lacks
 * (Conv2DBackpropFilter) and faster replacements for ones it runs slowly (Conv2DBackpropInput,
 * MaxPoolGrad, and the overrides in wasm-overrides.ts). Each is checked against the cpu backend's
 * gradients in gradients.test.ts. Registration must happen before the backend initialises: a
 * replaced kernel keeps the original's setup function, which the backend runs at init.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig } from './wasm-conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './wasm-conv2d-backprop-input.js';
import { maxPoolGradConfig } from './wasm-max-pool-grad.js';
import { WASM_KERNEL_OVERRIDES } from './wasm-overrides.js';

const KERNELS: readonly KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  maxPoolGradConfig,
];

/** Names of the wasm kernels this module registers or replaces. */
export const WASM_TRAINING_KERNEL_NAMES: readonly string[] = [
  ...KERNELS.map((k) => k.kernelName),
  ...Object.keys(WASM_KERNEL_OVERRIDES),
];

const ours = new Set<KernelConfig['kernelFunc']>();

function install(config: KernelConfig): void {
  const existing = tf.getKernel(config.kernelName, 'wasm');
  if (existing && ours.has(existing.kernelFunc)) return;
  if (existing) tf.unregisterKernel(config.kernelName, 'wasm');
  ours.add(config.kernelFunc);
  tf.registerKernel({ ...existing, ...config });
}

/** Registers our wasm kernels (once; later calls do nothing). */
export function registerWasmTrainingKernels(): void {
  for (const config of KERNELS) install(config);
  for (const [kernelName, override] of Object.entries(WASM_KERNEL_OVERRIDES)) {
    const original = tf.getKernel(kernelName, 'wasm');
    if (!original) throw new Error(`the wasm backend has no ${kernelName} kernel to improve on`);
    if (ours.has(original.kernelFunc)) continue;
    install({ ...original, kernelFunc: override(original.kernelFunc) });
  }
}
