/**
 * How we give a tfjs backend our training kernels, through tfjs's kernel registry: kernels it lacks
 * (or that we add), and overrides — ours built around the backend's own kernel, which they call for
 * the cases they do not take. Installing is idempotent: a kernel already ours is left alone, so
 * initialising a backend twice wraps nothing twice. Used by the wasm and webgpu backends.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';

/** Given the backend's own kernel, returns ours (which may call it). */
export type KernelOverride = (original: KernelFunc) => KernelFunc;

const ours = new Set<KernelFunc>();

function install(config: KernelConfig): void {
  const existing = tf.getKernel(config.kernelName, config.backendName);
  if (existing && ours.has(existing.kernelFunc)) return;
  if (existing) tf.unregisterKernel(config.kernelName, config.backendName);
  ours.add(config.kernelFunc);
  tf.registerKernel({ ...existing, ...config });
}

/** Registers `kernels` and wraps the backend's own kernels in `overrides` (once; later calls do nothing). */
export function installKernels(
  backendName: string,
  kernels: readonly KernelConfig[],
  overrides: Readonly<Record<string, KernelOverride>> = {},
): void {
  for (const config of kernels) install(config);
  for (const [kernelName, override] of Object.entries(overrides)) {
    const original = tf.getKernel(kernelName, backendName);
    if (!original) throw new Error(`the ${backendName} backend has no ${kernelName} kernel to improve on`);
    if (ours.has(original.kernelFunc)) continue;
    install({ ...original, kernelFunc: override(original.kernelFunc) });
  }
}
