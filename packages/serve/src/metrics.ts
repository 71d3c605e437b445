/**
 * Prometheus metrics for /metrics: requests and errors by code, HTTP responses by status, request latency, batch sizes and run
 * times, faces found per photo searched and the detector's time, photos decoding and waiting their turn, faces abandoned by clients that left, the provider in
 * use and readiness, plus Node's process metrics (memory, event-loop lag), which the soak test reads to
 * see memory settle. A registry per server, so tests can start several.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { decodeLoad } from './decode-image.js';

export interface ServeMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'operation' | 'outcome'>;
  readonly responses: Counter<'route' | 'status'>;
  readonly errors: Counter<'code'>;
  readonly latency: Histogram<'operation'>;
  readonly faces: Counter<'source'>;
  readonly abandoned: Counter<'stage'>;
  readonly facesPerPhoto: Histogram;
  readonly detectionSeconds: Histogram;
  readonly decodes: Gauge<'state'>;
  readonly batchSize: Histogram;
  readonly batchSeconds: Histogram;
  readonly provider: Gauge<'provider'>;
  readonly ready: Gauge;
  readonly inFlight: Gauge;
}

/**
 * `ready` and `provider` are read when /metrics is scraped: the server's readiness as /readyz reports
 * it, and the provider the models run on now (a fallback while a lost GPU cannot be bound again).
 */
export function createMetrics(
  ready: () => boolean = () => false,
  provider: () => string | undefined = () => undefined,
  inFlight: () => number = () => 0,
): ServeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'facekit_' });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'facekit_graphql_requests_total',
      help: 'GraphQL requests by root operation and outcome (ok, error, partial)',
      labelNames: ['operation', 'outcome'],
      registers,
    }),
    responses: new Counter({
      name: 'facekit_http_responses_total',
      help: 'HTTP responses by route (graphql, metrics, healthz, readyz, other) and status code, those refused before GraphQL runs included',
      labelNames: ['route', 'status'],
      registers,
    }),
    errors: new Counter({
      name: 'facekit_errors_total',
      help: 'Errors returned to clients, by extensions.code',
      labelNames: ['code'],
      registers,
    }),
    latency: new Histogram({
      name: 'facekit_request_duration_seconds',
      help: 'GraphQL request latency, from body received to response ready',
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers,
    }),
    faces: new Counter({
      name: 'facekit_faces_total',
      help: 'Faces classified, by input kind (pixels, image, detected: found in a photo by classifyFaces)',
      labelNames: ['source'],
      registers,
    }),
    abandoned: new Counter({
      name: 'facekit_abandoned_faces_total',
      help: 'Faces of clients that closed the connection unanswered: photos dropped before decoding (stage="decode"), faces not run (stage="run")',
      labelNames: ['stage'],
      registers,
    }),
    facesPerPhoto: new Histogram({
      name: 'facekit_detected_faces_per_photo',
      help: 'Faces the detector found per photo searched by classifyFaces (_count: photos searched, _sum: faces found)',
      buckets: [0, 1, 2, 3, 5, 10, 20, 50],
      registers,
    }),
    detectionSeconds: new Histogram({
      name: 'facekit_detection_duration_seconds',
      help: "Time to find the faces in one photo and reduce each to 48×48, on the detector's thread",
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1],
      registers,
    }),
    decodes: new Gauge({
      name: 'facekit_photo_decodes',
      help: 'Photos being decoded (state="active", one per core at most) and waiting for a decode slot (state="waiting"), process-wide',
      labelNames: ['state'],
      registers,
      collect() {
        const { active, waiting } = decodeLoad();
        this.set({ state: 'active' }, active);
        this.set({ state: 'waiting' }, waiting);
      },
    }),
    batchSize: new Histogram({
      name: 'facekit_batch_size',
      help: 'Faces per model run (micro-batch size)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'facekit_batch_duration_seconds',
      help: 'Time to run one micro-batch through every requested model',
      buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
      registers,
    }),
    provider: new Gauge({
      name: 'facekit_execution_provider',
      help: '1 for the execution provider in use',
      labelNames: ['provider'],
      registers,
      collect() {
        this.reset();
        const now = provider();
        if (now) this.set({ provider: now }, 1);
      },
    }),
    ready: new Gauge({
      name: 'facekit_ready',
      help: '1 once the models are loaded and warmed, 0 while starting, draining or unable to run them',
      registers,
      collect() {
        this.set(ready() ? 1 : 0);
      },
    }),
    inFlight: new Gauge({
      name: 'facekit_graphql_in_flight',
      help: 'GraphQL requests being answered now; past --max-inflight new ones are refused with 503 SERVER_BUSY',
      registers,
      collect() {
        this.set(inFlight());
      },
    }),
  };
}
