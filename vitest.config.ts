import { defineConfig } from 'vitest/config';

// One runner for the whole workspace: unit tests beside the code, cross-package suites in tests/.
// Native addons (onnxruntime-node, sharp, tfjs-backend-wasm) are happiest in forked processes.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    pool: 'forks',
    // The run's own temp folder, one per test file inside it, each checked empty when its file is done.
    globalSetup: ['tests/support/temp-run.ts'],
    // WebGPU suites run on Chromium's software Vulkan driver where no GPU is present.
    setupFiles: ['tests/support/software-gpu.ts', 'tests/support/temp-check.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
