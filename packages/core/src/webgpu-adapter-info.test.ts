import { describe, expect, it } from 'vitest';
import { describeAdapter, isSoftwareAdapter } from './webgpu-adapter-info.js';

describe('WebGPU adapter description', () => {
  it('names an adapter from whichever fields Dawn filled', () => {
    expect(describeAdapter({ vendor: 'nvidia', description: 'NVIDIA H200' })).toBe('nvidia: NVIDIA H200');
    expect(describeAdapter({ vendor: 'google', architecture: 'swiftshader', device: 'subzero' })).toBe(
      'google: swiftshader subzero',
    );
    expect(describeAdapter({})).toBe('unnamed adapter');
  });

  it('tells software adapters (fallback, or a CPU rasteriser by name) from GPUs', () => {
    // SwiftShader as Dawn reports it; lavapipe by its device name; an NVIDIA GPU.
    expect(
      isSoftwareAdapter({
        vendor: 'google',
        architecture: 'swiftshader',
        description: 'SwiftShader driver 5.0.0',
        isFallbackAdapter: true,
      }),
    ).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ isFallbackAdapter: true })).toBe(true);
    expect(
      isSoftwareAdapter({
        vendor: 'nvidia',
        architecture: 'hopper',
        description: 'NVIDIA H200',
        isFallbackAdapter: false,
      }),
    ).toBe(false);
  });
});
