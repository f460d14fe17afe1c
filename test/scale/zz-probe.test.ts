import * as grpc from '@grpc/grpc-js';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { afterAll, beforeAll, it } from 'vitest';
import { eventWorkflowId, completeItemUpdate } from '../../workflows/definitions';
import { createTestApi, type TestApi } from '../support/api';
import { tinyWindow } from '../support/fixtures';
import { connectTestTemporal, uniqueEventId, type TestTemporal } from '../support/temporal';

let temporal: TestTemporal;
let api: TestApi;
beforeAll(async () => {
  temporal = await connectTestTemporal();
  api = createTestApi(temporal);
});
afterAll(async () => temporal?.close());

it('probe', { timeout: 300_000 }, async () => {
  const t0 = Date.now();
  const log: string[] = [];
  const logger: grpc.Interceptor = (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        next(metadata, {
          ...listener,
          onReceiveStatus(status, nxt) {
            if (options.method_definition.path.includes('UpdateWorkflowExecution'))
              log.push(`${Date.now() - t0}ms ${options.method_definition.path.split('/').pop()} code=${status.code} ${status.details} deadline=${String(options.deadline)}`);
            nxt(status);
          },
        });
      },
    });
  const connection = await Connection.connect({
    address: temporal.address,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), logger],
  });
  const client = new Client({ connection, namespace: temporal.namespace });
  const worker = await temporal.startWorker();
  const eventId = uniqueEventId('probe');
  await api.request.post('/events').set(await api.as('planner.linh')).send({ eventId, template: 'tiny-summit', window: tinyWindow }).expect(201);
  await api.request.get(`/events/${eventId}`).set(await api.as('planner.linh')).expect(200);
  await worker.stop();
  const handle = client.workflow.getHandle(eventWorkflowId(eventId));
  const results: string[] = [];
  const ps = Array.from({ length: 15 }, (_, i) =>
    handle
      .executeUpdate(completeItemUpdate, { args: [{ actor: { id: 'office.mai' }, command: { type: 'completeItem', itemId: 'plan.master', evidence: [] } as never }] })
      .then(
        () => results.push(`${i} ok ${Date.now() - t0}`),
        (e: unknown) => {
          const err = e as Error & { cause?: { code?: number; details?: string } };
          results.push(`${i} ${err.name} ${err.message} cause=${err.cause?.code} ${err.cause?.details} ${Date.now() - t0}`);
        },
      ),
  );
  await new Promise((r) => setTimeout(r, 90_000));
  await temporal.startWorker();
  await Promise.all(ps);
  console.log(log.join('\n'));
  console.log(results.join('\n'));
  await connection.close();
});
