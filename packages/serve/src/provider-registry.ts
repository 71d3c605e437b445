/**
 * A registry of execution providers in the style of onnxruntime's backend-impl and tfjs's
 * registerBackend: entries register by name with a priority and a lazy `init()`; resolving tries them
 * in priority order (or in the order an override names), caches each outcome, remembers why a failed one
 * failed, and returns the first that initialised together with the full record of attempts — so the
 * caller can log and report the choice and a fallback is never silent. Generic over what `init()`
 * yields, so tests drive it with plain values and the server with warmed onnxruntime sessions.
 */
import { BackendUnavailableError } from '@facekit/core';

export interface ProviderEntry<T> {
  readonly name: string;
  /** Higher is tried first. */
  readonly priority: number;
  /** Throws (with a reason a person can act on) when the provider cannot be used here. */
  init(): Promise<T>;
  /**
   * Why the default order should pass over this provider although it may work (its GPU is a software
   * one, slower than the CPU provider), or undefined. Asked before `init`, only when no order was given:
   * a provider the user names is tried regardless.
   */
  autoSkipReason?(): Promise<string | undefined>;
}

/** `skipped`: passed over by the default order (autoSkipReason), never initialised. */
export type AttemptOutcome = 'chosen' | 'failed' | 'skipped' | 'not tried';

export interface ProviderAttempt {
  readonly name: string;
  readonly outcome: AttemptOutcome;
  /** Why it failed (first line of the error) or was skipped. */
  readonly reason?: string;
  readonly error?: unknown;
}

export interface ProviderChoice<T> {
  readonly name: string;
  readonly value: T;
  /** Every registered provider in the order considered, with its outcome. */
  readonly attempts: readonly ProviderAttempt[];
}

/** No provider initialised; `attempts` says why each failed. */
export class NoProviderError extends BackendUnavailableError {
  constructor(
    message: string,
    readonly attempts: readonly ProviderAttempt[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim();
}

export class ProviderRegistry<T> {
  private readonly entries = new Map<string, ProviderEntry<T>>();
  private readonly outcomes = new Map<string, Promise<Outcome<T>>>();

  register(entry: ProviderEntry<T>): this {
    if (this.entries.has(entry.name)) throw new Error(`provider "${entry.name}" is already registered`);
    this.entries.set(entry.name, entry);
    return this;
  }

  /** Registered names, highest priority first. */
  names(): string[] {
    return [...this.entries.values()].sort((a, b) => b.priority - a.priority).map((e) => e.name);
  }

  /** Why the default order passes over `name` (its autoSkipReason), or undefined. */
  passOverReason(name: string): Promise<string | undefined> {
    return this.entries.get(name)?.autoSkipReason?.() ?? Promise.resolve(undefined);
  }

  /** Initialises `name` once; later calls return the remembered outcome. */
  private attempt(name: string): Promise<Outcome<T>> {
    let outcome = this.outcomes.get(name);
    if (!outcome) {
      const entry = this.entries.get(name)!;
      outcome = entry.init().then(
        (value): Outcome<T> => ({ ok: true, value }),
        (error: unknown): Outcome<T> => ({ ok: false, error }),
      );
      this.outcomes.set(name, outcome);
    }
    return outcome;
  }

  /**
   * Tries `preference` in order (all registered providers by priority when empty, passing over those
   * whose autoSkipReason gives one) and returns the first that initialises. Throws
   * BackendUnavailableError naming every failure when none does, and for names nobody registered.
   */
  async resolve(preference: readonly string[] = []): Promise<ProviderChoice<T>> {
    const unknown = preference.filter((n) => !this.entries.has(n));
    if (unknown.length > 0) {
      throw new BackendUnavailableError(
        `unknown execution provider ${unknown.map((n) => `"${n}"`).join(', ')}; known: ${this.names().join(', ')}`,
      );
    }
    const byDefault = preference.length === 0;
    const order = byDefault ? this.names() : [...new Set(preference)];
    const attempts: ProviderAttempt[] = [];
    for (const [i, name] of order.entries()) {
      const passOver = byDefault ? await this.passOverReason(name) : undefined;
      if (passOver !== undefined) {
        attempts.push({ name, outcome: 'skipped', reason: passOver });
        continue;
      }
      const outcome = await this.attempt(name);
      if (outcome.ok) {
        attempts.push({ name, outcome: 'chosen' });
        for (const rest of order.slice(i + 1)) attempts.push({ name: rest, outcome: 'not tried' });
        return { name, value: outcome.value, attempts };
      }
      attempts.push({ name, outcome: 'failed', reason: reasonOf(outcome.error), error: outcome.error });
    }
    const detail = attempts.map((a) => `${a.name}: ${a.reason}`).join('; ');
    const cause = attempts.at(-1)?.error;
    throw new NoProviderError(`no execution provider could run the models (${detail})`, attempts, { cause });
  }
}
