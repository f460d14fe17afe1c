import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { apiGrpcInterceptors } from '../config/grpc';
import { connectionOptions, dataConverterOf, logOptionsOf } from '../config/temporal';
import { createApp } from './app';
import { createAuthenticator } from './auth';
import { createHttpServer } from './http-server';
import { authConfigOf, httpOptionsOf, opsOptionsOf, type ApiConfig } from './config';
import { createLogger } from './logger';
import { createApiMetrics } from './metrics';
import { createReadinessCheck } from './ops';
import { loadTemplateStore, type TemplateStore } from './templates';

export interface RunningApi {
  url: string;
  templates: TemplateStore;
  close(): Promise<void>;
}

export interface StartApiOptions {
  /**
   * The SDK core Prometheus endpoint of a worker running in this same process (`npm start`): the API's
   * `/metrics` then serves the worker's `temporal_*` metrics too, one scrape target for the process.
   */
  workerMetricsUrl?: string;
}

/**
 * gRPC reconnection: grpc-js backs off up to 2 minutes between attempts by default, so an API that lost its
 * Temporal for a while could stay unready that long after the server came back. Bounded here to seconds.
 */
const channelArgs = { 'grpc.initial_reconnect_backoff_ms': 500, 'grpc.max_reconnect_backoff_ms': 5_000 };

/** Connects to Temporal, builds the app and listens. Used by `npm run api` and the dev launcher. */
export async function startApi(config: ApiConfig, options: StartApiOptions = {}): Promise<RunningApi> {
  const logger = createLogger(logOptionsOf(config));
  const templates = loadTemplateStore(config.TEMPLATES_DIR);
  const metrics = createApiMetrics(options.workerMetricsUrl ? { workerMetricsUrl: options.workerMetricsUrl } : {});
  // Lazy: the API starts (and answers /healthz, and /readyz with 503) while Temporal is still unreachable,
  // instead of crash-looping; the channel connects, and reconnects after an outage, by itself.
  const connection = Connection.lazy({
    ...connectionOptions(config),
    channelArgs,
    // The counting interceptor after the retrying one: it sees every attempt.
    interceptors: [...apiGrpcInterceptors(), metrics.temporalInterceptor],
  });
  const dataConverter = dataConverterOf(config);
  const client = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    ...(dataConverter ? { dataConverter } : {}),
  });
  const ops = opsOptionsOf(config);
  const readiness = createReadinessCheck({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    logger,
    metrics,
    timeoutMs: ops.readinessTimeoutMs,
    cacheMs: ops.readinessCacheMs,
  });
  const app = createApp({
    client,
    authenticator: createAuthenticator(authConfigOf(config)),
    templates,
    logger,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    namespace: config.TEMPORAL_NAMESPACE,
    ...(config.TEMPORAL_UI_URL ? { temporalUiUrl: config.TEMPORAL_UI_URL } : {}),
    reportsDir: config.REPORTS_DIR,
    ...httpOptionsOf(config),
    ...ops,
    metrics,
    readiness,
  });
  const server = createHttpServer(app).listen(config.API_PORT, config.API_HOST);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = config.PUBLIC_URL ?? `http://${config.API_HOST}:${port}`;
  logger.info({ url, temporal: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE }, 'API listening');
  // A first check at start: a misconfigured address, credentials or namespace shows in the log at once
  // (the check logs its outcome, and every later change of it).
  void readiness.check();
  return {
    url,
    templates,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connection.close();
    },
  };
}
