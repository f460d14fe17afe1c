import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { composeEmail, createNotifyActivities, messageIdFor, type NotifyDeps } from '../../activities/notify';
import type { Notification } from '../../domain';
import { closedPort, startSmtpReceiver, type SmtpReceiver, type SmtpScript } from './notify-receivers';

/**
 * The email channel against a real SMTP server (smtp-server) on loopback; what arrives is parsed
 * with mailparser. Retries across attempts run in MockActivityEnvironment, whose heartbeat details
 * stand in for the ones Temporal hands to the next attempt (notify-worker.test.ts does it for real).
 */

const notification: Notification = {
  id: 'asean-47:escalation:item:cyber.online-security-plan:2027-11-02T01:00:00.000Z:2',
  eventId: 'asean-47',
  kind: 'escalation',
  at: '2027-11-02T01:00:00.000Z',
  subject: { type: 'item', id: 'cyber.online-security-plan' },
  to: { units: ['a05'], roles: ['deputy-head'] },
  level: 2,
  summary: 'Kiểm tra an ninh mạng quá hạn 2 ngày',
  details: { due: '2027-10-31T01:00:00.000Z' },
};

const recipients = [{ address: 'hung@a05.example.vn', name: 'Nguyễn Văn Hùng' }, { address: 'mai@office.example.vn' }];

const from = 'Hệ thống sẵn sàng <readiness@example.vn>';

const receivers: SmtpReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function smtp(script: SmtpScript = {}) {
  const receiver = await startSmtpReceiver(script);
  receivers.push(receiver);
  return receiver;
}

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

function emailDeps(url: string, extra: Partial<NotifyDeps> = {}): NotifyDeps {
  return { logger: captureLogger().logger, smtp: { url, from, timeoutMs: 5_000 }, ...extra };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

const detailsOf = (failure: ApplicationFailure) => failure.details?.[0] as Record<string, unknown> | undefined;

// The SDK logs every failed activity at WARN; these failures are expected.
const sdkQuiet = { logger: new DefaultLogger('ERROR') };

/** Runs `notify` as attempt `attempt` with the heartbeat details a previous attempt left; returns the outcome and the last heartbeat. */
async function runAttempt(
  notify: ReturnType<typeof createNotifyActivities>['notify'],
  attempt: number,
  heartbeatDetails: unknown,
  ...args: Parameters<typeof notify>
) {
  const env = new MockActivityEnvironment({ attempt, heartbeatDetails, activityType: 'notify' }, sdkQuiet);
  let heartbeat: unknown = heartbeatDetails;
  env.on('heartbeat', (details: unknown) => (heartbeat = details));
  const outcome = await env.run(notify, ...args).then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error }),
  );
  return { ...outcome, heartbeat };
}

describe('email: the message', () => {
  it('arrives once for every recipient, in UTF-8, with the notification in subject and bodies', async () => {
    const server = await smtp();
    const { notify } = createNotifyActivities(emailDeps(server.url));

    const result = await notify(notification, { emails: recipients });

    expect(result).toEqual({ channels: { log: 'written', email: 'sent' } });
    expect(server.mails).toHaveLength(1);
    const [mail] = server.mails;
    expect(mail!.envelope).toEqual({ from: 'readiness@example.vn', to: recipients.map((r) => r.address) });
    const { parsed } = mail!;
    expect(parsed.to).toMatchObject({
      value: [
        { address: 'hung@a05.example.vn', name: 'Nguyễn Văn Hùng' },
        { address: 'mai@office.example.vn', name: '' },
      ],
    });
    expect(parsed.from).toMatchObject({ value: [{ address: 'readiness@example.vn', name: 'Hệ thống sẵn sàng' }] });
    expect(parsed.subject).toBe('[asean-47] Escalation, level 2: Kiểm tra an ninh mạng quá hạn 2 ngày');
    expect(parsed.text).toContain('Kiểm tra an ninh mạng quá hạn 2 ngày');
    expect(parsed.text).toContain('2027-11-02 01:00 UTC');
    expect(parsed.text).toContain('cyber.online-security-plan');
    expect(parsed.html).toContain('Kiểm tra an ninh mạng quá hạn 2 ngày');
    expect(parsed.messageId).toBe(messageIdFor(notification.id, 'readiness@example.vn'));
    expect(parsed.headers.get('x-delivery-id')).toBe(notification.id);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    // Non-ASCII travels encoded (RFC 2047 headers, 7-bit-safe bodies), never as raw 8-bit bytes.
    expect(mail!.raw).not.toContain('Kiểm tra');
  });

  it('carries the same Message-ID on every send of the same notification', async () => {
    const server = await smtp();
    const { notify } = createNotifyActivities(emailDeps(server.url));

    await notify(notification, { emails: recipients });
    await notify(notification, { emails: recipients });
    await notify({ ...notification, id: `${notification.id}-other` }, { emails: recipients });

    const ids = server.mails.map((m) => m.parsed.messageId);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(ids[0]).toMatch(/^<[^<>@\s]+@example\.vn>$/);
  });

  it('sends one copy to an address listed twice', async () => {
    const server = await smtp();
    const { notify } = createNotifyActivities(emailDeps(server.url));

    await notify(notification, { emails: [...recipients, { address: 'HUNG@a05.example.vn' }] });

    expect(server.rcpts.map((r) => r.address)).toEqual(recipients.map((r) => r.address));
  });

  it('connects with host, port and sender given as parts instead of a URL', async () => {
    const server = await smtp();
    const { notify } = createNotifyActivities({
      logger: captureLogger().logger,
      smtp: { host: '127.0.0.1', port: server.port, secure: false, from: { address: 'ops@example.vn', name: 'Ops' } },
    });

    await notify(notification, { emails: recipients });

    expect(server.mails[0]!.envelope.from).toBe('ops@example.vn');
    expect(server.mails[0]!.parsed.messageId).toBe(messageIdFor(notification.id, 'ops@example.vn'));
  });

  it('logs the number of recipients, never their addresses or the summary', async () => {
    const server = await smtp();
    const { logger, calls } = captureLogger();
    const { notify } = createNotifyActivities(emailDeps(server.url, { logger }));

    await notify(notification, { emails: recipients });

    expect(calls).toHaveLength(1);
    expect(calls[0]!.obj).toMatchObject({ notificationId: notification.id, emailRecipients: 2 });
    const logged = JSON.stringify(calls);
    expect(logged).not.toContain('example.vn');
    expect(logged).not.toContain('Kiểm tra');
    expect(logged).not.toContain(server.url);
  });
});

describe('email: when there is nobody to send to', () => {
  it('is skipped without connecting when the call names no recipients', async () => {
    const server = await smtp();
    const { notify } = createNotifyActivities(emailDeps(server.url));

    expect(await notify(notification)).toEqual({ channels: { log: 'written', email: 'skipped' } });
    expect(await notify(notification, { emails: [] })).toEqual({ channels: { log: 'written', email: 'skipped' } });
    expect(server.sessions()).toBe(0);
  });

  it('reports no email channel, with a warning, when recipients come but no SMTP server is configured', async () => {
    const { logger, calls } = captureLogger();
    const { notify } = createNotifyActivities({ logger });

    const result = await notify(notification, { emails: recipients });

    expect(result).toEqual({ channels: { log: 'written' } });
    expect(calls.map((c) => c.level)).toEqual(['info', 'warn']);
    expect(calls[1]!.obj).toMatchObject({ channel: 'email' });
  });
});

describe('email: failures', () => {
  it('a 550 for every recipient is a non-retryable EMAIL_REJECTED', async () => {
    const server = await smtp({ rcpt: () => ({ code: 550, text: '5.1.1 No such user' }) });
    const { notify } = createNotifyActivities(emailDeps(server.url));

    const failure = await failureOf(notify(notification, { emails: recipients }));

    expect(failure.type).toBe('EMAIL_REJECTED');
    expect(failure.nonRetryable).toBe(true);
    expect(detailsOf(failure)).toEqual({ responseCode: 550, enhancedStatus: '5.1.1', refusedRecipients: 2 });
    expect(server.mails).toHaveLength(0);
  });

  it('a 451 for every recipient is a retryable EMAIL_UNAVAILABLE', async () => {
    const server = await smtp({ rcpt: () => ({ code: 451, text: '4.7.1 Greylisted, try again' }) });
    const { notify } = createNotifyActivities(emailDeps(server.url));

    const failure = await failureOf(notify(notification, { emails: recipients }));

    expect(failure.type).toBe('EMAIL_UNAVAILABLE');
    expect(failure.nonRetryable).toBe(false);
    expect(detailsOf(failure)).toEqual({ responseCode: 451, enhancedStatus: '4.7.1', deferredRecipients: 2 });
  });

  it('a 554 refusing the message content is a non-retryable EMAIL_REJECTED', async () => {
    const server = await smtp({ data: () => ({ code: 554, text: '5.7.1 Message refused' }) });
    const { notify } = createNotifyActivities(emailDeps(server.url));

    const failure = await failureOf(notify(notification, { emails: recipients }));

    expect(failure.type).toBe('EMAIL_REJECTED');
    expect(failure.nonRetryable).toBe(true);
    expect(detailsOf(failure)).toMatchObject({ responseCode: 554 });
  });

  it('a 452 after the message data (mailbox full, try later) is a retryable EMAIL_UNAVAILABLE', async () => {
    const server = await smtp({ data: () => ({ code: 452, text: '4.2.2 Mailbox full' }) });
    const { notify } = createNotifyActivities(emailDeps(server.url));

    const failure = await failureOf(notify(notification, { emails: recipients }));

    expect(failure.type).toBe('EMAIL_UNAVAILABLE');
    expect(failure.nonRetryable).toBe(false);
    expect(detailsOf(failure)).toMatchObject({ responseCode: 452 });
  });

  it('a 553 refusing the sender is a non-retryable EMAIL_REJECTED', async () => {
    const server = await smtp({ mailFrom: () => ({ code: 553, text: '5.7.1 Sender not allowed' }) });
    const { notify } = createNotifyActivities(emailDeps(server.url));

    const failure = await failureOf(notify(notification, { emails: recipients }));

    expect(failure.type).toBe('EMAIL_REJECTED');
    expect(failure.nonRetryable).toBe(true);
    expect(detailsOf(failure)).toEqual({ responseCode: 553, enhancedStatus: '5.7.1' });
  });

  it('a 421 closing the session before the envelope is a retryable EMAIL_UNAVAILABLE', async () => {
    const server = await smtp({ mailFrom: () => ({ code: 421, text: '4.3.2 Shutting down' }) });
    const { notify } = createNotifyActivities(emailDeps(server.url));

    const failure = await failureOf(notify(notification, { emails: recipients }));

    expect(failure.type).toBe('EMAIL_UNAVAILABLE');
    expect(failure.nonRetryable).toBe(false);
  });

  it('signs in with the credentials of the URL, and wrong ones are a non-retryable EMAIL_REJECTED', async () => {
    const server = await smtp({ auth: { user: 'notify', pass: 'correct horse' } });

    const good = createNotifyActivities(
      emailDeps(`smtp://notify:${encodeURIComponent('correct horse')}@127.0.0.1:${server.port}`),
    );
    expect((await good.notify(notification, { emails: recipients })).channels.email).toBe('sent');

    const bad = createNotifyActivities(emailDeps(`smtp://notify:wrong@127.0.0.1:${server.port}`));
    const failure = await failureOf(bad.notify(notification, { emails: recipients }));
    expect(failure.type).toBe('EMAIL_REJECTED');
    expect(failure.nonRetryable).toBe(true);
    expect(detailsOf(failure)).toMatchObject({ responseCode: 535 });
    expect(JSON.stringify({ message: failure.message, details: failure.details })).not.toContain('wrong');
    expect(server.mails).toHaveLength(1);
  });

  it('a server that is down is a retryable EMAIL_UNAVAILABLE', async () => {
    const port = await closedPort();
    const { logger, calls } = captureLogger();
    const { notify } = createNotifyActivities(emailDeps(`smtp://127.0.0.1:${port}`, { logger }));

    const failure = await failureOf(notify(notification, { emails: recipients }));

    expect(failure.type).toBe('EMAIL_UNAVAILABLE');
    expect(failure.nonRetryable).toBe(false);
    expect(detailsOf(failure)).toEqual({ reason: 'connection' });
    expect(calls.map((c) => c.level)).toEqual(['info', 'warn']);
    expect(calls[1]!.obj).toMatchObject({ channel: 'email', type: 'EMAIL_UNAVAILABLE', retryable: true });
  });

  it('a server that never greets times out as a retryable EMAIL_UNAVAILABLE', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined); // accepts and says nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const { notify } = createNotifyActivities({
        logger: captureLogger().logger,
        smtp: { url: `smtp://127.0.0.1:${port}`, from, timeoutMs: 300 },
      });

      const started = Date.now();
      const failure = await failureOf(notify(notification, { emails: recipients }));

      expect(Date.now() - started).toBeLessThan(5_000);
      expect(failure.type).toBe('EMAIL_UNAVAILABLE');
      expect(failure.nonRetryable).toBe(false);
      expect(detailsOf(failure)).toEqual({ reason: 'timeout' });
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('names neither addresses nor server text in the failure', async () => {
    const server = await smtp({ rcpt: (address) => ({ code: 550, text: `5.1.1 <${address}> unknown` }) });
    const { notify } = createNotifyActivities(emailDeps(server.url));

    const failure = await failureOf(notify(notification, { emails: recipients }));

    expect(JSON.stringify({ message: failure.message, details: failure.details })).not.toContain('example.vn');
    expect(failure.cause).toBeUndefined();
  });
});

describe('email: some recipients refused or deferred', () => {
  it('is sent when the server takes some recipients and refuses the others for good, with a warning', async () => {
    const server = await smtp({ rcpt: (address) => (address.startsWith('mai@') ? { code: 550 } : undefined) });
    const { logger, calls } = captureLogger();
    const { notify } = createNotifyActivities(emailDeps(server.url, { logger }));

    const result = await notify(notification, { emails: recipients });

    expect(result.channels.email).toBe('sent');
    expect(server.mails).toHaveLength(1);
    expect(server.mails[0]!.envelope.to).toEqual(['hung@a05.example.vn']);
    // The To header still names everyone: every copy of the message is the same.
    expect(server.mails[0]!.parsed.headers.get('to')).toMatchObject({ value: [{}, {}] });
    expect(calls.filter((c) => c.level === 'warn').map((c) => c.obj)).toEqual([
      expect.objectContaining({ channel: 'email', refusedRecipients: 1 }),
    ]);
  });

  it('retries only the deferred recipients, with the same Message-ID', async () => {
    // First session: mai@ is greylisted; later sessions accept everyone.
    const server = await smtp({
      rcpt: (address, session) => (session === 0 && address.startsWith('mai@') ? { code: 451 } : undefined),
    });
    const { notify } = createActivities(emailDeps(server.url));

    const first = await runAttempt(notify, 1, undefined, notification, { emails: recipients });
    expect(first.error).toBeInstanceOf(ApplicationFailure);
    expect((first.error as ApplicationFailure).type).toBe('EMAIL_UNAVAILABLE');
    expect(detailsOf(first.error as ApplicationFailure)).toEqual({ responseCode: 451, deferredRecipients: 1 });

    const second = await runAttempt(notify, 2, first.heartbeat, notification, { emails: recipients });
    expect(second.result).toEqual({ channels: { log: 'written', email: 'sent' } });

    expect(server.mails.map((m) => m.envelope.to)).toEqual([['hung@a05.example.vn'], ['mai@office.example.vn']]);
    expect(server.mails[0]!.parsed.messageId).toBe(server.mails[1]!.parsed.messageId);
    // The heartbeat records recipients by position, never by address.
    expect(JSON.stringify(second.heartbeat)).not.toContain('example.vn');

    // A third attempt (say the workflow task was retried after the activity completed) sends nothing.
    const third = await runAttempt(notify, 3, second.heartbeat, notification, { emails: recipients });
    expect(third.result).toEqual({ channels: { log: 'written', email: 'sent' } });
    expect(server.sessions()).toBe(2);
  });

  it('remembers a permanent refusal: a later attempt neither sends again nor forgets the failure', async () => {
    const server = await smtp({ rcpt: () => ({ code: 550 }) });
    const { notify } = createActivities(emailDeps(server.url));

    const first = await runAttempt(notify, 1, undefined, notification, { emails: recipients });
    const second = await runAttempt(notify, 2, first.heartbeat, notification, { emails: recipients });

    expect((first.error as ApplicationFailure).type).toBe('EMAIL_REJECTED');
    expect((second.error as ApplicationFailure).type).toBe('EMAIL_REJECTED');
    expect((second.error as ApplicationFailure).nonRetryable).toBe(true);
    expect(server.sessions()).toBe(1);
  });

  it('ignores heartbeat details it does not understand and sends to everyone', async () => {
    const server = await smtp();
    const { notify } = createActivities(emailDeps(server.url));

    const run = await runAttempt(notify, 2, { something: 'else' }, notification, { emails: recipients });

    expect(run.result).toEqual({ channels: { log: 'written', email: 'sent' } });
    expect(server.mails[0]!.envelope.to).toEqual(recipients.map((r) => r.address));
  });
});

describe('composeEmail', () => {
  it('names the kind, escalation level, subject, due instant and deadline', () => {
    const { subject, text } = composeEmail(notification);

    expect(subject).toBe('[asean-47] Escalation, level 2: Kiểm tra an ninh mạng quá hạn 2 ngày');
    expect(text).toMatch(/^Kiểm tra an ninh mạng quá hạn 2 ngày\n/);
    expect(text).toMatch(/Notification: +Escalation, level 2/);
    expect(text).toMatch(/Item: +cyber\.online-security-plan/);
    expect(text).toMatch(/Due: +2027-11-02 01:00 UTC/);
    expect(text).toMatch(/Deadline: +2027-10-31 01:00 UTC/);
    expect(text).toMatch(/Roles: +deputy-head/);
    expect(text).toContain(notification.id);
  });

  it('reads a kind without a level as words', () => {
    const { level: _level, details: _details, ...rest } = notification;
    const { subject, text } = composeEmail({ ...rest, kind: 'gateOpened', subject: { type: 'gate', id: 'go-live' } });

    expect(subject).toBe('[asean-47] Gate opened: Kiểm tra an ninh mạng quá hạn 2 ngày');
    expect(text).toMatch(/Gate: +go-live/);
    expect(text).not.toContain('Deadline');
  });

  it('escapes the summary in HTML and keeps the subject on one line', () => {
    const { subject, html } = composeEmail({ ...notification, summary: 'A <script>alert(1)</script> &\nB' });

    expect(html).toContain('A &lt;script&gt;alert(1)&lt;/script&gt; &amp;');
    expect(html).not.toContain('<script>');
    expect(subject).toBe('[asean-47] Escalation, level 2: A <script>alert(1)</script> & B');
  });
});
