import { NativeConnection } from '@temporalio/worker';
import pino from 'pino';
import { createActivities } from '../activities';
import {
  connectionOptions,
  dataConverterOf,
  notifyDepsOf,
  parseConfig,
  temporalConfigSchema,
} from '../config/temporal';
import { createEventWorker } from './worker';

/** `npm run worker`: one worker process against the configured Temporal (embedded or a cluster). */
async function main(): Promise<void> {
  const config = parseConfig(temporalConfigSchema, process.env);
  const logger = pino({ name: 'readiness-worker' });
  const connection = await NativeConnection.connect(connectionOptions(config));
  try {
    const worker = await createEventWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      dataConverter: dataConverterOf(config),
      activities: createActivities({ logger, ...notifyDepsOf(config) }),
    });
    console.log(`worker polling task queue "${config.TEMPORAL_TASK_QUEUE}" on ${config.TEMPORAL_ADDRESS}`);
    // Worker.run() drains and returns on SIGINT/SIGTERM (the SDK's default shutdown signals).
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
