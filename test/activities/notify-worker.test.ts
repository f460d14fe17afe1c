import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { Notification } from '../../domain';
import { connectTestTemporal, uniqueEventId, type TestTemporal } from '../support/temporal';
import type { notifyOnce } from './notify-workflow';

/**
 * `notify` as a real activity: a real worker on the run's Temporal server, a test-only
 * workflow that calls it through proxyActivities, and a real HTTP receiver on loopback.
 * Checks what only Temporal can: retries carry the same delivery id, a receiver's
 * Retry-After replaces the policy's backoff, and WEBHOOK_REJECTED is not retried.
 */

let temporal: TestTemporal;
let workflowCode: string;
beforeAll(async () => {
  temporal = await connectTestTemporal();
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.resolve(__dirname, 'notify-workflow.ts'),
    logger: new DefaultLogger('WARN'),
  });
  workflowCode = code;
});
afterAll(async () => temporal?.close());

interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    }),
  );
});

/** Answers the n-th request (0-based) with `script[n]`, or the last entry once the script runs out. */
async function startReceiver(script: ((res: ServerResponse) => void)[]) {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const index = requests.length;
      requests.push({ at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      script[Math.min(index, script.length - 1)]!(res);
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, requests };
}

const answer =
  (status: number, headers: Record<string, string> = {}) =>
  (res: ServerResponse) => {
    res.writeHead(status, headers);
    res.end();
  };

const quietLogger = { info: () => undefined, warn: () => undefined };

function notificationFor(eventId: string): Notification {
  return {
    id: `ntf-${eventId}-escalation-gate-go-live-2`,
    eventId,
    kind: 'escalation',
    at: '2026-05-01T07:00:00.000Z',
    subject: { type: 'gate', id: 'go-live' },
    to: { units: [], roles: ['director'] },
    level: 2,
    summary: 'Go-live gate is 2 days overdue',
  };
}

/** Runs the test workflow on a fresh worker with notify wired to `webhookUrl`, until it ends. */
async function runNotify(webhookUrl: string, notification: Notification) {
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    workflowBundle: { code: workflowCode },
    activities: createActivities({ logger: quietLogger, webhookUrl }),
  });
  return worker.runUntil(
    temporal.client.workflow.execute<typeof notifyOnce>('notifyOnce', {
      args: [notification],
      taskQueue: temporal.taskQueue,
      workflowId: `notify-test/${notification.eventId}`,
    }),
  );
}

describe('notify in a Temporal worker', () => {
  it('delivers the notification through the worker', async () => {
    const receiver = await startReceiver([answer(204)]);
    const notification = notificationFor(uniqueEventId('deliver'));

    const result = await runNotify(receiver.url, notification);

    expect(result).toEqual({ channels: { log: 'written', webhook: 'delivered' } });
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0]!.body)).toEqual(notification);
    expect(receiver.requests[0]!.headers['x-delivery-id']).toBe(notification.id);
  });

  it('retries a 500 with the same delivery id until the receiver accepts', async () => {
    const receiver = await startReceiver([answer(500), answer(502), answer(200)]);
    const notification = notificationFor(uniqueEventId('retry'));

    const result = await runNotify(receiver.url, notification);

    expect(result.channels.webhook).toBe('delivered');
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.headers['x-delivery-id']))).toEqual(new Set([notification.id]));
  });

  // The policy's 100 ms backoff comes out at about 1 s (the server's retry timer granularity): 4 s is the receiver's.
  it("waits for the receiver's Retry-After instead of the policy's backoff", async () => {
    const receiver = await startReceiver([answer(429, { 'Retry-After': '4' }), answer(200)]);
    const notification = notificationFor(uniqueEventId('retry-after'));

    await runNotify(receiver.url, notification);

    expect(receiver.requests).toHaveLength(2);
    const waited = receiver.requests[1]!.at - receiver.requests[0]!.at;
    expect(waited).toBeGreaterThanOrEqual(3_900);
  });

  it('does not retry a WEBHOOK_REJECTED: the workflow sees the typed failure with the status', async () => {
    const receiver = await startReceiver([answer(400), answer(200)]);
    const notification = notificationFor(uniqueEventId('rejected'));

    const error: unknown = await runNotify(receiver.url, notification).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(WorkflowFailedError);
    const activityFailure = (error as WorkflowFailedError).cause;
    expect(activityFailure).toBeInstanceOf(ActivityFailure);
    const failure = (activityFailure as ActivityFailure).cause;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe('WEBHOOK_REJECTED');
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((failure as ApplicationFailure).details).toEqual([{ status: 400 }]);
    expect(receiver.requests).toHaveLength(1);
  });
});
