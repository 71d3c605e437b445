/**
 * Vitest setup (every test process): lets Dawn — behind tfjs's `webgpu` training backend and
 * onnxruntime-node's `webgpu` provider — see the SwiftShader Vulkan driver that Debian's Chromium
 * ships, as one more adapter. So the suites run the WebGPU code paths (gradients against cpu,
 * multi-head training steps, provider parity) on a machine without a GPU; CI installs `chromium` and
 * the Vulkan loader `libvulkan1` for it. The automatic choices pass over a software adapter, and a real
 * GPU stays Dawn's high-performance pick. A driver list the user set is left alone;
 * FACEKIT_SWIFTSHADER_ICD points at another SwiftShader.
 */
import { existsSync } from 'node:fs';

const SWIFTSHADER_ICD = process.env.FACEKIT_SWIFTSHADER_ICD ?? '/usr/lib/chromium/vk_swiftshader_icd.json';

const VULKAN_DRIVER_VARIABLES = ['VK_DRIVER_FILES', 'VK_ICD_FILENAMES', 'VK_ADD_DRIVER_FILES'];

if (existsSync(SWIFTSHADER_ICD) && !VULKAN_DRIVER_VARIABLES.some((v) => process.env[v])) {
  // Read by the Vulkan loader when Dawn creates its instance, which happens later, on first use.
  process.env.VK_ADD_DRIVER_FILES = SWIFTSHADER_ICD;
}
