/**
 * The cores this process may use. `os.availableParallelism()` (Node 20's libuv) counts the cores the
 * process may run on, not a container's CPU quota: a pod limited to 2 CPUs on a 64-core node counts 64,
 * and onnxruntime's default thread count reads the node's cores the same way. Sized by that, the server
 * decoded 64 photos at once (up to 70 MB each: 4.5 GB, far past such a pod's memory) and ran 64 intra-op
 * threads on 2 CPUs' worth of time. The quota comes from the cgroup: v2's `cpu.max`, else v1's
 * `cpu.cfs_quota_us` over `cpu.cfs_period_us`, the lowest from the process's cgroup up to the root.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { posix } from 'node:path';

export type ReadText = (file: string) => string | undefined;

const readText: ReadText = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * The cgroup path of this process for a controller, from /proc/self/cgroup: v2's line is `0::/path`,
 * v1's `N:cpu,cpuacct:/path`. '/' where the file says nothing (or inside a private cgroup namespace,
 * where the process's cgroup is the root).
 */
function cgroupPath(read: ReadText, v1Controller?: string): string {
  for (const line of read('/proc/self/cgroup')?.split('\n') ?? []) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line.trim()) ?? [];
    if (path === undefined) continue;
    if (v1Controller ? controllers!.split(',').includes(v1Controller) : controllers === '')
      return path || '/';
  }
  return '/';
}

/**
 * The lowest quota from the process's cgroup up to the root (a limit on a parent, such as a systemd
 * slice, binds the cgroups under it), or undefined where no level sets one; `found` says whether any
 * level's file was there at all.
 */
function lowestOnPath(path: string, quotaAt: (dir: string) => number | undefined | null) {
  let lowest: number | undefined;
  let found = false;
  for (let dir = path; ; dir = posix.dirname(dir)) {
    const quota = quotaAt(dir);
    if (quota !== null) found = true;
    if (quota !== undefined && quota !== null) lowest = Math.min(lowest ?? quota, quota);
    if (dir === '/' || dir === '.') break;
  }
  return { lowest, found };
}

/**
 * The CPUs a cgroup quota allows (fractional, as `--cpus 1.5` sets), or undefined where none is set:
 * v2's `cpu.max`, else v1's `cpu.cfs_quota_us` over `cpu.cfs_period_us`, at every level from the
 * process's own cgroup up (a quota on a systemd unit or with `--cgroupns=host` is below the root).
 */
export function cgroupCpuQuota(read: ReadText = readText): number | undefined {
  const v2 = lowestOnPath(cgroupPath(read), (dir) => {
    const max = read(posix.join('/sys/fs/cgroup', dir, 'cpu.max'))
      ?.trim()
      .split(/\s+/);
    return max ? ratio(max[0], max[1]) : null;
  });
  if (v2.found) return v2.lowest;
  return lowestOnPath(cgroupPath(read, 'cpu'), (dir) => {
    const at = (file: string) => read(posix.join('/sys/fs/cgroup/cpu', dir, file))?.trim();
    const quota = at('cpu.cfs_quota_us');
    return quota === undefined ? null : ratio(quota, at('cpu.cfs_period_us'));
  }).lowest;
}

/** quota / period, when both are positive numbers ("max" or -1 is no quota). */
function ratio(quota: string | undefined, period: string | undefined): number | undefined {
  const q = Number(quota);
  const p = Number(period);
  return q > 0 && p > 0 ? q / p : undefined;
}

/**
 * The whole cores a quota allows when it allows fewer than the process may otherwise run on (1.5 CPUs:
 * 2), else undefined: then onnxruntime and the photo decoder keep their own count.
 */
export function quotaCores(quota = cgroupCpuQuota(), cores = availableParallelism()): number | undefined {
  if (quota === undefined) return undefined;
  const allowed = Math.max(1, Math.ceil(quota));
  return allowed < cores ? allowed : undefined;
}

/** The cores to size work by: the quota's where it is lower, else the cores the process may run on. */
export function usableCores(): number {
  return quotaCores() ?? availableParallelism();
}
