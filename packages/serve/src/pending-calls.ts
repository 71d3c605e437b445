/**
 * The calls a thread of the server's has been sent and not yet answered (worker-calls.ts keeps them for
 * each of its worker threads): each gets an id to send along, the reply carrying that id settles it, and
 * when the thread fails or ends every pending call fails with the reason — as does every later one.
 */
export class PendingCalls<R> {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(reply: R): void; reject(error: Error): void }>();
  private failure: Error | undefined;

  /** Why calls fail, once `failAll` has been called. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** A call: `send` posts it with its id; resolves with the reply `settle` is given for that id. */
  add(send: (id: number) => void): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      try {
        send(id);
      } catch (error) {
        // Never posted (a value the thread cannot be sent): no reply will come for it.
        this.pending.delete(id);
        reject(error as Error);
      }
    });
  }

  /** The reply to call `id` (ignored when that call has already failed). */
  settle(id: number, reply: R): void {
    this.pending.get(id)?.resolve(reply);
    this.pending.delete(id);
  }

  /** Fails every pending call with `error`, and every later one (the first reason is kept). */
  failAll(error: Error): void {
    this.failure ??= error;
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
  }
}

/** The transfer list that hands `view`'s memory to a thread: its buffer, when the view spans all of it. */
export function wholeBuffer(view: ArrayBufferView): ArrayBuffer[] {
  const whole = view.byteOffset === 0 && view.byteLength === view.buffer.byteLength;
  return whole ? [view.buffer as ArrayBuffer] : [];
}
