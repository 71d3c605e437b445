/**
 * What WebGPU adapter Dawn (the `webgpu` npm package) finds on this machine, asked once per process.
 * Both GPU routes consult it: tfjs's `webgpu` training backend runs on this very adapter, and
 * onnxruntime-node's `webgpu` provider, whose own Dawn enumerates the same Vulkan devices, would pick
 * the same one. A software adapter (SwiftShader, llvmpipe/lavapipe: Dawn marks them as fallback
 * adapters) runs WebGPU on the CPU, hundreds of times slower than the CPU backends, so automatic
 * choices pass over it; it is still used when asked for by name (the test suites do, on Chromium's
 * SwiftShader, to run the WebGPU code paths on machines without a GPU).
 */

import { describeAdapter, isSoftwareAdapter, type AdapterInfo } from '../webgpu-adapter-info.js';

/** The adapter and the Dawn instance that found it. */
export interface DawnAdapter {
  /** Dawn's `navigator.gpu` equivalent, to install as `navigator.gpu` for tfjs. */
  readonly gpu: object;
  /** The WebGPU globals (GPUBufferUsage, …) tfjs-backend-webgpu expects. */
  readonly globals: object;
  /** e.g. "nvidia: NVIDIA H200" or "google: SwiftShader driver 5.0.0". */
  readonly description: string;
  /** A software rasteriser, not a GPU. */
  readonly software: boolean;
}

let found: Promise<DawnAdapter> | undefined;

/**
 * Dawn's high-performance adapter, or an error saying why there is none (no `webgpu` package for
 * this platform, no GPU, no Vulkan/Metal/D3D12 driver). Cached: Dawn is asked once per process.
 */
export function dawnAdapter(): Promise<DawnAdapter> {
  found ??= (async () => {
    const { create, globals } = await import('webgpu');
    const gpu = create([]);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('Dawn found no WebGPU adapter (no GPU, or no Vulkan/Metal/D3D12 driver)');
    const info = adapter.info as AdapterInfo;
    return { gpu, globals, description: describeAdapter(info), software: isSoftwareAdapter(info) };
  })();
  return found;
}

/**
 * Why an automatic choice should pass over the WebGPU route here, or undefined when it need not
 * (a hardware adapter, or no adapter at all — then the route's own start fails with its reason).
 */
export async function softwareAdapterReason(): Promise<string | undefined> {
  const adapter = await dawnAdapter().catch(() => undefined);
  if (!adapter?.software) return undefined;
  return `the only WebGPU adapter is a software one (${adapter.description}), far slower than the CPU; ask for webgpu by name to use it anyway`;
}
