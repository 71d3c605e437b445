/**
 * What a WebGPU adapter is, from the `info` it reports (Dawn in Node, the browser's navigator.gpu):
 * its name, and whether it is a software rasteriser (SwiftShader, llvmpipe/lavapipe) rather than a GPU.
 * One rule for every automatic choice — training backend, serving provider, the web demo — that passes
 * over software adapters. Browser-safe.
 */

export interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe/i;

/** "vendor: description" of an adapter, from whichever of its info fields are filled. */
export function describeAdapter(info: AdapterInfo): string {
  const detail = info.description || [info.architecture, info.device].filter(Boolean).join(' ');
  return [info.vendor, detail].filter(Boolean).join(': ') || 'unnamed adapter';
}

/** Whether the adapter is a software one (a fallback adapter, or a known CPU rasteriser by name). */
export function isSoftwareAdapter(info: AdapterInfo): boolean {
  return (
    info.isFallbackAdapter === true ||
    SOFTWARE.test([info.architecture, info.device, info.description].join(' '))
  );
}
