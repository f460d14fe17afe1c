import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { createActivities, type ActivityDeps } from '../activities';
import { reportsDirSchema } from '../config/paths';
import { connectionOptions, dataConverterOf, notifyDepsOf, parseConfig, type TemporalConfig } from '../config/temporal';

const workerPathsSchema = z.object({ REPORTS_DIR: reportsDirSchema });

/**
 * The activities a worker process registers, with their dependencies: the
 * notification channels from the environment, and a Temporal client through
 * which checks report their results, reports read the event's history and
 * events report to their program.
 * Shared by `npm run worker` and `npm start`.
 */
export function createWorkerActivities(
  config: TemporalConfig,
  logger: ActivityDeps['logger'],
  env: NodeJS.ProcessEnv = process.env,
): { activities: ReturnType<typeof createActivities>; close: () => Promise<void> } {
  const { REPORTS_DIR } = parseConfig(workerPathsSchema, env);
  const connection = Connection.lazy(connectionOptions(config));
  const dataConverter = dataConverterOf(config);
  const client = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    ...(dataConverter ? { dataConverter } : {}),
  });
  const activities = createActivities({
    logger,
    ...notifyDepsOf(config),
    checks: { client },
    program: { client },
    reports: { client, reportsDir: REPORTS_DIR },
  });
  return { activities, close: () => connection.close() };
}
