/**
 * The `wasm` training backend: @tensorflow/tfjs-backend-wasm (XNNPACK, SIMD) running in Node. Its
 * .wasm binaries are located from the installed package (not the bundle's guess), and the kernels
 * training needs that it lacks are registered (see wasm-kernels.ts) before the backend is activated.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { activateTfBackend } from './activate.js';
import type { BackendEntry } from './registry.js';
import { registerWasmTrainingKernels } from './wasm-kernels.js';

/**
 * The folder holding tfjs-backend-wasm's .wasm files, with a trailing slash as setWasmPaths wants:
 * $FACEKIT_TFJS_WASM_DIR when set (a bundled copy of the toolkit), else the installed package's.
 */
export function wasmBinaryDir(): string {
  const dir = process.env.FACEKIT_TFJS_WASM_DIR;
  if (dir) return dir.endsWith('/') ? dir : `${dir}/`;
  const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  return `${dirname(main)}/`;
}

export const wasmBackend: BackendEntry = {
  name: 'wasm',
  priority: 2,
  async init() {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmBinaryDir());
    registerWasmTrainingKernels();
    await activateTfBackend('wasm');
  },
};
