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

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.slots) this.active++;
    // A finishing task hands its slot straight to the first waiter, so `active` stays counted.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
