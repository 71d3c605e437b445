/**
 * The `webgpu` training backend: @tensorflow/tfjs-backend-webgpu on Dawn through the `webgpu` npm
 * package. tfjs's backend looks for `navigator.gpu`, which Node lacks, so we ask Dawn for an adapter
 * first and only then install `navigator.gpu` and the WebGPU globals (GPUBufferUsage, …) and import
 * the backend. Without an adapter (no GPU, or no Vulkan/Metal/D3D12 driver) nothing global is changed.
 */
import { activateTfBackend } from './activate.js';
import type { BackendEntry } from './registry.js';

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
    const { create, globals } = await import('webgpu');
    const gpu = create([]);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('Dawn found no WebGPU adapter (no GPU, or no Vulkan/Metal/D3D12 driver)');
    Object.assign(globalThis, globals);
    installNavigatorGpu(gpu);
    await import('@tensorflow/tfjs-backend-webgpu');
    await activateTfBackend('webgpu');
  },
};
