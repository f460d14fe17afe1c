import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { type DataConverter } from '@temporalio/common';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createProgramActivities } from '../../activities/program';
import { apiGrpcInterceptors } from '../../config/grpc';
import { dataConverterOf } from '../../config/temporal';
import { type Notification } from '../../domain';
import { createEventWorker } from '../../worker/worker';

export interface TestTemporal {
  client: Client;
  connection: Connection;
  nativeConnection: NativeConnection;
  taskQueue: string;
  namespace: string;
  address: string;
  /** Starts a worker on this file's task queue with the run's shared bundle. */
  /** Starts a worker on this file's task queue; `notify` records notifications unless replaced. */
  startWorker(options?: { activities?: object }): Promise<RunningWorker>;
  close(): Promise<void>;
}

export interface RunningWorker {
  worker: Worker;
  /** What the recording `notify` activity received, in order. */
  notifications: Notification[];
  /** Events whose after-action report the recording `renderReport` was asked for, in order. */
  reports: string[];
  stop(): Promise<void>;
}

export interface TestTemporalOptions {
  /** Used by the client and every worker started here; by default the engine's own (gzip compression). */
  dataConverter?: DataConverter;
}

/** Connects to the run's Temporal server, with a task queue of its own so test files never share work. */
export async function connectTestTemporal(options: TestTemporalOptions = {}): Promise<TestTemporal> {
  const dataConverter = options.dataConverter ?? dataConverterOf({ PAYLOAD_COMPRESSION: 'gzip' });
  const address = inject('temporalAddress');
  const namespace = inject('temporalNamespace');
  // The API's own gRPC policy: pushback reaches the caller at once instead of after client retries.
  const connection = await Connection.connect({ address, interceptors: apiGrpcInterceptors() });
  const nativeConnection = await NativeConnection.connect({ address });
  const client = new Client({ connection, namespace, ...(dataConverter ? { dataConverter } : {}) });
  const taskQueue = `test-${randomUUID()}`;
  const workers: RunningWorker[] = [];
  return {
    client,
    connection,
    nativeConnection,
    taskQueue,
    namespace,
    address,
    async startWorker(options = {}) {
      const notifications: Notification[] = [];
      const reports: string[] = [];
      // A recording fake of the notification activity: workflow tests assert on what was sent.
      const recording = {
        notify: (notification: Notification) => {
          notifications.push(notification);
          return Promise.resolve({ channels: { log: 'written' as const } });
        },
        // Programs are real: their workflows run on the same worker.
        ...createProgramActivities({ client, logger: { info: () => undefined } }),
        renderReport: ({ eventId }: { eventId: string }) => {
          reports.push(eventId);
          return Promise.resolve({ fingerprint: 'recorded', paths: {} });
        },
      };
      const worker = await createEventWorker({
        connection: nativeConnection,
        namespace,
        taskQueue,
        workflowBundle: { codePath: inject('workflowBundlePath') },
        // Given activities replace the recording ones of the same name; the others keep recording.
        activities: { ...recording, ...options.activities },
        ...(dataConverter ? { dataConverter } : {}),
      });
      const running = worker.run();
      const handle: RunningWorker = {
        worker,
        notifications,
        reports,
        async stop() {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await running;
        },
      };
      workers.push(handle);
      return handle;
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop()));
      await nativeConnection.close();
      await connection.close();
    },
  };
}

export const uniqueEventId = (label: string): string => `${label}-${randomUUID().slice(0, 8)}`;

/** Polls until `check` passes or the deadline expires; for eventually consistent reads (visibility). */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
