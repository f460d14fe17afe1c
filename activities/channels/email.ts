import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import nodemailer from 'nodemailer';
import type { SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
import type { Notification, NotificationKind } from '../../domain';
import { parseMailbox, type EmailAddress } from './mailbox';

/**
 * The email channel: one message per notification over SMTP (nodemailer), plain text plus
 * simple HTML, UTF-8 throughout. The Message-ID is derived from the notification id, so every
 * attempt sends the same message and a receiving system can drop a copy it already has.
 * docs/notifications.md has the retry table.
 */

/** Failure types the workflow's retry policy and callers can match on. */
export const EMAIL_REJECTED = 'EMAIL_REJECTED';
export const EMAIL_UNAVAILABLE = 'EMAIL_UNAVAILABLE';

export type { EmailAddress };

/** How to reach the SMTP server: a URL (`smtp://user:pass@host:587`, `smtps://…`) or its parts. */
export type SmtpConnection =
  { url: string } | { host: string; port?: number; secure?: boolean; auth?: { user: string; pass: string } };

export type SmtpOptions = SmtpConnection & {
  /** The sender: `Name <address>`, a bare address, or the parsed form. Its domain names the Message-ID. */
  from: string | EmailAddress;
  /** Bound on one send (connect, greeting, envelope, data). */
  timeoutMs?: number;
};

/** Details attached to email failures (`failure.details[0]`): codes only, never addresses or server text. */
export interface EmailFailureDetails {
  /** The SMTP reply code, when the server answered with one. */
  responseCode?: number;
  /** The enhanced status code of that reply (RFC 3463), such as `5.1.1`, when it carried one. */
  enhancedStatus?: string;
  /** Why no reply code: the send timed out, the connection failed, or this side refused to send. */
  reason?: 'timeout' | 'connection' | 'invalid';
  /** Recipients the server refused for good (reply codes 5xx at RCPT TO), counted. */
  refusedRecipients?: number;
  /** Recipients the server deferred (4xx at RCPT TO), counted; they are retried. */
  deferredRecipients?: number;
}

export const DEFAULT_EMAIL_TIMEOUT_MS = 15_000;

/**
 * The Message-ID of a notification's email: a digest of the notification id (ids hold characters a
 * Message-ID may not, such as `:`) at the sender's domain. The same on every attempt.
 */
export function messageIdFor(notificationId: string, fromAddress: string): string {
  const domain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1) || 'readiness-engine.invalid';
  const digest = createHash('sha256').update(notificationId, 'utf8').digest('hex').slice(0, 40);
  return `<notification.${digest}@${domain}>`;
}

/** `gateOpened` → `Gate opened`: kinds and subject types read as words, whatever the domain adds later. */
const humanize = (name: string) => {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Kinds whose word form needs more context than their name gives. */
const KIND_LABELS: Partial<Record<NotificationKind, string>> = {
  rescheduled: 'Event rescheduled',
};

export interface ComposedEmail {
  subject: string;
  text: string;
  html: string;
}

/** An instant as `2026-05-01 07:00 UTC`; the value itself when it is not a date. */
function formatInstant(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return value;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Subject and bodies of a notification's email. Pure; the summary is the planners' own text (any language). */
export function composeEmail(notification: Notification): ComposedEmail {
  const kind = KIND_LABELS[notification.kind] ?? humanize(notification.kind);
  const level = notification.level !== undefined ? `, level ${notification.level}` : '';
  const summary = oneLine(notification.summary);
  const subject = `[${notification.eventId}] ${kind}${level}: ${summary}`;

  const deadline = notification.details?.due ?? notification.details?.dueBy;
  const rows: [string, string][] = [
    ['Event', notification.eventId],
    ['Notification', `${kind}${level}`],
    [humanize(notification.subject.type), notification.subject.id],
    ['Due', formatInstant(notification.at)],
    ...(typeof deadline === 'string' ? [['Deadline', formatInstant(deadline)] as [string, string]] : []),
    ...(notification.to.units.length > 0 ? [['Units', notification.to.units.join(', ')] as [string, string]] : []),
    ...(notification.to.roles.length > 0 ? [['Roles', notification.to.roles.join(', ')] as [string, string]] : []),
    ['Reference', notification.id],
  ];
  const footer = 'Sent automatically by the readiness engine; replies to this address are not read.';
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const text = [
    notification.summary.trim(),
    '',
    ...rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`),
    '',
    footer,
    '',
  ].join('\n');
  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><title>' + escapeHtml(subject) + '</title></head>',
    '<body style="font-family: sans-serif">',
    `<p style="font-size: 1.1em"><strong>${escapeHtml(notification.summary.trim())}</strong></p>`,
    '<table cellpadding="4" style="border-collapse: collapse">',
    ...rows.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`),
    '</table>',
    `<p style="color: #666; font-size: 0.9em">${escapeHtml(footer)}</p>`,
    '</body></html>',
    '',
  ].join('\n');
  return { subject, text, html };
}

/** An SMTP reply: its code and, when it carried one, its enhanced status (RFC 3463). */
export interface SmtpReply {
  responseCode: number;
  enhancedStatus?: string;
}

/** What one send did with the recipients it was given (indexes into the full recipient list). */
export interface EmailAttempt {
  accepted: number[];
  /** Refused for good at RCPT TO (5xx): never retried. */
  refused: number[];
  /** Deferred at RCPT TO (4xx): to retry. */
  deferred: number[];
  /** A reply that deferred a recipient, for the failure details. */
  deferral?: SmtpReply;
  /** A reply that refused a recipient, for the failure details. */
  refusal?: SmtpReply;
}

/** The subset of nodemailer's error fields used here. */
interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  permanent?: boolean;
  response?: string;
  recipient?: string;
  rejectedErrors?: SmtpError[];
}

/** Errors raised on this side before or instead of talking to the server: retrying sends the same thing. */
const LOCAL_REFUSALS = new Set(['ECONFIG', 'ENOAUTH', 'EAUTH', 'EENVELOPE', 'EMAXRECIPIENTS', 'EREQUIRETLS']);

const envelopeKey = (address: string) => address.trim().toLowerCase();

function replyOf(error: SmtpError): SmtpReply {
  const enhancedStatus = error.response?.match(/^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/)?.[1];
  return { responseCode: error.responseCode!, ...(enhancedStatus ? { enhancedStatus } : {}) };
}

const describeReply = (reply: SmtpReply) =>
  `${reply.responseCode}${reply.enhancedStatus ? ` ${reply.enhancedStatus}` : ''}`;

/** `responseCode` permanent or not: nodemailer's own flag (5xx except 503), or the reply class when absent. */
const isPermanent = (error: SmtpError) => error.permanent ?? (error.responseCode! >= 500 && error.responseCode !== 503);

export interface EmailSendInput {
  notification: Notification;
  /** Every recipient: all of them are named in `To`, so each copy of the message is the same. */
  recipients: readonly EmailAddress[];
  /** Indexes of the recipients still to reach (the envelope); the others got it on an earlier attempt. */
  pending: readonly number[];
  /** Activity cancellation: aborts the send. */
  cancellation?: AbortSignal | undefined;
}

export interface EmailChannel {
  /**
   * Sends the message to the pending recipients. Resolves with what the server did with each of
   * them, refusals and deferrals included (also when it refused every one); throws a typed
   * ApplicationFailure when the message as a whole did not go through (connection, timeout, a
   * refusal of the sender or of the content).
   */
  send(input: EmailSendInput): Promise<EmailAttempt>;
}

export function createEmailChannel(options: SmtpOptions): EmailChannel {
  const parsedFrom = typeof options.from === 'string' ? parseMailbox(options.from) : options.from;
  if (!parsedFrom) throw new TypeError('smtp.from is not a single e-mail address');
  const from = parsedFrom;
  const timeoutMs = options.timeoutMs ?? DEFAULT_EMAIL_TIMEOUT_MS;
  const connection =
    'url' in options
      ? { url: options.url }
      : {
          host: options.host,
          ...(options.port !== undefined ? { port: options.port } : {}),
          ...(options.secure !== undefined ? { secure: options.secure } : {}),
          ...(options.auth ? { auth: options.auth } : {}),
        };
  // One connection per message (no pool): notifications are rare and a pooled socket would outlive the activity.
  const transportOptions: SMTPTransportOptions = {
    ...connection,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    // The message is built from our own strings only; never let a field read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  const transport = nodemailer.createTransport(transportOptions);

  async function send(input: EmailSendInput): Promise<EmailAttempt> {
    const { notification, recipients, pending } = input;
    const { subject, text, html } = composeEmail(notification);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = input.cancellation ? AbortSignal.any([timeout, input.cancellation]) : timeout;
    const indexOf = new Map(pending.map((index) => [envelopeKey(recipients[index]!.address), index]));

    /** Sorts the per-recipient rejections; `others` are the pending recipients none of them names. */
    const sortRejections = (
      errors: SmtpError[] | undefined,
      othersPermanent?: boolean,
    ): Omit<EmailAttempt, 'accepted'> => {
      const replies = (errors ?? []).filter((e) => typeof e.responseCode === 'number');
      const refusedErrors = replies.filter(isPermanent);
      const deferredErrors = replies.filter((e) => !isPermanent(e));
      const indexes = (list: SmtpError[]) =>
        list.map((e) => indexOf.get(envelopeKey(e.recipient ?? ''))).filter((index) => index !== undefined);
      const refused = indexes(refusedErrors);
      const deferred = indexes(deferredErrors);
      if (othersPermanent !== undefined) {
        const named = new Set([...refused, ...deferred]);
        for (const index of pending) if (!named.has(index)) (othersPermanent ? refused : deferred).push(index);
      }
      return {
        refused,
        deferred,
        ...(deferredErrors[0] ? { deferral: replyOf(deferredErrors[0]) } : {}),
        ...(refusedErrors[0] ? { refusal: replyOf(refusedErrors[0]) } : {}),
      };
    };

    try {
      const info = await transport.sendMail({
        from,
        to: recipients.map((r) => (r.name ? { name: r.name, address: r.address } : r.address)),
        envelope: { from: from.address, to: pending.map((index) => recipients[index]!.address) },
        subject,
        text,
        html,
        messageId: messageIdFor(notification.id, from.address),
        headers: {
          'X-Delivery-Id': notification.id,
          // RFC 3834: no vacation auto-replies to a machine's message.
          'Auto-Submitted': 'auto-generated',
        },
        signal,
      });
      const rejections = sortRejections(info.rejectedErrors);
      const notAccepted = new Set([...rejections.refused, ...rejections.deferred]);
      // The server took the message: every pending recipient it did not refuse or defer has it.
      return { accepted: pending.filter((index) => !notAccepted.has(index)), ...rejections };
    } catch (caught) {
      // Cancellation is Temporal's to report (CancelledFailure), not an unavailable server.
      if (input.cancellation?.aborted) throw input.cancellation.reason ?? caught;
      const error = (typeof caught === 'object' && caught !== null ? caught : {}) as SmtpError;
      // Every recipient was refused or deferred at RCPT TO: an outcome per recipient, not a failed message.
      if (error.code === 'EENVELOPE' && typeof error.responseCode === 'number' && error.rejectedErrors?.length) {
        return { accepted: [], ...sortRejections(error.rejectedErrors, isPermanent(error)) };
      }
      throw messageFailure(error, timeout.aborted, timeoutMs);
    }
  }

  return { send };
}

/** The retryable failure for recipients the server deferred (they are sent to on the next attempt). */
export function deferredFailure(deferral: SmtpReply | undefined, counts: EmailFailureDetails): ApplicationFailure {
  return ApplicationFailure.create({
    type: EMAIL_UNAVAILABLE,
    message: `SMTP server deferred ${counts.deferredRecipients ?? 'some'} recipient(s)${deferral ? ` (${describeReply(deferral)})` : ''}`,
    details: [{ ...deferral, ...counts } satisfies EmailFailureDetails],
  });
}

/** The non-retryable failure when the server refused every recipient. */
export function refusedFailure(refusal: SmtpReply | undefined, counts: EmailFailureDetails): ApplicationFailure {
  return ApplicationFailure.create({
    type: EMAIL_REJECTED,
    message: `SMTP server refused every recipient${refusal ? ` (${describeReply(refusal)})` : ''}`,
    details: [{ ...refusal, ...counts } satisfies EmailFailureDetails],
    nonRetryable: true,
  });
}

/** A send that failed as a whole. No `cause`, and no server text: SMTP replies often quote addresses. */
function messageFailure(error: SmtpError, timedOut: boolean, timeoutMs: number): ApplicationFailure {
  if (timedOut || error.code === 'ETIMEDOUT' || error.code === 'EABORT') {
    return ApplicationFailure.create({
      type: EMAIL_UNAVAILABLE,
      message: `SMTP send timed out after ${timeoutMs} ms`,
      details: [{ reason: 'timeout' } satisfies EmailFailureDetails],
    });
  }
  if (typeof error.responseCode === 'number') {
    const reply = replyOf(error);
    return isPermanent(error)
      ? ApplicationFailure.create({
          type: EMAIL_REJECTED,
          message: `SMTP server refused the message (${describeReply(reply)})`,
          details: [reply satisfies EmailFailureDetails],
          nonRetryable: true,
        })
      : ApplicationFailure.create({
          type: EMAIL_UNAVAILABLE,
          message: `SMTP server deferred the message (${describeReply(reply)})`,
          details: [reply satisfies EmailFailureDetails],
        });
  }
  if (error.code !== undefined && LOCAL_REFUSALS.has(error.code)) {
    return ApplicationFailure.create({
      type: EMAIL_REJECTED,
      message: `the message cannot be sent (${error.code})`,
      details: [{ reason: 'invalid' } satisfies EmailFailureDetails],
      nonRetryable: true,
    });
  }
  return ApplicationFailure.create({
    type: EMAIL_UNAVAILABLE,
    message: `SMTP server unreachable${error.code ? ` (${error.code})` : ''}`,
    details: [{ reason: 'connection' } satisfies EmailFailureDetails],
  });
}
