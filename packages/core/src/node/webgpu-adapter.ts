/**
 * What WebGPU adapter Dawn (the `webgpu` npm package) finds on this machine, asked once per process.
 * Both GPU routes consult it: tfjs's `webgpu` training backend runs on this very adapter, and
 * onnxruntime-node's `webgpu` provider, whose own Dawn enumerates the same Vulkan devices, would pick
 * the same one. A software adapter (SwiftShader, llvmpipe/lavapipe: Dawn marks them as fallback
 * adapters) runs WebGPU on the CPU, hundreds of times slower than the CPU backends, so automatic
 * choices pass over it; it is still used when asked for by name (the test suites do, on Chromium's
 * SwiftShader, to run the WebGPU code paths on machines without a GPU).
 */

import { execFile } from 'node:child_process';
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

/** What a Dawn started in a child process found: its adapter's info (null: none), and what it printed. */
interface ProbedAdapter {
  readonly info: AdapterInfo | null;
  /** Dawn's and the Vulkan loader's own lines on stderr, which no one in this process sees. */
  readonly said: readonly string[];
}

const PROBE = `const { create } = await import(process.argv[1]);
const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
const i = adapter?.info;
process.stdout.write(JSON.stringify(i ? { vendor: i.vendor, architecture: i.architecture, device: i.device,
  description: i.description, isFallbackAdapter: i.isFallbackAdapter } : null));
process.exit(0);`;

let probed: Promise<ProbedAdapter | undefined> | undefined;

/**
 * Asks Dawn for its adapter in a child process (≈ 0.2 s), so that on a machine without a GPU the native
 * lines Dawn and the Vulkan loader write to stderr ("XDG_RUNTIME_DIR is invalid", "Vulkan … required")
 * are kept for the skip reason instead of heading every command's output. Undefined when the probe
 * itself cannot run; the caller then asks in this process.
 */
function probeAdapter(): Promise<ProbedAdapter | undefined> {
  probed ??= new Promise((resolve) => {
    let url: string;
    try {
      url = import.meta.resolve('webgpu');
    } catch {
      return resolve(undefined);
    }
    execFile(
      process.execPath,
      ['--input-type=module', '-e', PROBE, url],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) return resolve(undefined);
        try {
          // Dawn's lines and their context, without source locations or the Wayland client's
          // complaint that XDG_RUNTIME_DIR is unset (it has no display to find, which is moot here).
          const said = stderr
            .split('\n')
            .map((l) => l.trim())
            .filter((l) => l && !l.startsWith('at ') && !l.includes('XDG_RUNTIME_DIR'));
          resolve({ info: JSON.parse(stdout) as AdapterInfo | null, said: [...new Set(said)] });
        } catch {
          resolve(undefined);
        }
      },
    );
  });
  return probed;
}

/**
 * Why an automatic choice should pass over the WebGPU route here — no adapter, or only a software
 * one — or undefined when it need not (a hardware adapter; or the probe could not run, and then the
 * route's own start says what it finds). Asked of a child process, so nothing is printed here.
 */
export async function webgpuSkipReason(): Promise<string | undefined> {
  const probe = await probeAdapter();
  if (!probe) return undefined;
  if (!probe.info) {
    const said = probe.said.length > 0 ? `; Dawn said: ${probe.said.join(' ')}` : '';
    return `Dawn found no WebGPU adapter (no GPU, or no Vulkan/Metal/D3D12 driver)${said}`;
  }
  if (!isSoftwareAdapter(probe.info)) return undefined;
  return `the only WebGPU adapter is a software one (${describeAdapter(probe.info)}), far slower than the CPU; ask for webgpu by name to use it anyway`;
}
