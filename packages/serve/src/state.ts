/**
 * What the server knows about itself at any moment — starting, ready or draining; the models read from
 * the manifest; the engine once a provider is bound and warmed; the provider attempts — shared by the
 * resolvers (through the GraphQL context), the HTTP probes and the metrics, so all three tell the same
 * story.
 */
import type { LoadedModels } from '@facekit/core/node';
import { ClientErrorLog } from './client-error-log.js';
import { FaceDetector } from './detector-thread.js';
import type { InferenceEngine } from './inference.js';
import type { Logger } from './logger.js';
import { createMetrics, type ServeMetrics } from './metrics.js';
import type { ServeOptions } from './options.js';
import type { ProviderAttempt } from './provider-registry.js';

export type ServerStatus = 'starting' | 'ready' | 'draining' | 'failed';

export class ServerState {
  status: ServerStatus = 'starting';
  engine: InferenceEngine | null = null;
  attempts: readonly ProviderAttempt[] = [];
  readonly startedAt = Date.now();
  /** Requests whose connection closed unanswered while draining: cut off by the grace period, or left. */
  unansweredWhileDraining = 0;
  /** GraphQL requests being answered now (their bodies read, run, or written): at most maxInFlight. */
  inFlight = 0;
  /** Readiness and the provider in use are read from this state whenever /metrics is scraped. */
  readonly metrics: ServeMetrics = createMetrics(
    () => this.ready,
    () => this.engine?.provider,
    () => this.inFlight,
  );

  /** Client errors' warn lines, rate-limited. */
  readonly clientErrors: ClientErrorLog;

  /** The face detector (classifyFaces): loaded at start when the models folder holds one. */
  readonly detector: FaceDetector;

  constructor(
    readonly options: ServeOptions,
    readonly models: LoadedModels,
    readonly logger: Logger,
  ) {
    this.clientErrors = new ClientErrorLog(logger);
    this.detector = new FaceDetector(models.dir);
  }

  /** Stopping: new requests are refused, those in flight answered. */
  get draining(): boolean {
    return this.status === 'draining';
  }

  /** Ready to answer: the models are bound and warmed, not draining, and able to run now. */
  get ready(): boolean {
    return this.status === 'ready' && this.unavailable === undefined;
  }

  /**
   * Why models that were ready cannot run now (their inference thread died and a new one failed to
   * bind: a GPU gone), else undefined. The server tries again by itself; /readyz says 503 meanwhile.
   */
  get unavailable(): string | undefined {
    return this.forClients(this.engine?.bound.unavailable?.());
  }

  /**
   * Why the models run on a fallback provider (their GPU was lost and cannot be bound again), else
   * undefined. Still ready: slower, not down; the GPU is tried again by itself.
   */
  get degraded(): string | undefined {
    return this.forClients(this.engine?.bound.degraded?.());
  }

  /**
   * A reason as clients may read it (health, /readyz): in production without this machine's file
   * paths, each shortened to its last name (`…/libonnxruntime_providers_cuda.so`). The log keeps them.
   */
  forClients(text: string | undefined): string | undefined {
    return text !== undefined && this.options.production ? withoutPaths(text) : text;
  }

  markReady(engine: InferenceEngine, attempts: readonly ProviderAttempt[]): void {
    this.engine = engine;
    this.attempts = attempts;
    this.status = 'ready';
  }

  markFailed(attempts: readonly ProviderAttempt[]): void {
    this.attempts = attempts;
    this.status = 'failed';
  }

  markDraining(): void {
    if (this.status === 'ready' || this.status === 'starting') this.status = 'draining';
  }
}

/**
 * `text` with every absolute file path (POSIX, or Windows with a drive letter) cut to `…/` and its last
 * name. URLs keep their paths: a path must not follow a letter, digit, `:`, `/` or `.`.
 */
export function withoutPaths(text: string): string {
  return text
    .replace(/(?<![\w:/.])(?:\/[\w.@+-]+)+\/([\w.@+-]+)/g, '…/$1')
    .replace(/(?<![\w])[A-Za-z]:\\(?:[\w.@+ -]+\\)*([\w.@+-]+)/g, '…\\$1');
}

/** The GraphQL context: the server's state, and a signal that aborts when the client leaves unanswered. */
export interface ServeContext {
  readonly state: ServerState;
  /** The request's id: the caller's X-Request-Id when usable, else a fresh UUID; in its log lines. */
  readonly requestId: string;
  /** Aborted (with a CLIENT_GONE error) when the connection closes before the answer is sent. */
  readonly signal: AbortSignal;
}
