/**
 * The cores this process may use. `os.availableParallelism()` (Node 20's libuv) counts the cores the
 * process may run on, not a container's CPU quota: a pod limited to 2 CPUs on a 64-core node counts 64,
 * and onnxruntime's default thread count reads the node's cores the same way. Sized by that, the server
 * decoded 64 photos at once (up to 70 MB each: 4.5 GB, far past such a pod's memory) and ran 64 intra-op
 * threads on 2 CPUs' worth of time. The quota comes from the cgroup: v2's `cpu.max`, else v1's
 * `cpu.cfs_quota_us` over `cpu.cfs_period_us`.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export type ReadText = (file: string) => string | undefined;

const readText: ReadText = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** The CPUs a cgroup quota allows (fractional, as `--cpus 1.5` sets), or undefined where none is set. */
export function cgroupCpuQuota(read: ReadText = readText): number | undefined {
  const v2 = read('/sys/fs/cgroup/cpu.max')?.trim().split(/\s+/);
  if (v2) return ratio(v2[0], v2[1]);
  return ratio(
    read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')?.trim(),
    read('/sys/fs/cgroup/cpu/cpu.cfs_period_us')?.trim(),
  );
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
