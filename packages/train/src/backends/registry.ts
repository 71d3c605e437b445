/**
 * A small backend registry in the style of onnxruntime's backend-impl.ts and tfjs's registerBackend.
 * Entries register by name with a priority and a lazy `init()`; each init runs at most once and its
 * outcome (success, or the error that says why not) is cached. Automatic selection walks the entries
 * by descending priority and takes the first that initialises — passing over an entry that says it
 * should not be chosen unasked (a software GPU) — while an explicit request takes exactly that entry or
 * fails with BackendUnavailableError. Every skip and the final choice are logged and returned,
 * so a caller can record what was used — there is no silent fallback. It knows nothing about tfjs:
 * the training backends (index.ts) are one use of it, and tests drive it with their own entries.
 */
import { BackendUnavailableError } from '@facekit/core';

export interface BackendEntry {
  readonly name: string;
  /** Higher is tried first. */
  readonly priority: number;
  /** Makes the backend usable, or throws an error whose message says why it cannot be. */
  init(): Promise<void>;
  /**
   * Why automatic selection should pass over this entry although it may work (its GPU is a software
   * one, slower than the CPU backends), or undefined. Asked before `init`, only when choosing
   * automatically: a request by name uses the entry regardless.
   */
  autoSkipReason?(): Promise<string | undefined>;
}

export interface SkippedBackend {
  readonly name: string;
  readonly reason: string;
}

export interface BackendChoice {
  readonly name: string;
  /** Backends tried before `name` (higher priority) that could not initialise, with why. */
  readonly skipped: SkippedBackend[];
}

export interface BackendStatus {
  readonly name: string;
  readonly priority: number;
  readonly available: boolean;
  /** Why it cannot be used (when not available). */
  readonly reason?: string;
  /** Why automatic selection passes over it although it works (see BackendEntry.autoSkipReason). */
  readonly autoSkip?: string;
}

type Outcome = { ok: true } | { ok: false; error: unknown };

export const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class BackendRegistry {
  private readonly entries = new Map<string, BackendEntry>();
  private readonly outcomes = new Map<string, Promise<Outcome>>();

  constructor(private readonly kind: string) {}

  register(entry: BackendEntry): void {
    if (this.entries.has(entry.name))
      throw new Error(`${this.kind} backend "${entry.name}" is already registered`);
    this.entries.set(entry.name, entry);
  }

  /** Entry names, highest priority first (ties keep registration order). */
  names(): string[] {
    return [...this.entries.values()].sort((a, b) => b.priority - a.priority).map((e) => e.name);
  }

  /** Initialises `name` once; later calls return the cached outcome. */
  private initOnce(entry: BackendEntry): Promise<Outcome> {
    let outcome = this.outcomes.get(entry.name);
    if (!outcome) {
      outcome = (async (): Promise<Outcome> => {
        try {
          await entry.init();
          return { ok: true };
        } catch (error) {
          return { ok: false, error };
        }
      })();
      this.outcomes.set(entry.name, outcome);
    }
    return outcome;
  }

  /**
   * Chooses a backend: `requested` (when given and not 'auto') or else the first by priority that
   * initialises. Logs each skip and the choice through `log`.
   */
  async select(requested?: string, log: (line: string) => void = () => {}): Promise<BackendChoice> {
    if (requested !== undefined && requested !== 'auto') {
      const entry = this.entries.get(requested);
      if (!entry) {
        throw new BackendUnavailableError(
          `unknown ${this.kind} backend "${requested}"; known: ${this.names().join(', ')}`,
        );
      }
      const outcome = await this.initOnce(entry);
      if (!outcome.ok) {
        throw new BackendUnavailableError(
          `${this.kind} backend "${requested}" was requested but cannot be used: ${reasonOf(outcome.error)}`,
          { cause: outcome.error },
        );
      }
      log(`${this.kind} backend: ${requested} (requested)`);
      return { name: requested, skipped: [] };
    }
    const skipped: SkippedBackend[] = [];
    for (const name of this.names()) {
      const entry = this.entries.get(name)!;
      const passOver = await entry.autoSkipReason?.();
      if (passOver !== undefined) {
        skipped.push({ name, reason: passOver });
        log(`${this.kind} backend ${name} skipped: ${passOver}`);
        continue;
      }
      const outcome = await this.initOnce(entry);
      if (outcome.ok) {
        log(`${this.kind} backend: ${name}`);
        return { name, skipped };
      }
      const reason = reasonOf(outcome.error);
      skipped.push({ name, reason });
      log(`${this.kind} backend ${name} skipped: ${reason}`);
    }
    const why = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
    throw new BackendUnavailableError(
      `no ${this.kind} backend could be initialised (${why || 'none registered'})`,
    );
  }

  /** Every entry with whether it initialises here (initialising each one that has not been tried). */
  async list(): Promise<BackendStatus[]> {
    const statuses: BackendStatus[] = [];
    for (const name of this.names()) {
      const entry = this.entries.get(name)!;
      const outcome = await this.initOnce(entry);
      const autoSkip = outcome.ok ? await entry.autoSkipReason?.() : undefined;
      statuses.push(
        outcome.ok
          ? { name, priority: entry.priority, available: true, ...(autoSkip ? { autoSkip } : {}) }
          : { name, priority: entry.priority, available: false, reason: reasonOf(outcome.error) },
      );
    }
    return statuses;
  }
}
