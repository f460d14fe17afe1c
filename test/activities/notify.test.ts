import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { signWebhook } from '../../activities/channels/webhook';
import {
  createNotifyActivities,
  MAX_RETRY_AFTER_MS,
  retryAfterMs,
  verifyWebhookSignature,
} from '../../activities/notify';
import type { Notification } from '../../domain';

const notification: Notification = {
  id: 'ntf-evt-1-reminder-item-fire-permit-1',
  eventId: 'evt-1',
  kind: 'reminder',
  at: '2026-05-01T07:00:00.000Z',
  subject: { type: 'item', id: 'fire-permit' },
  to: { units: ['safety'], roles: ['coordinator'] },
  level: 1,
  summary: 'Fire permit is due in 2 days',
  details: { dueAt: '2026-05-03T07:00:00.000Z' },
};

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Receiver {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

const servers: Server[] = [];

/** A real HTTP receiver on loopback; `respond` answers each request after its body has arrived. */
async function startReceiver(respond: (res: ServerResponse, req: Received) => void): Promise<Receiver> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = {
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      respond(res, received);
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/readiness`,
    requests,
    close: () => closeServer(server),
  };
}

async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map(closeServer));
});

const answer =
  (status: number, headers: Record<string, string> = {}) =>
  (res: ServerResponse) => {
    res.writeHead(status, headers);
    res.end(status >= 400 ? 'nope' : '');
  };

interface LogCall {
  level: 'info' | 'warn';
  obj: Record<string, unknown>;
  msg: string;
}

function captureLogger() {
  const calls: LogCall[] = [];
  return {
    calls,
    logger: {
      info: (obj: object, msg: string) => calls.push({ level: 'info', obj: { ...obj }, msg }),
      warn: (obj: object, msg: string) => calls.push({ level: 'warn', obj: { ...obj }, msg }),
    },
  };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

const statusOf = (failure: ApplicationFailure) => (failure.details?.[0] as { status?: number } | undefined)?.status;

describe('notify: log line', () => {
  it('without a webhook URL writes one structured log line and nothing else', async () => {
    const { logger, calls } = captureLogger();
    const fetch = () => Promise.reject(new Error('no webhook is configured, so fetch must not be called'));
    const { notify } = createNotifyActivities({ logger, fetch });

    const result = await notify(notification);

    expect(result).toEqual({ channels: { log: 'written' } });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.level).toBe('info');
    expect(calls[0]!.obj).toEqual({
      notificationId: notification.id,
      eventId: 'evt-1',
      kind: 'reminder',
      subject: { type: 'item', id: 'fire-permit' },
      to: { units: ['safety'], roles: ['coordinator'] },
      escalationLevel: 1,
      at: '2026-05-01T07:00:00.000Z',
    });
    // Ids only: neither the free-text summary nor the details reach the log.
    expect(JSON.stringify(calls[0])).not.toContain('Fire permit');
    expect(JSON.stringify(calls[0])).not.toContain('dueAt');
  });

  it('omits the escalation level when the notification has none', async () => {
    const { logger, calls } = captureLogger();
    const { level: _level, ...withoutLevel } = notification;
    await createNotifyActivities({ logger }).notify({ ...withoutLevel, kind: 'gateOpened' });
    expect(calls[0]!.obj).not.toHaveProperty('escalationLevel');
    expect(calls[0]!.obj.kind).toBe('gateOpened');
  });

  it("through a real pino logger keeps pino's own level field intact", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    const { notify } = createActivities({ logger: pino({ name: 'readiness-worker' }, sink) });
    await notify({ ...notification, kind: 'escalation', level: 2 });

    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: 30, name: 'readiness-worker', kind: 'escalation', escalationLevel: 2 });
    expect(line.summary).toBeUndefined();
  });
});

describe('notify: webhook', () => {
  it('POSTs the notification as JSON with X-Delivery-Id', async () => {
    const receiver = await startReceiver(answer(204));
    const { logger, calls } = captureLogger();
    const { notify } = createActivities({ logger, webhookUrl: receiver.url });

    const result = await notify(notification);

    expect(result).toEqual({ channels: { log: 'written', webhook: 'delivered' } });
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/hooks/readiness');
    expect(request!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request!.headers['x-delivery-id']).toBe(notification.id);
    expect(request!.headers['user-agent']).toBe('readiness-engine');
    expect(JSON.parse(request!.body)).toEqual(notification);
    expect(calls.map((c) => c.level)).toEqual(['info']);
    // No secret configured: the delivery goes unsigned.
    expect(request!.headers['x-signature']).toBeUndefined();
    expect(request!.headers['x-signature-timestamp']).toBeUndefined();
  });

  it('a 500 is a retryable WEBHOOK_UNAVAILABLE', async () => {
    const receiver = await startReceiver(answer(500));
    const { logger, calls } = captureLogger();
    const { notify } = createNotifyActivities({ logger, webhookUrl: receiver.url });

    const failure = await failureOf(notify(notification));

    expect(failure.type).toBe('WEBHOOK_UNAVAILABLE');
    expect(failure.nonRetryable).toBe(false);
    expect(statusOf(failure)).toBe(500);
    expect(failure.nextRetryDelay).toBeUndefined();
    // The log line is written before delivery; the failure is logged as a warning, without the URL.
    expect(calls.map((c) => c.level)).toEqual(['info', 'warn']);
    expect(calls[1]!.obj).toMatchObject({ notificationId: notification.id, status: 500, retryable: true });
    expect(JSON.stringify(calls)).not.toContain(receiver.url);
  });

  it.each([408, 429, 502, 503, 504])(
    'a %i without Retry-After is retryable and leaves the delay to the policy',
    async (status) => {
      const receiver = await startReceiver(answer(status));
      const { notify } = createNotifyActivities({ logger: captureLogger().logger, webhookUrl: receiver.url });

      const failure = await failureOf(notify(notification));

      expect(failure.type).toBe('WEBHOOK_UNAVAILABLE');
      expect(failure.nonRetryable).toBe(false);
      expect(statusOf(failure)).toBe(status);
      expect(failure.nextRetryDelay).toBeUndefined();
    },
  );

  it('a 400 is a non-retryable WEBHOOK_REJECTED', async () => {
    const receiver = await startReceiver(answer(400));
    const { notify } = createNotifyActivities({ logger: captureLogger().logger, webhookUrl: receiver.url });

    const failure = await failureOf(notify(notification));

    expect(failure.type).toBe('WEBHOOK_REJECTED');
    expect(failure.nonRetryable).toBe(true);
    expect(statusOf(failure)).toBe(400);
  });

  it.each([401, 403, 404, 410, 413, 422])('a %i is a non-retryable WEBHOOK_REJECTED', async (status) => {
    const receiver = await startReceiver(answer(status));
    const { notify } = createNotifyActivities({ logger: captureLogger().logger, webhookUrl: receiver.url });

    const failure = await failureOf(notify(notification));

    expect(failure.type).toBe('WEBHOOK_REJECTED');
    expect(failure.nonRetryable).toBe(true);
    expect(statusOf(failure)).toBe(status);
  });

  it('a redirect is not followed and is rejected', async () => {
    const target = await startReceiver(answer(204));
    const receiver = await startReceiver(answer(307, { Location: target.url }));
    const { notify } = createNotifyActivities({ logger: captureLogger().logger, webhookUrl: receiver.url });

    const failure = await failureOf(notify(notification));

    expect(failure.type).toBe('WEBHOOK_REJECTED');
    expect(failure.nonRetryable).toBe(true);
    expect(statusOf(failure)).toBe(307);
    expect(target.requests).toHaveLength(0);
  });

  it('a 429 with Retry-After: 7 asks Temporal to retry in 7 s', async () => {
    const receiver = await startReceiver(answer(429, { 'Retry-After': '7' }));
    const { notify } = createNotifyActivities({ logger: captureLogger().logger, webhookUrl: receiver.url });

    const failure = await failureOf(notify(notification));

    expect(failure.type).toBe('WEBHOOK_UNAVAILABLE');
    expect(failure.nonRetryable).toBe(false);
    expect(statusOf(failure)).toBe(429);
    expect(failure.nextRetryDelay).toBe(7_000);
  });

  it('a 503 with an HTTP-date Retry-After asks for the time until that date', async () => {
    const retryAt = new Date(Date.now() + 30_000).toUTCString();
    const receiver = await startReceiver(answer(503, { 'Retry-After': retryAt }));
    const { notify } = createNotifyActivities({ logger: captureLogger().logger, webhookUrl: receiver.url });

    const failure = await failureOf(notify(notification));

    expect(failure.type).toBe('WEBHOOK_UNAVAILABLE');
    expect(statusOf(failure)).toBe(503);
    // HTTP dates have one-second resolution.
    expect(failure.nextRetryDelay).toBeGreaterThan(27_000);
    expect(failure.nextRetryDelay).toBeLessThanOrEqual(30_000);
  });

  it('Retry-After on a 500 is not used', async () => {
    const receiver = await startReceiver(answer(500, { 'Retry-After': '7' }));
    const { notify } = createNotifyActivities({ logger: captureLogger().logger, webhookUrl: receiver.url });
    expect((await failureOf(notify(notification))).nextRetryDelay).toBeUndefined();
  });

  it('a receiver that is down is a retryable WEBHOOK_UNAVAILABLE', async () => {
    const receiver = await startReceiver(answer(204));
    await receiver.close(); // the port is now closed: connection refused
    const { notify } = createNotifyActivities({ logger: captureLogger().logger, webhookUrl: receiver.url });

    const failure = await failureOf(notify(notification));

    expect(failure.type).toBe('WEBHOOK_UNAVAILABLE');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.details?.[0]).toEqual({ reason: 'network' });
  });

  it('a receiver that never answers times out as a retryable WEBHOOK_UNAVAILABLE', async () => {
    const receiver = await startReceiver(() => undefined);
    const { notify } = createNotifyActivities({
      logger: captureLogger().logger,
      webhookUrl: receiver.url,
      timeoutMs: 200,
    });

    const started = Date.now();
    const failure = await failureOf(notify(notification));

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(failure.type).toBe('WEBHOOK_UNAVAILABLE');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.details?.[0]).toEqual({ reason: 'timeout' });
    expect(receiver.requests).toHaveLength(1);
  });
});

const SECRET = 'whsec-0123456789abcdef0123456789abcdef';

describe('notify: webhook signature', () => {
  it('signs the raw body with the timestamp, and the receiver-side check accepts it', async () => {
    const receiver = await startReceiver(answer(204));
    const { notify } = createNotifyActivities({
      logger: captureLogger().logger,
      webhookUrl: receiver.url,
      webhookSecret: SECRET,
    });

    const before = Math.floor(Date.now() / 1000);
    await notify(notification);
    const after = Math.floor(Date.now() / 1000);

    const { headers, body } = receiver.requests[0]!;
    const timestamp = Number(headers['x-signature-timestamp']);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(after);
    expect(headers['x-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(headers['x-delivery-id']).toBe(notification.id);
    const check = {
      secret: SECRET,
      timestamp: headers['x-signature-timestamp'] as string,
      signature: headers['x-signature'] as string,
      body,
      nowSeconds: after,
    };
    expect(verifyWebhookSignature(check)).toEqual({ valid: true });
    expect(verifyWebhookSignature({ ...check, secret: 'another-secret-of-enough-length-000' })).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(verifyWebhookSignature({ ...check, body: body.replace('Fire', 'Fake') })).toEqual({
      valid: false,
      reason: 'mismatch',
    });
  });

  it('signs non-ASCII bodies over their UTF-8 bytes', async () => {
    const receiver = await startReceiver(answer(204));
    const { notify } = createNotifyActivities({
      logger: captureLogger().logger,
      webhookUrl: receiver.url,
      webhookSecret: SECRET,
    });

    await notify({ ...notification, summary: 'Kiểm tra an ninh mạng' });

    const { headers, body } = receiver.requests[0]!;
    expect(JSON.parse(body).summary).toBe('Kiểm tra an ninh mạng');
    const check = {
      secret: SECRET,
      timestamp: headers['x-signature-timestamp'] as string,
      signature: headers['x-signature'] as string,
      nowSeconds: Date.now() / 1000,
    };
    expect(verifyWebhookSignature({ ...check, body })).toEqual({ valid: true });
    expect(verifyWebhookSignature({ ...check, body: Buffer.from(body, 'utf8') })).toEqual({ valid: true });
  });

  it('never logs the secret', async () => {
    const receiver = await startReceiver(answer(500));
    const { logger, calls } = captureLogger();
    const { notify } = createNotifyActivities({ logger, webhookUrl: receiver.url, webhookSecret: SECRET });

    await notify(notification).catch(() => undefined);

    expect(calls.map((c) => c.level)).toEqual(['info', 'warn']);
    expect(JSON.stringify(calls)).not.toContain(SECRET);
  });
});

describe('verifyWebhookSignature', () => {
  const body = '{"id":"n-1","summary":"Kiểm tra an ninh mạng"}';
  const timestamp = 1_800_000_000;
  const signature = signWebhook(SECRET, timestamp, body);
  const valid = { secret: SECRET, timestamp: String(timestamp), body, signature, nowSeconds: timestamp };

  it('accepts a fresh signature made with the secret', () => {
    expect(verifyWebhookSignature(valid)).toEqual({ valid: true });
    expect(verifyWebhookSignature({ ...valid, timestamp })).toEqual({ valid: true });
    expect(
      verifyWebhookSignature({ ...valid, signature: signature.toUpperCase().replace('SHA256=', 'sha256=') }),
    ).toEqual({ valid: true });
  });

  it('accepts a signature made with any secret of a rotation list', () => {
    expect(verifyWebhookSignature({ ...valid, secret: ['the-new-secret-0123456789abcdef', SECRET] })).toEqual({
      valid: true,
    });
    expect(verifyWebhookSignature({ ...valid, secret: ['the-new-secret-0123456789abcdef'] }).valid).toBe(false);
    expect(verifyWebhookSignature({ ...valid, secret: [] }).valid).toBe(false);
  });

  it('refuses a signature over another timestamp, body or secret', () => {
    expect(verifyWebhookSignature({ ...valid, timestamp: String(timestamp + 1), nowSeconds: timestamp + 1 })).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(verifyWebhookSignature({ ...valid, body: body + ' ' })).toEqual({ valid: false, reason: 'mismatch' });
    expect(verifyWebhookSignature({ ...valid, secret: SECRET + 'x' })).toEqual({ valid: false, reason: 'mismatch' });
  });

  it('refuses a timestamp outside the tolerance, either way', () => {
    expect(verifyWebhookSignature({ ...valid, nowSeconds: timestamp + 300 }).valid).toBe(true);
    expect(verifyWebhookSignature({ ...valid, nowSeconds: timestamp + 301 })).toEqual({
      valid: false,
      reason: 'stale',
    });
    expect(verifyWebhookSignature({ ...valid, nowSeconds: timestamp - 301 })).toEqual({
      valid: false,
      reason: 'stale',
    });
    expect(verifyWebhookSignature({ ...valid, nowSeconds: timestamp + 20, toleranceSeconds: 10 })).toEqual({
      valid: false,
      reason: 'stale',
    });
  });

  it('tells missing from malformed headers', () => {
    expect(verifyWebhookSignature({ ...valid, signature: undefined })).toEqual({ valid: false, reason: 'missing' });
    expect(verifyWebhookSignature({ ...valid, timestamp: undefined })).toEqual({ valid: false, reason: 'missing' });
    expect(verifyWebhookSignature({ ...valid, signature: signature.slice(7) })).toEqual({
      valid: false,
      reason: 'malformed',
    });
    expect(verifyWebhookSignature({ ...valid, signature: `${signature}00` })).toEqual({
      valid: false,
      reason: 'malformed',
    });
    expect(verifyWebhookSignature({ ...valid, signature: 'sha1=' + 'a'.repeat(40) })).toEqual({
      valid: false,
      reason: 'malformed',
    });
    expect(verifyWebhookSignature({ ...valid, timestamp: '1.8e9' })).toEqual({ valid: false, reason: 'malformed' });
  });
});

describe('notify in an activity context (MockActivityEnvironment)', () => {
  // The SDK logs every failed activity at WARN; these failures are expected.
  const sdkQuiet = { logger: new DefaultLogger('ERROR') };

  it('delivers, and the log line carries the attempt', async () => {
    const receiver = await startReceiver(answer(200));
    const { logger, calls } = captureLogger();
    const { notify } = createActivities({ logger, webhookUrl: receiver.url });
    const env = new MockActivityEnvironment({ attempt: 3, activityType: 'notify' }, sdkQuiet);

    const result = await env.run(notify, notification);

    expect(result).toEqual({ channels: { log: 'written', webhook: 'delivered' } });
    expect(JSON.parse(receiver.requests[0]!.body)).toEqual(notification);
    expect(receiver.requests[0]!.headers['x-delivery-id']).toBe(notification.id);
    expect(calls[0]!.obj).toMatchObject({ notificationId: notification.id, attempt: 3 });
  });

  it('fails with the same typed failures as a plain call', async () => {
    const receiver = await startReceiver(answer(429, { 'Retry-After': '7' }));
    const { notify } = createActivities({ logger: captureLogger().logger, webhookUrl: receiver.url });

    const failure = await failureOf(new MockActivityEnvironment(undefined, sdkQuiet).run(notify, notification));

    expect(failure.type).toBe('WEBHOOK_UNAVAILABLE');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(7_000);
  });

  it('a retry after the webhook was delivered does not POST it again', async () => {
    const receiver = await startReceiver(answer(204));
    const { notify } = createActivities({ logger: captureLogger().logger, webhookUrl: receiver.url });
    let heartbeat: unknown;
    const first = new MockActivityEnvironment({ attempt: 1 }, sdkQuiet);
    first.on('heartbeat', (details: unknown) => (heartbeat = details));
    await first.run(notify, notification);

    const result = await new MockActivityEnvironment({ attempt: 2, heartbeatDetails: heartbeat }, sdkQuiet).run(
      notify,
      notification,
    );

    expect(result).toEqual({ channels: { log: 'written', webhook: 'delivered' } });
    expect(receiver.requests).toHaveLength(1);
  });

  it('a retry after the webhook was rejected neither POSTs again nor forgets the rejection', async () => {
    const receiver = await startReceiver(answer(422));
    const { notify } = createActivities({ logger: captureLogger().logger, webhookUrl: receiver.url });
    let heartbeat: unknown;
    const first = new MockActivityEnvironment({ attempt: 1 }, sdkQuiet);
    first.on('heartbeat', (details: unknown) => (heartbeat = details));
    await first.run(notify, notification).catch(() => undefined);

    const failure = await failureOf(
      new MockActivityEnvironment({ attempt: 2, heartbeatDetails: heartbeat }, sdkQuiet).run(notify, notification),
    );

    expect(failure.type).toBe('WEBHOOK_REJECTED');
    expect(failure.nonRetryable).toBe(true);
    expect(statusOf(failure)).toBe(422);
    expect(receiver.requests).toHaveLength(1);
  });

  it('activity cancellation aborts the request in flight and surfaces as cancellation', async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const receiver = await startReceiver(() => arrived()); // never answers
    const { notify } = createActivities({ logger: captureLogger().logger, webhookUrl: receiver.url });
    const env = new MockActivityEnvironment(undefined, sdkQuiet);

    const running = env.run(notify, notification).then(
      () => undefined,
      (e: unknown) => e,
    );
    await requestArrived;
    env.cancel();
    const error = await running;

    expect(error).toBeInstanceOf(CancelledFailure);
    expect(error).not.toBeInstanceOf(ApplicationFailure);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-05-01T07:00:00.000Z');

  it('reads delay-seconds and HTTP dates', () => {
    expect(retryAfterMs('7', now)).toBe(7_000);
    expect(retryAfterMs(' 120 ', now)).toBe(120_000);
    expect(retryAfterMs('Fri, 01 May 2026 07:00:30 GMT', now)).toBe(30_000);
  });

  it('ignores absent, unparsable, zero and past values', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
    expect(retryAfterMs('0', now)).toBeUndefined();
    expect(retryAfterMs('Fri, 01 May 2026 06:59:00 GMT', now)).toBeUndefined();
  });

  it('caps very long asks', () => {
    expect(retryAfterMs('86400', now)).toBe(MAX_RETRY_AFTER_MS);
  });
});
