/**
 * Client errors are logged at `warn`, but at most PER_WINDOW lines in a WINDOW_MS window: past that,
 * the rest are counted by code, and when the window ends one line says how many were not written. A
 * client sending bad requests in a loop wrote a line each (29,058 lines, 5.4 MB, in 10 s), so the warn
 * rate told nothing about the server. The metrics still count every error (facekit_errors_total).
 */
import type { LogFields, Logger } from './logger.js';

export const PER_WINDOW = 100;
export const WINDOW_MS = 10_000;

export class ClientErrorLog {
  private written = 0;
  private readonly unwritten = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly perWindow = PER_WINDOW,
    private readonly windowMs = WINDOW_MS,
  ) {}

  warn(msg: string, fields: LogFields & { code: string }): void {
    // The window opens with its first error and its end is reported even if no other error follows.
    this.timer ??= setTimeout(() => this.flush(), this.windowMs).unref();
    if (this.written < this.perWindow) {
      this.written++;
      this.logger.warn(msg, fields);
    } else {
      this.unwritten.set(fields.code, (this.unwritten.get(fields.code) ?? 0) + 1);
    }
  }

  /** Says what the window left unwritten, and opens the next one. Called at shutdown too. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.unwritten.size > 0) {
      const byCode = Object.fromEntries(this.unwritten);
      const count = [...this.unwritten.values()].reduce((a, b) => a + b, 0);
      this.logger.warn('client errors not logged', {
        count,
        byCode,
        hint: `at most ${this.perWindow} lines every ${this.windowMs / 1000} s; facekit_errors_total counts them all`,
      });
    }
    this.unwritten.clear();
    this.written = 0;
  }
}
