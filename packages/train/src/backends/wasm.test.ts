import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../../../tests/support/temp-folder.js';
import { wasmBinaryDir } from './wasm.js';

describe('wasmBinaryDir', () => {
  it("is the installed package's folder, or $FACEKIT_TFJS_WASM_DIR's when it holds the binaries", () => {
    const installed = wasmBinaryDir({});
    expect(installed).toMatch(/tfjs-backend-wasm\/dist\/$/);
    expect(wasmBinaryDir({ FACEKIT_TFJS_WASM_DIR: installed.slice(0, -1) })).toBe(installed);
  });

  it('names $FACEKIT_TFJS_WASM_DIR when it holds none of them (tfjs said only that wasm failed)', async () => {
    const empty = await tempFolder('facekit-wasm-');
    expect(() => wasmBinaryDir({ FACEKIT_TFJS_WASM_DIR: empty })).toThrow(
      `FACEKIT_TFJS_WASM_DIR=${empty}: holds none of tfjs-backend-wasm.wasm, tfjs-backend-wasm-simd.wasm, tfjs-backend-wasm-threaded-simd.wasm (the folder of tfjs-backend-wasm's binaries)`,
    );
  });
});
