/**
 * The `webgpu` training backend: @tensorflow/tfjs-backend-webgpu on Dawn through the `webgpu` npm
 * package. tfjs's backend looks for `navigator.gpu`, which Node lacks, so we ask Dawn for an adapter
 * first and only then install `navigator.gpu` and the WebGPU globals (GPUBufferUsage, …) and import
 * the backend, whose filter-gradient kernel we replace (webgpu-conv2d-backprop-filter.ts) and to which
 * we add a fused Adam step (webgpu-adam.ts; the batch trainer switches the optimizer to it). Without an
 * adapter (no GPU, or no Vulkan/Metal/D3D12 driver) nothing global is changed.
 * A software adapter (SwiftShader, llvmpipe) is passed over by the automatic choice — wasm is far
 * faster — but serves `--backend webgpu`, which is how the tests run this backend without a GPU.
 */
import { dawnAdapter, webgpuSkipReason } from '@facekit/core/node';
import { activateTfBackend } from './activate.js';
import type { BackendEntry } from './registry.js';
import { installKernels } from './kernel-install.js';
import { adamStepConfig } from './webgpu-adam.js';
import { chunkedConv2DBackpropFilter } from './webgpu-conv2d-backprop-filter.js';

function installNavigatorGpu(gpu: object): void {
  const g = globalThis as { navigator?: object };
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  }
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
}

export const webgpuBackend: BackendEntry = {
  name: 'webgpu',
  priority: 3,
  async init() {
    const { gpu, globals } = await dawnAdapter();
    Object.assign(globalThis, globals);
    installNavigatorGpu(gpu);
    const { webgpu_util } = await import('@tensorflow/tfjs-backend-webgpu');
    installKernels('webgpu', [adamStepConfig(webgpu_util)], {
      Conv2DBackpropFilter: chunkedConv2DBackpropFilter(webgpu_util),
    });
    await activateTfBackend('webgpu');
  },
  autoSkipReason: webgpuSkipReason,
};
