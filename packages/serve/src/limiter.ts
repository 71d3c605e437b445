/**
 * At most `slots` tasks at once; the others wait their turn in arrival order. Photos are decoded
 * through one of these: a 16-megapixel photo takes about 70 MB while sharp decodes it, and a request
 * may carry dozens of small files that each decode that large (64 of them took the server to 5 GB).
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly slots: number) {
    if (!Number.isInteger(slots) || slots < 1)
      throw new RangeError(`slots must be an integer ≥ 1, got ${slots}`);
  }

  /** Tasks running now and waiting. */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  /**
   * Runs `task` in a free slot. If `signal` aborts first (the client that sent the photo is gone), the
   * task never runs: it leaves the queue and the promise rejects with the signal's reason.
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    if (this.active < this.slots) this.active++;
    // A finishing task hands its slot straight to the first waiter, so `active` stays counted.
    else await this.turn(signal);
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Waits for a slot handed over by a finishing task, or rejects (leaving the queue) on abort. */
  private turn(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', leave);
        resolve();
      };
      const leave = () => {
        this.waiting.splice(this.waiting.indexOf(go), 1);
        reject(signal!.reason);
      };
      this.waiting.push(go);
      signal?.addEventListener('abort', leave, { once: true });
    });
  }
}
