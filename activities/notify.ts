import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { Notification } from '../domain';
import {
  createEmailChannel,
  deferredFailure,
  EMAIL_REJECTED,
  EMAIL_UNAVAILABLE,
  refusedFailure,
  type EmailAddress,
  type EmailChannel,
  type EmailFailureDetails,
  type SmtpOptions,
} from './channels/email';
import {
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  deliverWebhook,
  WEBHOOK_REJECTED,
  WEBHOOK_UNAVAILABLE,
  type WebhookFailureDetails,
} from './channels/webhook';

/**
 * The notification activity: the event workflow calls `notify` once for every
 * `Notification` the domain produces. Every attempt writes one structured log
 * line; then each configured channel delivers it:
 *
 * - webhook (`webhookUrl`): a JSON POST, HMAC-signed with `webhookSecret` when set;
 *   receivers dedupe on `X-Delivery-Id` (the notification's id, stable across retries and replays);
 * - email (`smtp`): one message to the recipients the caller resolved (`delivery.emails`),
 *   with a Message-ID derived from the notification id.
 *
 * Channels are independent: each is tried on every attempt until it is done, and a
 * failure of one does not stop the other. `NotifyResult.channels` reports each outcome.
 * docs/notifications.md has the headers, the signature recipe and the retry table.
 */

/** The subset of a pino logger this activity uses (pino's `Logger` fits). */
export interface NotifyLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface NotifyDeps {
  logger: NotifyLogger;
  /** POST every notification here as JSON; no webhook when unset. Never logged (it may carry a token). */
  webhookUrl?: string;
  /**
   * HMAC-SHA256 key for the `X-Signature` header. Without it deliveries go unsigned (no
   * `X-Signature`/`X-Signature-Timestamp` headers) and receivers cannot tell them from forgeries.
   */
  webhookSecret?: string;
  /** Injectable for tests; the global `fetch` otherwise. */
  fetch?: typeof fetch;
  /** Per-request timeout of the webhook call. */
  timeoutMs?: number;
  /** Send email through this SMTP server; no email when unset. Never logged (the URL may carry credentials). */
  smtp?: SmtpOptions;
}

/** The second argument of `notify`: addresses the caller resolved from the notification's audience. */
export interface NotifyDelivery {
  emails?: EmailAddress[];
}

/**
 * What each channel did. A key is absent when its channel is not configured. `webhook: 'delivered'` and
 * `email: 'sent'` also when that happened on an earlier attempt of the same activity; `email: 'skipped'`
 * when SMTP is configured but the call named no recipients. (`webhook: 'skipped'` is not produced today:
 * a configured webhook receives every notification.)
 */
export interface NotifyResult {
  channels: { log: 'written'; webhook?: 'delivered' | 'skipped'; email?: 'sent' | 'skipped' };
}

/**
 * Every failure `notify` throws carries the failing channel's details first (WebhookFailureDetails or
 * EmailFailureDetails) and this second: what the other channels achieved, so a caller that records the
 * failure can tell that, say, the email went out although the webhook refused the notification.
 */
export interface NotifyFailureOutcome {
  channel: 'webhook' | 'email';
  channels: Partial<NotifyResult['channels']>;
}

export {
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  MAX_RETRY_AFTER_MS,
  retryAfterMs,
  verifyWebhookSignature,
} from './channels/webhook';
export type { VerifyWebhookSignatureInput, VerifyWebhookSignatureResult } from './channels/webhook';
export { composeEmail, DEFAULT_EMAIL_TIMEOUT_MS, messageIdFor } from './channels/email';
export type { EmailAddress, SmtpOptions } from './channels/email';
export { EMAIL_REJECTED, EMAIL_UNAVAILABLE, WEBHOOK_REJECTED, WEBHOOK_UNAVAILABLE };
export type { EmailFailureDetails, WebhookFailureDetails };

/**
 * What earlier attempts achieved, kept in the activity's heartbeat details: Temporal hands the last
 * heartbeat of a failed attempt to the next one (the SDK sends it along with the failure). This is
 * how a retry skips what is done:
 *
 * - a delivered webhook is not POSTed again (a repeat would be harmless anyway: receivers dedupe on
 *   X-Delivery-Id, which is why losing this record, say to a worker crash mid-attempt, is acceptable);
 * - the email goes only to recipients the server has not yet accepted or refused for good (a repeat
 *   would reach people's inboxes; the Message-ID lets mail systems drop it, but not all do);
 * - a channel's permanent failure is remembered, so it is neither retried nor forgotten.
 *
 * Email recipients are recorded by their index in `delivery.emails` (deduplicated), not by address:
 * the activity's input is the same on every attempt, and no address is copied into the heartbeat.
 */
const recordedFailure = z.object({ type: z.string(), message: z.string(), details: z.array(z.unknown()) });
const progressSchema = z.object({
  webhook: z.union([z.literal('delivered'), z.object({ failed: recordedFailure })]).optional(),
  email: z
    .object({
      accepted: z.array(z.number().int().nonnegative()),
      refused: z.array(z.number().int().nonnegative()),
      failed: recordedFailure.optional(),
    })
    .optional(),
});
type Progress = z.infer<typeof progressSchema>;
type RecordedFailure = z.infer<typeof recordedFailure>;

const record = (failure: ApplicationFailure): RecordedFailure => ({
  type: failure.type ?? 'Error',
  message: failure.message,
  details: [...(failure.details ?? [])],
});

const replay = (failure: RecordedFailure) =>
  ApplicationFailure.create({
    type: failure.type,
    message: failure.message,
    details: failure.details,
    nonRetryable: true,
  });

/** A heartbeat from another version, or none: start from nothing (worst case, a channel repeats). */
function readProgress(details: unknown): Progress {
  const parsed = progressSchema.safeParse(details);
  return parsed.success ? parsed.data : {};
}

/** Deduplicated by address (case-insensitive), first occurrence kept. */
function distinctRecipients(emails: readonly EmailAddress[] | undefined): EmailAddress[] {
  const seen = new Set<string>();
  return (emails ?? []).filter((recipient) => {
    const key = recipient.address.trim().toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function createNotifyActivities(deps: NotifyDeps) {
  const { logger, webhookUrl, webhookSecret } = deps;
  const timeoutMs = deps.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const doFetch = deps.fetch ?? fetch;
  // Built once (it checks `smtp.from`): a misconfiguration fails at worker start, not on the first notification.
  const email: EmailChannel | undefined = deps.smtp ? createEmailChannel(deps.smtp) : undefined;

  async function notify(notification: Notification, delivery?: NotifyDelivery): Promise<NotifyResult> {
    const context = activityContext();
    const attempt = context?.info.attempt;
    const progress = readProgress(context?.info.heartbeatDetails);
    const recipients = distinctRecipients(delivery?.emails);
    const save = () => context?.heartbeat(progress);

    // Ids, kinds and audiences only: the summary, the details and the addresses stay out of logs.
    logger.info(
      {
        notificationId: notification.id,
        eventId: notification.eventId,
        kind: notification.kind,
        subject: notification.subject,
        to: notification.to,
        // Not `level`: that key is the log level in pino's output, and a second one would overwrite it.
        ...(notification.level !== undefined ? { escalationLevel: notification.level } : {}),
        at: notification.at,
        ...(delivery?.emails !== undefined ? { emailRecipients: recipients.length } : {}),
        ...(attempt !== undefined ? { attempt } : {}),
      },
      `notification ${notification.kind}`,
    );
    const channels: NotifyResult['channels'] = { log: 'written' };
    const failures: { channel: NotifyFailureOutcome['channel']; failure: ApplicationFailure }[] = [];

    const warn = (channel: NotifyFailureOutcome['channel'], failure: ApplicationFailure) =>
      logger.warn(
        {
          notificationId: notification.id,
          eventId: notification.eventId,
          channel,
          type: failure.type,
          retryable: !failure.nonRetryable,
          ...(failure.details?.[0] as WebhookFailureDetails | EmailFailureDetails | undefined),
          // Only ever set here as milliseconds (see deliverWebhook).
          ...(typeof failure.nextRetryDelay === 'number' ? { nextRetryDelayMs: failure.nextRetryDelay } : {}),
          ...(attempt !== undefined ? { attempt } : {}),
        },
        `${channel} delivery failed`,
      );

    if (webhookUrl) {
      if (progress.webhook === 'delivered') {
        channels.webhook = 'delivered';
      } else if (progress.webhook !== undefined) {
        failures.push({ channel: 'webhook', failure: replay(progress.webhook.failed) });
      } else {
        try {
          await deliverWebhook(notification, {
            url: webhookUrl,
            secret: webhookSecret,
            fetch: doFetch,
            timeoutMs,
            cancellation: context?.cancellationSignal,
          });
          channels.webhook = 'delivered';
          progress.webhook = 'delivered';
          save();
        } catch (error) {
          if (!(error instanceof ApplicationFailure)) throw error; // cancellation, or a bug
          warn('webhook', error);
          failures.push({ channel: 'webhook', failure: error });
          if (error.nonRetryable) {
            progress.webhook = { failed: record(error) };
            save();
          }
        }
      }
    }

    if (email && recipients.length === 0) {
      channels.email = 'skipped';
    } else if (email) {
      const state = (progress.email ??= { accepted: [], refused: [] });
      const done = new Set([...state.accepted, ...state.refused]);
      const pending = recipients.map((_, index) => index).filter((index) => !done.has(index));
      // A permanent failure of an earlier attempt stands (it was logged then); otherwise send to who is left.
      let failure: ApplicationFailure | undefined = state.failed ? replay(state.failed) : undefined;
      if (!failure && pending.length > 0) {
        try {
          const sent = await email.send({
            notification,
            recipients,
            pending,
            cancellation: context?.cancellationSignal,
          });
          state.accepted.push(...sent.accepted);
          state.refused.push(...sent.refused);
          const counts = {
            ...(state.refused.length > 0 ? { refusedRecipients: state.refused.length } : {}),
            ...(sent.deferred.length > 0 ? { deferredRecipients: sent.deferred.length } : {}),
          };
          if (sent.deferred.length > 0) failure = deferredFailure(sent.deferral, counts);
          else if (state.accepted.length === 0) failure = refusedFailure(sent.refusal, counts);
        } catch (error) {
          if (!(error instanceof ApplicationFailure)) throw error; // cancellation, or a bug
          failure = error;
        }
        if (failure) warn('email', failure);
        if (failure?.nonRetryable) state.failed = record(failure);
        save();
      }
      if (failure) {
        failures.push({ channel: 'email', failure });
      } else {
        channels.email = 'sent';
        if (state.refused.length > 0 && pending.length > 0) {
          // Sent to everyone the server took; the refused addresses will not take it on a retry either.
          logger.warn(
            {
              notificationId: notification.id,
              eventId: notification.eventId,
              channel: 'email',
              refusedRecipients: state.refused.length,
              ...(attempt !== undefined ? { attempt } : {}),
            },
            'email refused for some recipients',
          );
        }
      }
    }
    if (email === undefined && recipients.length > 0) {
      logger.warn(
        { notificationId: notification.id, eventId: notification.eventId, channel: 'email' },
        'email recipients given but no SMTP server is configured',
      );
    }

    if (failures.length === 0) return { channels };
    // A retryable failure first: the retry finishes the other channels. Permanent ones are remembered
    // in the heartbeat and thrown once nothing is left to retry.
    const { channel, failure } = failures.find((f) => !f.failure.nonRetryable) ?? failures[0]!;
    throw ApplicationFailure.create({
      type: failure.type ?? undefined,
      message: failure.message,
      nonRetryable: failure.nonRetryable === true,
      details: [failure.details?.[0], { channel, channels } satisfies NotifyFailureOutcome],
      // Only ever set as milliseconds (see deliverWebhook).
      ...(typeof failure.nextRetryDelay === 'number' ? { nextRetryDelay: failure.nextRetryDelay } : {}),
      ...(failure.cause instanceof Error ? { cause: failure.cause } : {}),
    });
  }

  return { notify };
}

/** The activity context when running as an activity (worker or MockActivityEnvironment); undefined in a plain call. */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}
