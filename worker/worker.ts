import path from 'node:path';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';

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
