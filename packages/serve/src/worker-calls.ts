/**
 * One of the server's worker threads and the calls sent to it (the inference thread, the face detector's
 * threads, the photo worker), so that each wrapper keeps only what is its own — what it sends, what a
 * reply means, when to start another. This starts the worker, waits for its `{ type: 'ready' }` where it
 * sends one, settles each call by the reply carrying its id, and when the worker fails or exits fails
 * every pending call — and every later one — with an error naming it, then tells its owner.
 */
import { Worker } from 'node:worker_threads';
import { PendingCalls } from './pending-calls.js';

/** A message that answers a call: it carries the call's id. */
type ReplyIn<From> = Extract<From, { readonly id: number }>;
/** The message of a worker that could not start. */
type FailedIn<From> = Extract<From, { readonly type: 'failed'; readonly reason: string }>;
/** Whatever else the worker says. */
type OtherIn<From> = Exclude<From, ReplyIn<From> | FailedIn<From> | { readonly type: 'ready' }>;

export interface WorkerCallsOptions<From> {
  /** Names the worker in its calls' errors: "<name> failed: …", "<name> exited with code N". */
  readonly name: string;
  readonly workerData?: unknown;
  /** Unref'd, the worker keeps the process alive only while it has calls to answer. */
  readonly unref?: boolean;
  /** The error a `{ type: 'failed' }` message stands for; its reason by default. */
  readonly startFailure?: (failed: FailedIn<From>) => Error;
  /** Hears of each reply, once it has settled its call. */
  readonly onReply?: (reply: ReplyIn<From>) => void;
  /** Hears of every message that is no reply and not how the start went. */
  readonly onMessage?: (message: OtherIn<From>) => void;
  /** Hears of the worker's death, its calls failed with `error`; not of an `end` its owner asked for. */
  readonly onDeath?: (error: Error) => void;
}

export class WorkerCalls<To, From> {
  private readonly worker: Worker;
  private readonly calls = new PendingCalls<ReplyIn<From>>();
  private readonly options: WorkerCallsOptions<From>;
  private started: (failure: Error | undefined) => void = () => {};
  private readonly starting = new Promise<Error | undefined>((resolve) => (this.started = resolve));
  /** Calls sent and not yet settled, for an unref'd worker: it is ref'd while there are any. */
  private answering = 0;

  /** Starts the worker at `url` (core/node's `workerUrl`). */
  constructor(url: URL, options: WorkerCallsOptions<From>) {
    this.options = options;
    this.worker = new Worker(url, { workerData: options.workerData });
    this.worker.on('message', (message: From) => this.receive(message));
    this.worker.on('error', (error) => this.fail(new Error(`${options.name} failed: ${error.message}`)));
    this.worker.on('exit', (code) => this.fail(new Error(`${options.name} exited with code ${code}`)));
    // After the 'message' listener: adding one refs the worker's port again, and kept the process alive.
    if (options.unref) this.worker.unref();
  }

  /** Why calls fail, once the worker died or was ended. */
  get failed(): Error | undefined {
    return this.calls.failed;
  }

  /** Waits for the worker's 'ready'; when it says 'failed' instead, or dies first, ends it and throws why. */
  async ready(): Promise<void> {
    const failure = await this.starting;
    if (failure) {
      await this.end(failure);
      throw failure;
    }
  }

  /**
   * Sends what `message` makes of the call's id, `transfer` handed over; resolves with the reply to it.
   * An unref'd worker keeps the process alive while it has calls to answer (a script that awaits one
   * and nothing else would otherwise exit before the reply), and only then.
   */
  call(message: (id: number) => To, transfer: ArrayBuffer[] = []): Promise<ReplyIn<From>> {
    const reply = this.calls.add((id) => this.worker.postMessage(message(id), transfer));
    if (this.options.unref) {
      if (this.answering++ === 0) this.worker.ref();
      const done = () => {
        if (--this.answering === 0) this.worker.unref();
      };
      reply.then(done, done);
    }
    return reply;
  }

  /** Sends a message that is no call. */
  post(message: To): void {
    this.worker.postMessage(message);
  }

  /** Takes the live worker for dead: its calls fail with `error`, `onDeath` hears of it, and it is ended. */
  die(error: Error): void {
    this.fail(error);
    void this.worker.terminate();
  }

  /** Fails the pending calls and every later one with `reason`, and ends the worker. */
  async end(reason: Error): Promise<void> {
    this.calls.failAll(reason);
    await this.worker.terminate();
  }

  private receive(message: From): void {
    const { id, type } = message as { readonly id?: unknown; readonly type?: unknown };
    if (typeof id === 'number') {
      this.calls.settle(id, message as ReplyIn<From>);
      this.options.onReply?.(message as ReplyIn<From>);
    } else if (type === 'ready') this.started(undefined);
    else if (type === 'failed') {
      const failed = message as FailedIn<From>;
      this.started(this.options.startFailure?.(failed) ?? new Error(failed.reason));
    } else this.options.onMessage?.(message as OtherIn<From>);
  }

  private fail(error: Error): void {
    if (this.calls.failed) return;
    this.calls.failAll(error);
    this.started(error);
    this.options.onDeath?.(error);
  }
}
