/**
 * Under a container's CPU quota (mocked here: 3 CPUs' worth, whatever this machine's cores),
 * the photo decoder and onnxruntime are sized by the quota rather than the machine's cores; a
 * `--threads` given still wins.
 */
import { describe, expect, it, vi } from 'vitest';
import { startTestServer } from '../test/harness.js';
import { decodeSlots } from './decode-image.js';
import { onnxProviderRegistry, type SessionSettings } from './onnx-providers.js';

vi.mock('./cpu-quota.js', () => ({
  cgroupCpuQuota: () => 3,
  quotaCores: () => 3,
  usableCores: () => 3,
}));

async function sessionSettings(threads?: number): Promise<SessionSettings> {
  let seen: SessionSettings | undefined;
  const server = await startTestServer(threads === undefined ? {} : { intraOpThreads: threads }, {
    registry: (models, settings, fallback) => {
      seen = settings;
      return onnxProviderRegistry(models, settings, fallback);
    },
  });
  const listening = server.logs.find((l) => l.msg === 'listening');
  expect(listening?.cores).toMatchObject({ cpuQuota: 3 });
  await server.stop();
  return seen!;
}

describe("a container's CPU quota", () => {
  it('sizes the photo decoder and the intra-op threads, unless --threads says otherwise', async () => {
    expect(decodeSlots).toBe(3);
    expect((await sessionSettings()).intraOpThreads).toBe(3);
    expect((await sessionSettings(1)).intraOpThreads).toBe(1);
  });
});
