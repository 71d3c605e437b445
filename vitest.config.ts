import { defineConfig } from 'vitest/config';

// One runner for the whole workspace: unit tests beside the code, cross-package suites in tests/.
// Native addons (onnxruntime-node, sharp, tfjs-backend-wasm) are happiest in forked processes.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
