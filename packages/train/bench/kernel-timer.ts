/**
 * Per-kernel timing for a tfjs backend: every kernel registered for it is re-registered wrapped in a
 * timer, with the time charged to the current phase (forward+backward, optimizer). By default it
 * measures the process's CPU time, not wall time, so that other work on a shared machine does not
 * inflate it; that is right for backends whose kernels run synchronously on this thread (wasm, cpu).
 * A GPU backend's kernels only record dispatches here, so for them the caller passes a wall clock.
 * A kernel run inside another (our kernels call the backend's own) is listed as `outer > inner` and
 * is already part of the outer kernel's time: `topLevelMs` counts each millisecond once.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';

/** CPU time used by this process so far, in milliseconds. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export interface KernelTime {
  phase: string;
  kernel: string;
  calls: number;
  ms: number;
}

export class KernelTimer {
  private readonly times = new Map<string, KernelTime>();
  private readonly stack: string[] = [];
  phase = 'gradients';

  /**
   * With `byShape`, each kernel is listed per input shapes, e.g. `Add [128,48,48,8] [8]`. `clock` is
   * the process's CPU time by default; a GPU backend's kernels are timed in wall time (performance.now).
   */
  constructor(
    backend: string,
    byShape = false,
    private readonly clock: () => number = cpuMs,
  ) {
    for (const config of tf.getKernelsForBackend(backend)) {
      const inner = config.kernelFunc;
      const wrapped: KernelConfig = {
        ...config,
        kernelFunc: (args) => {
          const shapes = byShape
            ? ' ' +
              Object.values(args.inputs)
                .map((t) => `[${t?.shape.join(',') ?? ''}]`)
                .join(' ')
            : '';
          this.stack.push(config.kernelName + shapes);
          const name = this.stack.join(' > ');
          const start = this.clock();
          try {
            return inner(args);
          } finally {
            this.stack.pop();
            this.add(name, this.clock() - start);
          }
        },
      };
      tf.unregisterKernel(config.kernelName, backend);
      tf.registerKernel(wrapped);
    }
  }

  private add(kernel: string, ms: number): void {
    const key = `${this.phase}/${kernel}`;
    const entry = this.times.get(key) ?? { phase: this.phase, kernel, calls: 0, ms: 0 };
    entry.calls += 1;
    entry.ms += ms;
    this.times.set(key, entry);
  }

  reset(): void {
    this.times.clear();
  }

  /** Time in kernels not nested in another kernel. */
  topLevelMs(): number {
    return this.entries()
      .filter((e) => !e.kernel.includes(' > '))
      .reduce((sum, e) => sum + e.ms, 0);
  }

  entries(): KernelTime[] {
    return [...this.times.values()].sort((a, b) => b.ms - a.ms);
  }
}
