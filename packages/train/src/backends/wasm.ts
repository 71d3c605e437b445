/**
 * The `wasm` training backend: @tensorflow/tfjs-backend-wasm (XNNPACK, SIMD) running in Node. Its
 * .wasm binaries are located from the installed package (not the bundle's guess), and the kernels
 * training needs that it lacks are registered (see wasm-kernels.ts) before the backend is activated.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { activateTfBackend } from './activate.js';
import type { BackendEntry } from './registry.js';
import { registerWasmTrainingKernels } from './wasm-kernels.js';

/** tfjs-backend-wasm's binaries: tfjs loads the one this Node's WebAssembly features call for. */
const WASM_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

/**
 * The folder holding tfjs-backend-wasm's .wasm files, with a trailing slash as setWasmPaths wants:
 * $FACEKIT_TFJS_WASM_DIR when set (a bundled copy of the toolkit), else the installed package's.
 */
export function wasmBinaryDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.FACEKIT_TFJS_WASM_DIR;
  if (dir) {
    // Checked here: tfjs says only that the backend failed, over lines about serving files to a page.
    if (!WASM_FILES.some((file) => existsSync(join(dir, file))))
      throw new Error(
        `FACEKIT_TFJS_WASM_DIR=${dir}: holds none of ${WASM_FILES.join(', ')} (the folder of tfjs-backend-wasm's binaries)`,
      );
    return dir.endsWith('/') ? dir : `${dir}/`;
  }
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
