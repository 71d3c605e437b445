/**
 * Every knob the server has, with its default, in one place: the CLI parses flags and environment
 * variables into a `ServeOptions`, tests and benchmarks build one directly. Limits live here too so the
 * README, `--help` and the error messages quote the same numbers.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asksForHelp, parseFlags, userPath, wholeNumber } from '@facekit/core/node';
import { usableCores } from './cpu-quota.js';

/** The execution providers the server knows, in the order it tries them (onnx-providers.ts registers them). */
export const EXECUTION_PROVIDERS: readonly string[] = ['cuda', 'webgpu', 'cpu'];

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

export interface ServeOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Path to models/manifest.json (or the folder holding it). */
  readonly models: string;
  /** Execution providers to try, in order; empty = the registry's own order (cuda, webgpu, cpu). */
  readonly executionProviders: readonly string[];
  /** Most faces gathered into one session.run. */
  readonly maxBatchSize: number;
  /** Longest a face waits for others to join its batch, in milliseconds (0 = only those already queued). */
  readonly maxBatchWaitMs: number;
  /** Most inputs one classifyBatch may carry. */
  readonly maxBatchItems: number;
  /** Largest request body, in bytes. */
  readonly maxBodyBytes: number;
  /** Largest decoded image file, in bytes. */
  readonly maxImageBytes: number;
  /** Largest image, in pixels (width × height). */
  readonly maxImagePixels: number;
  /** Deepest selection set a query may have. */
  readonly maxQueryDepth: number;
  /** Highest estimated cost a request may have (see query-limits.ts). */
  readonly maxQueryCost: number;
  /** ORT intra-op threads per session; 0 lets onnxruntime choose. */
  readonly intraOpThreads: number;
  /** Threads the face detector runs on, a photo at a time each. */
  readonly detectorThreads: number;
  /** GraphQL requests answered at once; more are refused with 503 SERVER_BUSY, their bodies unread. */
  readonly maxInFlight: number;
  /** How long SIGTERM waits for in-flight requests before closing connections, in ms. */
  readonly drainTimeoutMs: number;
  /** Origins allowed to call from a browser (CORS); ['*'] for any, [] for none. */
  readonly corsOrigins: readonly string[];
  /** Production hides stack traces and internal messages, disables introspection and the landing page. */
  readonly production: boolean;
  readonly logLevel: LogLevel;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** The shipped models: <repo>/models/manifest.json. */
export const DEFAULT_MODELS = path.resolve(here, '../../../models/manifest.json');

export const DEFAULT_OPTIONS: ServeOptions = {
  host: '0.0.0.0',
  port: 4000,
  models: DEFAULT_MODELS,
  executionProviders: [],
  maxBatchSize: 32,
  maxBatchWaitMs: 1,
  maxBatchItems: 256,
  maxBodyBytes: 16 * 1024 * 1024,
  maxImageBytes: 8 * 1024 * 1024,
  maxImagePixels: 4096 * 4096,
  maxQueryDepth: 12,
  maxQueryCost: 12_000,
  maxInFlight: 256,
  intraOpThreads: 0,
  // Measured on two cores: two threads answer a fifth more photos a second than one.
  detectorThreads: Math.min(2, usableCores()),
  drainTimeoutMs: 10_000,
  corsOrigins: ['*'],
  production: process.env.NODE_ENV === 'production',
  logLevel: 'info',
};

export const HELP = `Usage: pnpm serve [options]

Serves the GraphQL classify API (POST/GET /graphql), Prometheus metrics (/metrics) and
probes (/healthz, /readyz) over the ONNX models named by a manifest.

Options:
  --port <n>              port to listen on; 0 picks a free one       [PORT, default 4000]
  --host <addr>           address to bind                             [HOST, default 0.0.0.0]
  --models <path>         models/manifest.json or its folder          [SERVE_MODELS, default: the shipped models]
  --ep <list>             execution providers to try, in order, e.g. "webgpu,cpu" (${EXECUTION_PROVIDERS.join(', ')})
                          [SERVE_EP; default: all three in that order, passing over cuda
                          without its libraries and WebGPU on a software adapter]
  --max-batch <n>         most faces in one session.run (≤ 4096)      [default 32]
  --max-wait-ms <ms>      longest a face waits for a batch to fill    [default 1]
  --max-batch-items <n>   most inputs in one classifyBatch            [default 256]
  --max-body <bytes>      largest request body                        [default 16777216]
  --max-image-bytes <n>   largest image file                          [default 8388608]
  --max-image-pixels <n>  largest image, width × height               [default 16777216]
  --max-depth <n>         deepest query                               [default 12]
  --max-cost <n>          costliest query (README: QUERY_TOO_COSTLY)  [default 12000,
                          or 45 × --max-batch-items when that is more]
  --max-inflight <n>      GraphQL requests answered at once; more get 503
                          SERVER_BUSY with Retry-After, unread        [default 256]
  --threads <n>           onnxruntime intra-op threads (0 = one per core, or per CPU of a
                          container's CPU quota) [default 0; they do not spin while idle,
                          so they leave the cores to request handling]
  --detector-threads <n>  threads the face detector runs on, a photo at a time each, sharing
                          the cores (classifyFaces' photos a second; ≈ 30 MB each)
                          [default 2, or 1 on a single core]
  --drain-ms <ms>         SIGTERM grace period for in-flight requests [default 10000]
  --cors <list>           origins allowed to call from a browser, or "none"
                          (the web demo runs on another origin)       [SERVE_CORS, default *]
  --production            hide stack traces, introspection, the landing page and file paths
                          [NODE_ENV=production]
  --log-level <level>     error | warn | info | debug (debug logs every request) [LOG_LEVEL, default info]
  -h, --help              show this text
`;

/**
 * The largest whole number a flag takes unless it says otherwise: GraphQL's Int (health.limits reports
 * the limits) and Node's timers (--drain-ms, --max-wait-ms) go no further.
 */
const INT32_MAX = 2 ** 31 - 1;

/** A whole-number flag (or its environment variable), `fallback` when neither was given. */
function int(name: string, value: string | undefined, fallback: number, min = 0, max = INT32_MAX): number {
  return value === undefined ? fallback : wholeNumber(name, value, min, max);
}

/**
 * The cost limit when none is given, for the CLI and startServer alike: 12,000, or 45 a face for a
 * full classifyBatch of `maxBatchItems` when that is more.
 */
export function defaultQueryCost(maxBatchItems: number): number {
  return Math.max(DEFAULT_OPTIONS.maxQueryCost, maxBatchItems * 45);
}

/** The limits a client can run into, as `health.limits` reports them and the start-up log line gives them. */
export function clientLimits(o: ServeOptions) {
  return {
    maxBatchSize: o.maxBatchSize,
    maxBatchWaitMs: o.maxBatchWaitMs,
    maxBatchItems: o.maxBatchItems,
    maxBodyBytes: o.maxBodyBytes,
    maxImageBytes: o.maxImageBytes,
    maxImagePixels: o.maxImagePixels,
    maxQueryDepth: o.maxQueryDepth,
    maxQueryCost: o.maxQueryCost,
    maxInFlight: o.maxInFlight,
  };
}

/** A whole number from an environment variable, refused under the variable's own name. */
function envInt(name: string, value: string, min: number, max: number): number {
  try {
    return wholeNumber(name, value, min, max);
  } catch (error) {
    throw new RangeError((error as Error).message.replace(`--${name}`, name));
  }
}

/**
 * `--ep`'s list (pnpm serve's and pnpm classify's), every name checked so a typo is refused before
 * anything starts.
 */
export function providerList(source: string, list: string): string[] {
  const names = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
  const unknown = names.filter((n) => !EXECUTION_PROVIDERS.includes(n));
  if (unknown.length > 0)
    throw new RangeError(
      `${source}: unknown execution provider ${unknown.map((n) => `"${n}"`).join(', ')}; known: ${EXECUTION_PROVIDERS.join(', ')}`,
    );
  return names;
}

/** Parses CLI flags (and the environment variables named in HELP). Returns null when --help was asked. */
export function parseServeArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ServeOptions | null {
  // As every command: help beside a wrong option is still help.
  if (asksForHelp(argv)) return null;
  const { values } = parseFlags(
    HELP,
    {
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        models: { type: 'string' },
        ep: { type: 'string' },
        'max-batch': { type: 'string' },
        'max-wait-ms': { type: 'string' },
        'max-batch-items': { type: 'string' },
        'max-body': { type: 'string' },
        'max-inflight': { type: 'string' },
        'max-image-bytes': { type: 'string' },
        'max-image-pixels': { type: 'string' },
        'max-depth': { type: 'string' },
        'max-cost': { type: 'string' },
        threads: { type: 'string' },
        'detector-threads': { type: 'string' },
        'drain-ms': { type: 'string' },
        cors: { type: 'string' },
        production: { type: 'boolean' },
        'log-level': { type: 'string' },
      },
    },
    argv,
  );
  const d = DEFAULT_OPTIONS;
  // In any letter case: a platform's shared LOG_LEVEL=INFO stopped the start.
  const logLevel = (values['log-level'] ?? env.LOG_LEVEL ?? d.logLevel).toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    const source = values['log-level'] === undefined ? 'LOG_LEVEL' : '--log-level';
    throw new RangeError(`${source} must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const ep = values.ep ?? env.SERVE_EP ?? '';
  const models = values.models ?? env.SERVE_MODELS;
  const cors = (values.cors ?? env.SERVE_CORS ?? '*').trim();
  // At most 45 × that many is the default cost limit, which must stay an Int too.
  const maxBatchItems = int('max-batch-items', values['max-batch-items'], d.maxBatchItems, 1, 1_000_000);
  return {
    // An empty HOST (a platform's unset variable) is no address: the server logged http://:4000/graphql.
    host: values.host ?? (env.HOST || d.host),
    port:
      values.port === undefined && env.PORT !== undefined
        ? envInt('PORT', env.PORT, 0, 65535)
        : int('port', values.port, d.port, 0, 65535),
    models: models ? userPath(models, env) : d.models,
    executionProviders: providerList(values.ep === undefined ? 'SERVE_EP' : '--ep', ep),
    // Warming up runs a batch of this size: 4096 faces are 38 MB of input.
    maxBatchSize: int('max-batch', values['max-batch'], d.maxBatchSize, 1, 4096),
    maxBatchWaitMs: int('max-wait-ms', values['max-wait-ms'], d.maxBatchWaitMs),
    maxBatchItems,
    maxBodyBytes: int('max-body', values['max-body'], d.maxBodyBytes, 1024),
    maxImageBytes: int('max-image-bytes', values['max-image-bytes'], d.maxImageBytes, 1),
    maxImagePixels: int('max-image-pixels', values['max-image-pixels'], d.maxImagePixels, 1),
    // 3: classify { age { label } } is three deep.
    maxQueryDepth: int('max-depth', values['max-depth'], d.maxQueryDepth, 3),
    maxQueryCost: int('max-cost', values['max-cost'], defaultQueryCost(maxBatchItems), 1),
    maxInFlight: int('max-inflight', values['max-inflight'], d.maxInFlight, 1),
    intraOpThreads: int('threads', values.threads, d.intraOpThreads, 0, 1024),
    detectorThreads: int('detector-threads', values['detector-threads'], d.detectorThreads, 1, 64),
    drainTimeoutMs: int('drain-ms', values['drain-ms'], d.drainTimeoutMs),
    corsOrigins:
      cors === 'none'
        ? []
        : cors
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean),
    production: values.production === true || env.NODE_ENV === 'production',
    logLevel: logLevel as LogLevel,
  };
}
