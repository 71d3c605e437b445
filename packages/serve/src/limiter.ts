/**
 * At most `slots` tasks at once; the others wait their turn. Photos are decoded through one of these:
 * a 16-megapixel photo takes about 70 MB while sharp decodes it, and a request may carry dozens of
 * small files that each decode that large (64 of them took the server to 5 GB).
 *
 * Waiting tasks queue per owner (a request: its abort signal), in arrival order, and the owners take
 * turns: a free slot goes to the oldest task of the waiting owner served longest ago (or never). So
 * one request's hundred photos hold up another request's one photo by at most one photo per slot,
 * not by all of them (first come, first served had a single photo wait 21 s behind one batch).
 */
export class Limiter {
  private active = 0;
  /** Waiting tasks by owner, owners in the order they began to wait. */
  private readonly queues = new Map<object, (() => void)[]>();
  private waitingCount = 0;
  /** When each owner was last given a slot (a count of slots given). */
  private readonly lastServed = new WeakMap<object, number>();
  private served = 0;
  /** The owner of tasks run without a signal. */
  private readonly nobody = {};

  constructor(readonly slots: number) {
    if (!Number.isInteger(slots) || slots < 1)
      throw new RangeError(`slots must be an integer ≥ 1, got ${slots}`);
  }

  /** Tasks running now and waiting. */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waitingCount };
  }

  /**
   * Runs `task` in a free slot. `signal` also says whose task it is (tasks with one signal take turns
   * with other signals' tasks). If it aborts first (the client that sent the photo is gone), the task
   * never runs: it leaves the queue and the promise rejects with the signal's reason.
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    const owner = signal ?? this.nobody;
    if (this.active < this.slots) {
      this.active++;
      this.lastServed.set(owner, ++this.served);
    }
    // A finishing task hands its slot straight to the next waiter, so `active` stays counted.
    else await this.turn(owner, signal);
    try {
      return await task();
    } finally {
      const next = this.nextWaiter();
      if (next) next();
      else this.active--;
    }
  }

  /** The oldest waiting task of the waiting owner served longest ago (never: first). */
  private nextWaiter(): (() => void) | undefined {
    let next: object | undefined;
    for (const owner of this.queues.keys())
      if (next === undefined || (this.lastServed.get(owner) ?? 0) < (this.lastServed.get(next) ?? 0))
        next = owner;
    if (next === undefined) return undefined;
    const queue = this.queues.get(next)!;
    const go = queue.shift()!;
    if (queue.length === 0) this.queues.delete(next);
    this.waitingCount--;
    this.lastServed.set(next, ++this.served);
    return go;
  }

  /** Waits for a slot handed over by a finishing task, or rejects (leaving the queue) on abort. */
  private turn(owner: object, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', leave);
        resolve();
      };
      const leave = () => {
        const queue = this.queues.get(owner)!;
        queue.splice(queue.indexOf(go), 1);
        if (queue.length === 0) this.queues.delete(owner);
        this.waitingCount--;
        reject(signal!.reason);
      };
      const queue = this.queues.get(owner);
      if (queue) queue.push(go);
      else this.queues.set(owner, [go]);
      this.waitingCount++;
      signal?.addEventListener('abort', leave, { once: true });
    });
  }
}
