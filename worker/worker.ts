import path from 'node:path';
import { type LogLevel, type LogMetadata, type Logger as SdkLogger } from '@temporalio/common';
import { type NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { type Logger } from 'pino';

export interface EventWorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** A prebuilt bundle (tests bundle once per run); otherwise the worker bundles workflows/ itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  activities?: WorkerOptions['activities'];
  /** Payload codecs (encryption); the same converter the clients use, or none. */
  dataConverter?: WorkerOptions['dataConverter'];
}

export async function createEventWorker(deps: EventWorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    ...(deps.workflowBundle
      ? { workflowBundle: deps.workflowBundle }
      : { workflowsPath: path.resolve(__dirname, '../workflows/index.ts') }),
    activities: deps.activities ?? {},
    ...(deps.dataConverter ? { dataConverter: deps.dataConverter } : {}),
  });
}

export interface WorkerRuntimeOptions {
  /** Receives the SDK's logs (the worker's own, workflow and activity context loggers, and core's warnings). */
  logger?: Logger;
  /**
   * `ip:port` where the SDK core serves its Prometheus metrics (`GET /metrics`): task slots, pollers,
   * schedule-to-start and execution latencies, sticky cache, failures, Temporal requests (`temporal_*`).
   */
  metricsAddress?: string;
}

const pinoLevel: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The SDK's logger interface over pino: one JSON line a message, its metadata as fields (`error` as `err`). */
export function sdkLoggerOf(logger: Logger): SdkLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const { error, ...rest } = meta ?? {};
    logger[pinoLevel[level]]({ ...rest, ...(error !== undefined ? { err: error } : {}) }, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

/**
 * Installs the process's Temporal runtime: once, before the first NativeConnection (or Worker, or a
 * test server of the SDK). Binding the metrics address fails here, at start, when it is taken.
 */
export function installWorkerRuntime(options: WorkerRuntimeOptions): Runtime {
  return Runtime.install({
    ...(options.logger ? { logger: sdkLoggerOf(options.logger) } : {}),
    telemetryOptions: {
      ...(options.logger ? { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } } : {}),
      ...(options.metricsAddress ? { metrics: { prometheus: { bindAddress: options.metricsAddress } } } : {}),
    },
  });
}
