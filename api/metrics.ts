import { InterceptingCall, status as GrpcStatus, type Interceptor } from '@grpc/grpc-js';
import { type Request, type RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The API's Prometheus metrics, in a registry of its own (never prom-client's global one, so two apps in
 * one process, as in the tests, never share or clash):
 *
 * - `http_requests_total`, `http_request_duration_seconds` by method, route template and status code;
 *   `http_requests_in_flight`;
 * - `readiness_api_temporal_rpc_total` by gRPC method and status code, and
 *   `readiness_api_temporal_rpc_duration_seconds` by method: every attempt of the API's Temporal client
 *   (a retried call counts once per attempt);
 * - `readiness_api_ready` and `readiness_api_readiness_check` (1/0 per check) from the last `/readyz` check;
 * - `readiness_api_worker_metrics_up` when a worker runs in the same process and its SDK core metrics are
 *   appended (`npm start`);
 * - prom-client's default process and Node.js metrics (`process_*`, `nodejs_*`).
 *
 * docs/operations.md explains each of them.
 */
export interface ApiMetrics {
  registry: Registry;
  /** First middleware of the app: counts and times every request under its route template. */
  httpMiddleware: RequestHandler;
  /** gRPC interceptor for the API's Temporal connection; put it after the retry interceptor. */
  temporalInterceptor: Interceptor;
  /** Records the outcome of a readiness check. */
  recordReadiness(ready: boolean, checks: Record<string, boolean>): void;
  /** The exposition text: this registry, then the in-process worker's SDK core metrics when configured. */
  render(): Promise<{ contentType: string; body: string }>;
}

export interface ApiMetricsOptions {
  /**
   * The in-process worker's SDK core Prometheus exporter (`http://127.0.0.1:9464/metrics`), appended to
   * `/metrics`. Only for a worker in the same process (`npm start`); a separate worker is its own target.
   */
  workerMetricsUrl?: string;
  /** How long to wait for the worker's exporter. Default 1000 ms. */
  workerMetricsTimeoutMs?: number;
  /** prom-client's process and Node.js metrics. Default true. */
  defaultMetrics?: boolean;
}

/** Latency buckets in seconds: queries answer in milliseconds, updates wait for the workflow. */
const httpBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const rpcBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 70];
const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const grpcCodeName = GrpcStatus as unknown as Record<number, string>;

/**
 * The route template of a request (`/events/:eventId`), never its raw path: ids would make one time series
 * per event. A request that matched no route (refused before routing, 404) is `unmatched`; the static
 * docs are `/docs`. Every router is mounted at the root, so the route's own path is the whole template.
 */
export function routeLabel(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return `${req.baseUrl ?? ''}${path}`;
  if (req.path === '/docs' || req.path.startsWith('/docs/')) return '/docs';
  return 'unmatched';
}

export function createApiMetrics(options: ApiMetricsOptions = {}): ApiMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to finishing its response, by method, route template and status code',
    labelNames,
    buckets: httpBuckets,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'http_requests_in_flight',
    help: 'HTTP requests received and not yet answered',
    registers: [registry],
  });
  const rpcs = new Counter({
    name: 'readiness_api_temporal_rpc_total',
    help: "Calls of the API's Temporal client (each attempt), by gRPC method and status code",
    labelNames: ['method', 'code'] as const,
    registers: [registry],
  });
  const rpcDuration = new Histogram({
    name: 'readiness_api_temporal_rpc_duration_seconds',
    help: "Duration of the API's Temporal client calls (each attempt), by gRPC method",
    labelNames: ['method'] as const,
    buckets: rpcBuckets,
    registers: [registry],
  });
  const ready = new Gauge({
    name: 'readiness_api_ready',
    help: '1 when the last readiness check passed (Temporal reachable, namespace present, search attributes registered)',
    registers: [registry],
  });
  const readinessChecks = new Gauge({
    name: 'readiness_api_readiness_check',
    help: 'Outcome of each part of the last readiness check: 1 passed, 0 failed or not reached',
    labelNames: ['check'] as const,
    registers: [registry],
  });
  const workerUp = options.workerMetricsUrl
    ? new Gauge({
        name: 'readiness_api_worker_metrics_up',
        help: "1 when the in-process worker's SDK core metrics could be read for this scrape",
        registers: [registry],
      })
    : undefined;

  const httpMiddleware: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    inFlight.inc();
    let done = false;
    const record = (statusCode: string) => {
      if (done) return;
      done = true;
      inFlight.dec();
      const labels = {
        method: knownMethods.has(req.method) ? req.method : 'OTHER',
        route: routeLabel(req),
        status_code: statusCode,
      };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    };
    res.once('finish', () => record(String(res.statusCode)));
    // The client went away before the response was complete: nginx's 499.
    res.once('close', () => record(res.writableFinished ? String(res.statusCode) : '499'));
    next();
  };

  const temporalInterceptor: Interceptor = (callOptions, nextCall) => {
    const method = callOptions.method_definition.path.split('/').pop() || 'unknown';
    const started = process.hrtime.bigint();
    return new InterceptingCall(nextCall(callOptions), {
      start(metadata, _listener, next) {
        next(metadata, {
          onReceiveStatus(status, nextStatus) {
            rpcs.inc({ method, code: grpcCodeName[status.code] ?? String(status.code) });
            rpcDuration.observe({ method }, Number(process.hrtime.bigint() - started) / 1e9);
            nextStatus(status);
          },
        });
      },
    });
  };

  const workerMetrics = async (): Promise<string | undefined> => {
    if (!options.workerMetricsUrl) return undefined;
    try {
      const response = await fetch(options.workerMetricsUrl, {
        signal: AbortSignal.timeout(options.workerMetricsTimeoutMs ?? 1_000),
      });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const text = await response.text();
      workerUp?.set(1);
      return text;
    } catch {
      workerUp?.set(0);
      return undefined;
    }
  };

  return {
    registry,
    httpMiddleware,
    temporalInterceptor,
    recordReadiness(isReady, checks) {
      ready.set(isReady ? 1 : 0);
      for (const [check, passed] of Object.entries(checks)) readinessChecks.set({ check }, passed ? 1 : 0);
    },
    async render() {
      // The worker's text first: its outcome is a gauge of this registry.
      const worker = await workerMetrics();
      const own = await registry.metrics();
      // Both are text format 0.0.4 and their names never overlap (the core's all start with temporal_).
      const body = worker ? `${own.endsWith('\n') ? own : `${own}\n`}${worker}` : own;
      return { contentType: registry.contentType, body };
    },
  };
}
