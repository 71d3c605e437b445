/**
 * Micro-batching: faces from concurrent requests are gathered into one model run, because
 * onnxruntime's per-run overhead dominates for one 48×48 face and a batch of 64 costs little more than
 * a few single runs. A batch is flushed when it is full or when its first face has waited `maxWaitMs`;
 * one run is in flight at a time and faces arriving meanwhile form the next batch. Items submitted
 * together (a classifyBatch) stay together when they fit in one batch; if their `signal` aborts (the
 * client left) while they still wait, they leave the queue unrun. The runner is injected, so the
 * scheduling is tested without a model.
 */

export interface BatcherOptions {
  readonly maxBatchSize: number;
  readonly maxWaitMs: number;
  /** Called after every run with the number of items and the run's duration. */
  readonly onBatch?: (size: number, seconds: number) => void;
}

/** Runs a batch; must return one output per input, in order. */
export type BatchRunner<I, O> = (items: readonly I[]) => Promise<readonly O[]>;

interface Pending<I, O> {
  readonly item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export class MicroBatcher<I, O> {
  /** Groups of items that must not be split across batches (each at most maxBatchSize long). */
  private readonly groups: Pending<I, O>[][] = [];
  private queued = 0;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly run: BatchRunner<I, O>,
    private readonly options: BatcherOptions,
  ) {
    if (!Number.isInteger(options.maxBatchSize) || options.maxBatchSize < 1) {
      throw new RangeError(`maxBatchSize must be an integer ≥ 1, got ${options.maxBatchSize}`);
    }
    if (!(options.maxWaitMs >= 0)) throw new RangeError(`maxWaitMs must be ≥ 0, got ${options.maxWaitMs}`);
  }

  /** Faces waiting for a run. */
  get pending(): number {
    return this.queued;
  }

  submit(item: I, signal?: AbortSignal): Promise<O> {
    return this.submitAll([item], signal)[0]!;
  }

  /**
   * Submits items that should share a run; more than maxBatchSize are split into full chunks. Chunks
   * still queued when `signal` aborts are dropped, their promises rejected with the signal's reason.
   */
  submitAll(items: readonly I[], signal?: AbortSignal): Promise<O>[] {
    const promises: Promise<O>[] = [];
    const { maxBatchSize } = this.options;
    const groups: Pending<I, O>[][] = [];
    for (let start = 0; start < items.length; start += maxBatchSize) {
      const group: Pending<I, O>[] = [];
      for (const item of items.slice(start, start + maxBatchSize)) {
        promises.push(new Promise<O>((resolve, reject) => group.push({ item, resolve, reject })));
      }
      groups.push(group);
    }
    if (signal?.aborted) {
      for (const p of groups.flat()) p.reject(signal.reason);
      return promises;
    }
    this.groups.push(...groups);
    this.queued += items.length;
    signal?.addEventListener('abort', () => this.drop(groups, signal.reason), { once: true });
    this.schedule();
    return promises;
  }

  /** Removes those of `groups` still queued, rejecting their items with `reason`. */
  private drop(groups: readonly Pending<I, O>[][], reason: unknown): void {
    for (const group of groups) {
      const at = this.groups.indexOf(group);
      if (at < 0) continue; // already taken into a run
      this.groups.splice(at, 1);
      this.queued -= group.length;
      for (const p of group) p.reject(reason);
    }
    this.wakeIfIdle();
  }

  /** Answers idle()'s waiters once nothing is queued or running. */
  private wakeIfIdle(): void {
    if (!this.running && this.queued === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Resolves once nothing is queued or running (used when draining at shutdown). */
  idle(): Promise<void> {
    if (!this.running && this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.running || this.queued === 0) return;
    if (this.queued >= this.options.maxBatchSize || this.options.maxWaitMs === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.immediate ??= setImmediate(() => this.flush());
    } else {
      this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
    }
  }

  /** Takes whole groups, oldest first, while they fit in one batch. */
  private take(): Pending<I, O>[] {
    const batch: Pending<I, O>[] = [];
    while (this.groups.length > 0 && batch.length + this.groups[0]!.length <= this.options.maxBatchSize) {
      batch.push(...this.groups.shift()!);
    }
    this.queued -= batch.length;
    return batch;
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    if (this.running || this.queued === 0) return;
    this.running = true;
    const batch = this.take();
    const started = performance.now();
    void this.execute(batch).finally(() => {
      this.options.onBatch?.(batch.length, (performance.now() - started) / 1000);
      this.running = false;
      if (this.queued > 0) {
        // Whatever arrived during the run has already waited: run it now.
        this.immediate = setImmediate(() => this.flush());
      } else {
        this.wakeIfIdle();
      }
    });
  }

  private async execute(batch: Pending<I, O>[]): Promise<void> {
    try {
      const outputs = await this.run(batch.map((p) => p.item));
      if (outputs.length !== batch.length) {
        throw new Error(`batch runner returned ${outputs.length} results for ${batch.length} items`);
      }
      batch.forEach((p, i) => p.resolve(outputs[i]!));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}
