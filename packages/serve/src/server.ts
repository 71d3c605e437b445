/**
 * Starting and stopping the server, in the order that makes failures clear: read and check the
 * manifest and every model file (a bad one stops the start before a port is opened), listen — so
 * `health` can say "starting" — then bind the models to the first execution provider that can run them,
 * warm them, and only then report ready. `stop()` drains: readiness drops, new connections are refused,
 * in-flight requests (and their queued faces) finish, then the sessions are released.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { loadModels, type LoadedModel } from '@facekit/core/node';
import { cgroupCpuQuota, quotaCores, usableCores } from './cpu-quota.js';
import { documentStore } from './document-store.js';
import { createFormatError } from './errors.js';
import { onClientError } from './http-client-error.js';
import { createRequestHandler } from './http-server.js';
import { InferenceEngine } from './inference.js';
import { listen } from './listen.js';
import { Logger } from './logger.js';
import { noSubscriptions } from './no-subscriptions.js';
import { observabilityPlugin } from './observability.js';
import {
  onnxProviderRegistry,
  type BoundModels,
  type FallbackSettings,
  type SessionSettings,
} from './onnx-providers.js';
import { clientLimits, DEFAULT_OPTIONS, defaultQueryCost, type ServeOptions } from './options.js';
import { startPixelsWorker } from './pixels-off-thread.js';
import { NoProviderError, type ProviderChoice, type ProviderRegistry } from './provider-registry.js';
import { queryLimitsPlugin } from './query-limits.js';
import { undeclaredFieldsPlugin } from './undeclared-fields.js';
import { buildServeSchema } from './schema/build-schema.js';
import { ServerState, type ServeContext } from './state.js';

export interface StartHooks {
  readonly logger?: Logger;
  /** Replaces the cuda/webgpu/cpu registry (tests of the choice and fallback). */
  readonly registry?: (
    models: readonly LoadedModel[],
    settings: SessionSettings,
    fallback: FallbackSettings,
  ) => ProviderRegistry<BoundModels>;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly state: ServerState;
  /** Resolves once a provider is bound and every session is warmed; rejects (after closing) when none can be. */
  readonly ready: Promise<void>;
  /** Drains in-flight requests and releases the sessions. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The URL the server is reached at: an address that binds every interface (`0.0.0.0`, `::`) is reached
 * at localhost, and an IPv6 address goes in brackets (`http://::1:4000` is no URL).
 */
export function graphqlUrl(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}/graphql`;
}

/**
 * Tokens a query text may hold. Parsing costs about 2 µs a token on the event loop, and a body within
 * the size limit can hold millions (a face's grey levels written into the query: 14–20 s of stall for
 * 7 million); faces belong in variables, which skip the parser. 20,000 is about eight faces inline.
 */
export const MAX_QUERY_TOKENS = 20_000;

/** Loads the face detector and logs how it went (never throws: an absent or bad one is reported). */
async function loadDetector(state: ServerState, intraOpThreads: number): Promise<void> {
  const started = performance.now();
  const { detector, logger, options } = state;
  await detector.load(intraOpThreads, options.detectorThreads);
  const file = detector.file;
  if (detector.stopped) {
    // Stopped while it loaded: nothing is wrong with the detector, so no warning.
    logger.info('face detector not started: the server stopped while it loaded');
  } else if (detector.status === 'ready') {
    logger.info('face detector ready', {
      file: file!.path,
      sha256: file!.sha256.slice(0, 12),
      source: file!.source,
      threads: options.detectorThreads,
      loadMs: Math.round(performance.now() - started),
    });
  } else if (detector.status === 'absent') {
    logger.info('no face detector; classifyFaces is unavailable', { reason: detector.reason });
  } else {
    logger.warn('the face detector cannot be used; classifyFaces is unavailable', {
      reason: detector.reason,
    });
  }
}

/** Starts the photo worker while the models warm, so that the first photo does not wait for it; never throws. */
async function warmPhotoWorker(logger: Logger): Promise<void> {
  try {
    await startPixelsWorker();
  } catch (error) {
    logger.warn('the photo worker could not start; the first photo will try again', { error });
  }
}

export async function startServer(
  partial: Partial<ServeOptions> = {},
  hooks: StartHooks = {},
): Promise<RunningServer> {
  const options: ServeOptions = {
    ...DEFAULT_OPTIONS,
    // As the CLI sets it: a larger batch allowed raises the default cost limit with it.
    maxQueryCost: defaultQueryCost(partial.maxBatchItems ?? DEFAULT_OPTIONS.maxBatchItems),
    ...partial,
  };
  const logger = hooks.logger ?? new Logger(options.logLevel);
  const models = await loadModels(options.models);
  logger.info('models checked', {
    dir: models.dir,
    models: models.models.map((m) => ({
      task: m.task,
      file: m.entry.file,
      sha256: m.entry.sha256.slice(0, 12),
      version: m.entry.training.runId,
    })),
  });
  const state = new ServerState(options, models, logger);
  const schema = await buildServeSchema();
  let apollo: ApolloServer<ServeContext> | null = null;
  const httpServer = http.createServer(createRequestHandler(state, () => apollo!));
  httpServer.keepAliveTimeout = 65_000;
  httpServer.on('clientError', onClientError(state));
  apollo = new ApolloServer<ServeContext>({
    schema,
    parseOptions: { maxTokens: MAX_QUERY_TOKENS },
    documentStore: documentStore(),
    validationRules: [noSubscriptions],
    introspection: !options.production,
    // No "Did you mean …?" naming the schema's fields to a client that may not introspect it.
    hideSchemaDetailsFromClientErrors: options.production,
    includeStacktraceInErrorResponses: !options.production,
    formatError: createFormatError(options.production),
    stopOnTerminationSignals: false,
    logger: {
      debug: (m) => logger.debug(String(m)),
      info: (m) => logger.info(String(m)),
      warn: (m) => logger.warn(String(m)),
      error: (m) => logger.error(String(m)),
    },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.drainTimeoutMs }),
      // Answers are never cached (every face differs), so the per-field cache-control bookkeeping is waste.
      ApolloServerPluginCacheControlDisabled(),
      options.production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      queryLimitsPlugin(options),
      undeclaredFieldsPlugin(),
      observabilityPlugin(state),
    ],
  });
  await apollo.start();
  await listen(httpServer, options.host, options.port);
  const port = (httpServer.address() as AddressInfo).port;
  const url = graphqlUrl(options.host, port);
  const cpuQuota = cgroupCpuQuota();
  logger.info('listening', {
    url,
    production: options.production,
    limits: { ...clientLimits(options), drainTimeoutMs: options.drainTimeoutMs },
    cors: options.corsOrigins.length === 0 ? 'none' : options.corsOrigins.join(','),
    cores: { available: availableParallelism(), cpuQuota: cpuQuota ?? null },
  });

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      state.markDraining();
      logger.info('draining', { timeoutMs: options.drainTimeoutMs });
      await apollo.stop();
      // The connections the grace period closed report it on their next turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      if (state.unansweredWhileDraining > 0) {
        logger.warn('requests closed unanswered while draining', {
          unanswered: state.unansweredWhileDraining,
          hint: `the grace period (--drain-ms ${options.drainTimeoutMs}) ran out, or their clients left`,
        });
      }
      if (state.engine) {
        await state.engine.idle();
        await state.engine.bound.release();
      }
      await state.detector.close();
      state.clientErrors.flush();
      logger.info('stopped');
    })());

  const settings: SessionSettings = {
    // 0 lets onnxruntime count the machine's cores, which a container's CPU quota does not limit.
    intraOpThreads: options.intraOpThreads || (quotaCores(cpuQuota) ?? 0),
    warmBatchSizes: [...new Set([1, options.maxBatchSize])],
  };
  // A GPU lost while serving falls back to cpu when the user allows cpu (`--ep` unset, or naming it).
  const eps = options.executionProviders;
  const registry = (hooks.registry ?? onnxProviderRegistry)(models.models, settings, {
    cpuFallback: eps.length === 0 || eps.includes('cpu'),
    onMove: (move) => logger.warn('the models moved to another execution provider', { ...move }),
  });
  // The detector loads beside the classifiers; whatever becomes of it, the server serves classify.
  // Several detector threads share the cores rather than each computing on all of them.
  const detectorIntraOp =
    options.detectorThreads > 1 && settings.intraOpThreads === 0
      ? Math.max(1, Math.floor(usableCores() / options.detectorThreads))
      : settings.intraOpThreads;
  const detectorLoaded = loadDetector(state, detectorIntraOp);
  const photoWorkerWarm = warmPhotoWorker(logger);
  const ready = (async () => {
    const started = performance.now();
    let choice: ProviderChoice<BoundModels>;
    try {
      choice = await registry.resolve(options.executionProviders);
    } catch (error) {
      await detectorLoaded;
      state.markFailed(error instanceof NoProviderError ? error.attempts : []);
      logger.error('no execution provider could run the models', { error });
      await stop();
      throw error;
    }
    if (stopping) {
      await choice.value.release();
      throw new Error('the server was stopped before it became ready');
    }
    for (const a of choice.attempts.filter((a) => a.outcome === 'failed')) {
      logger.warn('execution provider failed; trying the next', { provider: a.name, reason: a.reason });
    }
    for (const a of choice.attempts.filter((a) => a.outcome === 'skipped')) {
      logger.info('execution provider skipped', { provider: a.name, reason: a.reason });
    }
    const engine = new InferenceEngine(choice.value, {
      maxBatchSize: options.maxBatchSize,
      maxWaitMs: options.maxBatchWaitMs,
      onBatch: (size, seconds) => {
        state.metrics.batchSize.observe(size);
        state.metrics.batchSeconds.observe(seconds);
      },
    });
    await Promise.all([detectorLoaded, photoWorkerWarm]);
    state.markReady(engine, choice.attempts);
    logger.info('ready', {
      provider: choice.name,
      attempts: choice.attempts.map((a) =>
        a.reason ? `${a.name}: ${a.outcome} (${a.reason})` : `${a.name}: ${a.outcome}`,
      ),
      warmMs: Math.round(performance.now() - started),
      maxBatchSize: options.maxBatchSize,
      maxBatchWaitMs: options.maxBatchWaitMs,
    });
  })();
  return { url, port, state, ready, stop };
}
