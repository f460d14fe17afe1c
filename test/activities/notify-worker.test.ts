import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type NotifyDeps } from '../../activities';
import { verifyWebhookSignature, type NotifyDelivery } from '../../activities/notify';
import type { Notification } from '../../domain';
import { connectTestTemporal, uniqueEventId, type TestTemporal } from '../support/temporal';
import { startSmtpReceiver, type SmtpReceiver, type SmtpScript } from './notify-receivers';
import type { notifyBounded, notifyOnce } from './notify-workflow';

/**
 * `notify` as a real activity: a real worker on the run's Temporal server, test-only workflows
 * that call it through proxyActivities, and real receivers on loopback (an HTTP server that
 * verifies signatures and dedupes on X-Delivery-Id, an SMTP server). Checks what only Temporal
 * can: retries carry the same delivery id, a receiver's Retry-After replaces the policy's backoff,
 * rejections are not retried, and a retry skips the channels an earlier attempt finished.
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

const SECRET = 'test-webhook-secret-0123456789abcdef';
/** Deps with both channels on: the signed webhook at the receiver and email through the loopback SMTP server. */
const bothChannels = (webhookUrl: string, smtpUrl: string, logger: NotifyDeps['logger']): NotifyDeps => ({
  webhookUrl,
  webhookSecret: SECRET,
  smtp: { url: smtpUrl, from: 'readiness@example.vn' },
  logger,
});

interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether the signature checked out with SECRET. */
  signatureValid: boolean;
}

const servers: Server[] = [];
const smtpServers: SmtpReceiver[] = [];
afterEach(async () => {
  await Promise.all([
    ...servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    }),
    ...smtpServers.splice(0).map((server) => server.close()),
  ]);
});

interface Answer {
  status: number;
  headers?: Record<string, string>;
}

/**
 * A webhook receiver as the docs tell receivers to be: it verifies the signature (401 when it does
 * not check out), then answers the n-th request (0-based) with `script[n]` (the last entry once the
 * script runs out), and processes a 2xx delivery only if its X-Delivery-Id is new.
 */
async function startReceiver(script: Answer[], options: { secret?: string } = {}) {
  const requests: Received[] = [];
  const processed = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const signatureValid =
        options.secret !== undefined &&
        verifyWebhookSignature({
          secret: options.secret,
          timestamp: req.headers['x-signature-timestamp'] as string | undefined,
          signature: req.headers['x-signature'] as string | undefined,
          body: raw,
          nowSeconds: Date.now() / 1000,
        }).valid;
      const index = requests.length;
      requests.push({ at: Date.now(), headers: req.headers, body: raw.toString('utf8'), signatureValid });
      if (options.secret !== undefined && !signatureValid) {
        res.writeHead(401).end();
        return;
      }
      const answer = script[Math.min(index, script.length - 1)]!;
      if (answer.status >= 200 && answer.status < 300) {
        const id = String(req.headers['x-delivery-id']);
        processed.set(id, (processed.get(id) ?? 0) + 1);
      }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end();
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, requests, processed };
}

async function startSmtp(script: SmtpScript = {}) {
  const receiver = await startSmtpReceiver(script);
  smtpServers.push(receiver);
  return receiver;
}

/** A URL nothing listens on: connections are refused. */
async function downUrl(): Promise<string> {
  const { url } = await startReceiver([{ status: 204 }]);
  const server = servers.pop()!;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return url;
}

const answer = (status: number, headers?: Record<string, string>): Answer => ({
  status,
  ...(headers ? { headers } : {}),
});

function notificationFor(eventId: string): Notification {
  return {
    id: `${eventId}:escalation:gate:go-live:2026-05-01T07:00:00.000Z:2`,
    eventId,
    kind: 'escalation',
    at: '2026-05-01T07:00:00.000Z',
    subject: { type: 'gate', id: 'go-live' },
    to: { units: [], roles: ['director'] },
    level: 2,
    summary: 'Kiểm tra an ninh mạng: cổng go-live quá hạn 2 ngày',
  };
}

const recipients: NotifyDelivery = { emails: [{ address: 'tuan@steering.example.vn', name: 'Trần Anh Tuấn' }] };

/** The attempt numbers `notify` logged, in order. */
function attemptLogger() {
  const attempts: number[] = [];
  return {
    attempts,
    logger: {
      info: (obj: object) => {
        const { attempt } = obj as { attempt?: number };
        if (attempt !== undefined) attempts.push(attempt);
      },
      warn: () => undefined,
    },
  };
}

/** Runs a test workflow on a fresh worker with notify built from `deps`, until it ends. */
async function runNotify(
  deps: Omit<NotifyDeps, 'logger'> & { logger?: NotifyDeps['logger'] },
  notification: Notification,
  options: { workflow?: 'notifyOnce' | 'notifyBounded'; delivery?: NotifyDelivery } = {},
) {
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    workflowBundle: { code: workflowCode },
    activities: createActivities({ logger: attemptLogger().logger, ...deps }),
  });
  return worker.runUntil(
    temporal.client.workflow.execute<typeof notifyOnce | typeof notifyBounded>(options.workflow ?? 'notifyOnce', {
      args: options.delivery ? [notification, options.delivery] : [notification],
      taskQueue: temporal.taskQueue,
      workflowId: `notify-test/${notification.eventId}`,
    }),
  );
}

/** The workflow's failure, unwrapped to the activity failure and the application failure inside it. */
async function failureOf(run: Promise<unknown>) {
  const error: unknown = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const activity = (error as WorkflowFailedError).cause;
  expect(activity).toBeInstanceOf(ActivityFailure);
  const failure = (activity as ActivityFailure).cause;
  expect(failure).toBeInstanceOf(ApplicationFailure);
  return { activity: activity as ActivityFailure, failure: failure as ApplicationFailure };
}

describe('notify in a Temporal worker: webhook', () => {
  it('delivers the notification, signed, through the worker', async () => {
    const receiver = await startReceiver([answer(204)], { secret: SECRET });
    const notification = notificationFor(uniqueEventId('deliver'));

    const result = await runNotify({ webhookUrl: receiver.url, webhookSecret: SECRET }, notification);

    expect(result).toEqual({ channels: { log: 'written', webhook: 'delivered' } });
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.signatureValid).toBe(true);
    expect(JSON.parse(receiver.requests[0]!.body)).toEqual(notification);
    expect(receiver.requests[0]!.headers['x-delivery-id']).toBe(notification.id);
  });

  it('a receiver that fails twice and then accepts processes the notification exactly once, on the third attempt', async () => {
    const receiver = await startReceiver([answer(503), answer(500), answer(200)], { secret: SECRET });
    const notification = notificationFor(uniqueEventId('retry'));
    const { logger, attempts } = attemptLogger();

    const result = await runNotify({ webhookUrl: receiver.url, webhookSecret: SECRET, logger }, notification);

    expect(result.channels.webhook).toBe('delivered');
    expect(attempts).toEqual([1, 2, 3]);
    expect(receiver.requests).toHaveLength(3);
    // Every attempt is signed anew, with the same delivery id.
    expect(receiver.requests.map((r) => r.signatureValid)).toEqual([true, true, true]);
    expect(new Set(receiver.requests.map((r) => r.headers['x-delivery-id']))).toEqual(new Set([notification.id]));
    expect([...receiver.processed]).toEqual([[notification.id, 1]]);
  });

  // The policy's 100 ms backoff comes out at about 1 s (the server's retry timer granularity): 4 s is the receiver's.
  it("waits for the receiver's Retry-After instead of the policy's backoff", async () => {
    const receiver = await startReceiver([answer(429, { 'Retry-After': '4' }), answer(200)]);
    const notification = notificationFor(uniqueEventId('retry-after'));

    await runNotify({ webhookUrl: receiver.url }, notification);

    expect(receiver.requests).toHaveLength(2);
    const waited = receiver.requests[1]!.at - receiver.requests[0]!.at;
    expect(waited).toBeGreaterThanOrEqual(3_900);
  });

  it('a receiver that always answers 400 gets one attempt: the workflow sees WEBHOOK_REJECTED with the status', async () => {
    const receiver = await startReceiver([answer(400), answer(200)], { secret: SECRET });
    const notification = notificationFor(uniqueEventId('rejected'));
    const { logger, attempts } = attemptLogger();

    const { failure } = await failureOf(
      runNotify({ webhookUrl: receiver.url, webhookSecret: SECRET, logger }, notification),
    );

    expect(failure.type).toBe('WEBHOOK_REJECTED');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details).toEqual([{ status: 400 }, { channel: 'webhook', channels: { log: 'written' } }]);
    expect(receiver.requests).toHaveLength(1);
    expect(attempts).toEqual([1]);
    expect(receiver.processed.size).toBe(0);
  });

  it('a receiver that is down is retried until the policy gives up with WEBHOOK_UNAVAILABLE', async () => {
    const url = await downUrl();
    const notification = notificationFor(uniqueEventId('down'));
    const { logger, attempts } = attemptLogger();

    const { activity, failure } = await failureOf(
      runNotify({ webhookUrl: url, webhookSecret: SECRET, logger }, notification, { workflow: 'notifyBounded' }),
    );

    expect(activity.retryState).toBe(RetryState.MAXIMUM_ATTEMPTS_REACHED);
    expect(failure.type).toBe('WEBHOOK_UNAVAILABLE');
    expect(failure.details?.[0]).toEqual({ reason: 'network' });
    expect(attempts).toEqual([1, 2, 3]);
  });
});

describe('notify in a Temporal worker: email, and both channels', () => {
  it('emails the recipients the caller resolved, once', async () => {
    const smtp = await startSmtp();
    const notification = notificationFor(uniqueEventId('email'));

    const result = await runNotify({ smtp: { url: smtp.url, from: 'readiness@example.vn' } }, notification, {
      delivery: recipients,
    });

    expect(result).toEqual({ channels: { log: 'written', email: 'sent' } });
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.envelope.to).toEqual(['tuan@steering.example.vn']);
    expect(smtp.mails[0]!.parsed.subject).toContain('Kiểm tra an ninh mạng');
  });

  it('an SMTP 550 gets one attempt: the workflow sees EMAIL_REJECTED', async () => {
    const smtp = await startSmtp({ rcpt: () => ({ code: 550 }) });
    const notification = notificationFor(uniqueEventId('email-550'));

    const { failure } = await failureOf(
      runNotify({ smtp: { url: smtp.url, from: 'readiness@example.vn' } }, notification, { delivery: recipients }),
    );

    expect(failure.type).toBe('EMAIL_REJECTED');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details?.[0]).toMatchObject({ responseCode: 550 });
    expect(smtp.sessions()).toBe(1);
  });

  it('a deferred email is retried without posting the delivered webhook again', async () => {
    const receiver = await startReceiver([answer(200)], { secret: SECRET });
    const smtp = await startSmtp({ rcpt: (_address, session) => (session === 0 ? { code: 451 } : undefined) });
    const notification = notificationFor(uniqueEventId('both'));
    const { logger, attempts } = attemptLogger();

    const result = await runNotify(bothChannels(receiver.url, smtp.url, logger), notification, {
      delivery: recipients,
    });

    expect(result).toEqual({ channels: { log: 'written', webhook: 'delivered', email: 'sent' } });
    expect(attempts).toEqual([1, 2]);
    expect(receiver.requests).toHaveLength(1);
    expect([...receiver.processed]).toEqual([[notification.id, 1]]);
    expect(smtp.sessions()).toBe(2);
    expect(smtp.mails).toHaveLength(1);
  });

  it('an email refused for good after the webhook went out fails with EMAIL_REJECTED and the webhook is not resent', async () => {
    const receiver = await startReceiver([answer(200)], { secret: SECRET });
    const smtp = await startSmtp({ rcpt: (_address, session) => ({ code: session === 0 ? 451 : 550 }) });
    const notification = notificationFor(uniqueEventId('both-refused'));
    const { logger, attempts } = attemptLogger();

    const { failure } = await failureOf(
      runNotify(bothChannels(receiver.url, smtp.url, logger), notification, { delivery: recipients }),
    );

    expect(failure.type).toBe('EMAIL_REJECTED');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details?.[1]).toEqual({ channel: 'email', channels: { log: 'written', webhook: 'delivered' } });
    expect(attempts).toEqual([1, 2]);
    expect(receiver.requests).toHaveLength(1);
    expect(smtp.sessions()).toBe(2);
  });

  it('a webhook refused for good does not stop the email, and is not retried', async () => {
    const receiver = await startReceiver([answer(400)], { secret: SECRET });
    const smtp = await startSmtp();
    const notification = notificationFor(uniqueEventId('webhook-refused'));
    const { logger, attempts } = attemptLogger();

    const { failure } = await failureOf(
      runNotify(bothChannels(receiver.url, smtp.url, logger), notification, { delivery: recipients }),
    );

    expect(failure.type).toBe('WEBHOOK_REJECTED');
    expect(failure.details?.[1]).toEqual({ channel: 'webhook', channels: { log: 'written', email: 'sent' } });
    expect(attempts).toEqual([1]);
    expect(smtp.mails).toHaveLength(1);
  });

  it('a webhook refused for good while the email is deferred: the email is retried alone, then the refusal is reported', async () => {
    const receiver = await startReceiver([answer(400)], { secret: SECRET });
    const smtp = await startSmtp({ rcpt: (_address, session) => (session === 0 ? { code: 451 } : undefined) });
    const notification = notificationFor(uniqueEventId('refused-deferred'));
    const { logger, attempts } = attemptLogger();

    const { failure } = await failureOf(
      runNotify(bothChannels(receiver.url, smtp.url, logger), notification, { delivery: recipients }),
    );

    expect(failure.type).toBe('WEBHOOK_REJECTED');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details?.[1]).toEqual({ channel: 'webhook', channels: { log: 'written', email: 'sent' } });
    expect(attempts).toEqual([1, 2]);
    expect(receiver.requests).toHaveLength(1);
    expect(smtp.mails).toHaveLength(1);
  });
});
