/**
 * The training progress line: epoch, a bar, loss, accuracy, samples/s and ETA. On a terminal it
 * redraws in place; elsewhere (CI, a log file) it prints one line per finished epoch so logs stay
 * readable.
 */

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m > 0
      ? `${m}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
}

export interface ProgressState {
  readonly label: string;
  readonly epoch: number;
  readonly epochs: number;
  /** Samples done in this epoch and per epoch. */
  readonly done: number;
  readonly total: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly samplesPerSecond: number;
}

export class ProgressBar {
  private lastDraw = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly width = 24,
  ) {}

  private get interactive(): boolean {
    return Boolean(this.stream.isTTY);
  }

  line(state: ProgressState): string {
    const fraction = state.total === 0 ? 1 : state.done / state.total;
    const filled = Math.round(fraction * this.width);
    const remaining =
      ((state.epochs - state.epoch) * state.total + (state.total - state.done)) /
      Math.max(state.samplesPerSecond, 1e-9);
    return (
      `${state.label} epoch ${String(state.epoch).padStart(String(state.epochs).length)}/${state.epochs} ` +
      `[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ` +
      `loss ${state.loss.toFixed(4)} acc ${(state.accuracy * 100).toFixed(1)}% ` +
      `${Math.round(state.samplesPerSecond).toLocaleString('en')} samples/s ETA ${formatDuration(remaining)}`
    );
  }

  /** Redraws the bar (at most ~10 times a second) on a terminal; silent elsewhere. */
  update(state: ProgressState): void {
    if (!this.interactive) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && state.done < state.total) return;
    this.lastDraw = now;
    this.stream.write(`\r${this.line(state)}\x1b[K`);
  }

  /** Ends an epoch: a final line with the validation figures, kept in the log. */
  finish(state: ProgressState, extra = ''): void {
    this.stream.write(
      `${this.interactive ? '\r' : ''}${this.line(state)}${extra}${this.interactive ? '\x1b[K' : ''}\n`,
    );
  }
}
