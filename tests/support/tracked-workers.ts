/**
 * node:worker_threads with a Worker that records every instance it starts, for tests that end a
 * worker as a crash would. Mock the module with it (the factory runs before the test file's imports):
 *
 *   const started = vi.hoisted(() => [] as Worker[]);
 *   vi.mock('node:worker_threads', async (importOriginal) =>
 *     (await import('…/tests/support/tracked-workers.js')).trackedWorkerThreads(await importOriginal(), started));
 *
 * `onStart` sees each worker as it starts (to end it at once, as a lost GPU fails a new binding).
 */
import type * as WorkerThreads from 'node:worker_threads';

export function trackedWorkerThreads(
  original: typeof WorkerThreads,
  started: WorkerThreads.Worker[],
  onStart?: (worker: WorkerThreads.Worker) => void,
): typeof WorkerThreads {
  class TrackedWorker extends original.Worker {
    constructor(...args: ConstructorParameters<typeof original.Worker>) {
      super(...args);
      started.push(this);
      onStart?.(this);
    }
  }
  return { ...original, Worker: TrackedWorker };
}
