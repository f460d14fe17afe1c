import { NativeConnection } from '@temporalio/worker';
import { createLogger } from '../api/logger';
import {
  connectionOptions,
  dataConverterOf,
  logOptionsOf,
  parseConfig,
  temporalConfigSchema,
} from '../config/temporal';
import { createWorkerActivities } from './activities';
import { createEventWorker, installWorkerRuntime } from './worker';

/** `npm run worker`: one worker process against the configured Temporal (embedded or a cluster). */
async function main(): Promise<void> {
  const config = parseConfig(temporalConfigSchema, process.env);
  const logger = createLogger({ ...logOptionsOf(config), name: 'readiness-worker' });
  installWorkerRuntime({
    logger,
    ...(config.WORKER_METRICS_ADDRESS ? { metricsAddress: config.WORKER_METRICS_ADDRESS } : {}),
  });
  if (config.WORKER_METRICS_ADDRESS) {
    logger.info({ address: config.WORKER_METRICS_ADDRESS }, 'worker metrics (Prometheus) at /metrics');
  }
  const connection = await NativeConnection.connect(connectionOptions(config));
  const { activities, close } = createWorkerActivities(config, logger);
  try {
    const worker = await createEventWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      dataConverter: dataConverterOf(config),
      activities,
    });
    logger.info(
      {
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        temporal: config.TEMPORAL_ADDRESS,
        namespace: config.TEMPORAL_NAMESPACE,
      },
      `worker polling task queue "${config.TEMPORAL_TASK_QUEUE}" on ${config.TEMPORAL_ADDRESS}`,
    );
    // Worker.run() drains and returns on SIGINT/SIGTERM (the SDK's default shutdown signals).
    await worker.run();
  } finally {
    await close();
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
