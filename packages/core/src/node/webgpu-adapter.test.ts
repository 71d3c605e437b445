import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dawnAdapter, webgpuSkipReason } from './webgpu-adapter.js';

describe('webgpuSkipReason', () => {
  it('asks a child process and answers as the adapter Dawn finds in this one', async () => {
    // The test setup shows Dawn Chromium's SwiftShader where no GPU is present (CI: always).
    const reason = await webgpuSkipReason();
    const adapter = await dawnAdapter().catch(() => null);
    if (!adapter) expect(reason).toMatch(/^Dawn found no WebGPU adapter \(no GPU/);
    else if (adapter.software)
      expect(reason).toBe(
        `the only WebGPU adapter is a software one (${adapter.description}), far slower than the CPU; ask for webgpu by name to use it anyway`,
      );
    else expect(reason).toBeUndefined();
  });

  it('says why there is none, with what Dawn printed, when no driver is offered', async () => {
    // A fresh process whose Vulkan loader is given no driver at all.
    const script = `import { webgpuSkipReason } from ${JSON.stringify(new URL('./webgpu-adapter.ts', import.meta.url).href)};
console.log(await webgpuSkipReason());`;
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { env: { ...process.env, VK_DRIVER_FILES: '/nonexistent.json', VK_ADD_DRIVER_FILES: '' } },
    );
    expect(stdout).toMatch(/^Dawn found no WebGPU adapter \(no GPU, or no Vulkan\/Metal\/D3D12 driver\)/);
    expect(stdout).toContain(
      'Dawn said: Warning: loader_get_json: Failed to open JSON file /nonexistent.json',
    );
    expect(stderr).toBe('');
  });
});
