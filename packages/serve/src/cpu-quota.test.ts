import { describe, expect, it } from 'vitest';
import { cgroupCpuQuota, quotaCores } from './cpu-quota.js';

const files =
  (contents: Record<string, string>) =>
  (file: string): string | undefined =>
    contents[file];

describe('the CPU quota of a container', () => {
  it("reads cgroup v2's cpu.max, and v1's quota over period", () => {
    expect(cgroupCpuQuota(files({ '/sys/fs/cgroup/cpu.max': '150000 100000\n' }))).toBe(1.5);
    expect(cgroupCpuQuota(files({ '/sys/fs/cgroup/cpu.max': 'max 100000\n' }))).toBeUndefined();
    expect(
      cgroupCpuQuota(
        files({
          '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '200000\n',
          '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
        }),
      ),
    ).toBe(2);
    expect(
      cgroupCpuQuota(
        files({
          '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
          '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
        }),
      ),
    ).toBeUndefined();
    expect(cgroupCpuQuota(files({}))).toBeUndefined();
  });

  it("reads the process's own cgroup and every level above it, taking the lowest quota", () => {
    // A systemd unit under a limited slice (v2, no private cgroup namespace).
    const unit = {
      '/proc/self/cgroup': '0::/system.slice/facekit.service\n',
      '/sys/fs/cgroup/system.slice/facekit.service/cpu.max': 'max 100000\n',
      '/sys/fs/cgroup/system.slice/cpu.max': '300000 100000\n',
      '/sys/fs/cgroup/cpu.max': 'max 100000\n',
    };
    expect(cgroupCpuQuota(files(unit))).toBe(3);
    expect(
      cgroupCpuQuota(
        files({ ...unit, '/sys/fs/cgroup/system.slice/facekit.service/cpu.max': '50000 100000\n' }),
      ),
    ).toBe(0.5);
    // A v1 container seen with the host's cgroup namespace.
    expect(
      cgroupCpuQuota(
        files({
          '/proc/self/cgroup': '4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n0::/\n',
          '/sys/fs/cgroup/cpu/docker/abc/cpu.cfs_quota_us': '150000\n',
          '/sys/fs/cgroup/cpu/docker/abc/cpu.cfs_period_us': '100000\n',
          '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
          '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
        }),
      ),
    ).toBe(1.5);
  });

  it('sizes work by the quota only where it allows fewer cores than the machine has', () => {
    expect(quotaCores(2, 64)).toBe(2);
    expect(quotaCores(1.5, 64)).toBe(2);
    expect(quotaCores(0.25, 64)).toBe(1);
    expect(quotaCores(8, 4)).toBeUndefined();
    expect(quotaCores(4, 4)).toBeUndefined();
    expect(quotaCores(undefined, 64)).toBeUndefined();
  });
});
