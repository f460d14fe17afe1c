import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Notification } from '../domain';

/**
 * The notification activity: the event workflow calls `notify` once for every
 * `Notification` the domain produces. Every attempt writes one structured log
 * line; when a webhook URL is configured the notification is also POSTed there
 * as JSON. Receivers dedupe on `X-Delivery-Id` (the notification's id, stable
 * across retries and replays), so a retried delivery is safe.
 *
 * Channels are independent steps that each report their outcome in
 * `NotifyResult.channels`; signing, email and a delivery log slot in beside them.
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
  /** Injectable for tests; the global `fetch` otherwise. */
  fetch?: typeof fetch;
  /** Per-request timeout of the webhook call. */
  timeoutMs?: number;
}

export interface NotifyResult {
  channels: { log: 'written'; webhook?: 'delivered' | 'skipped' };
}

/** Failure types the workflow's retry policy and callers can match on. */
export const WEBHOOK_REJECTED = 'WEBHOOK_REJECTED';
export const WEBHOOK_UNAVAILABLE = 'WEBHOOK_UNAVAILABLE';

/** Details attached to webhook failures (`failure.details[0]`). */
export interface WebhookFailureDetails {
  /** HTTP status, when the receiver answered. */
  status?: number;
  /** Why no status: the request timed out or never got through. */
  reason?: 'timeout' | 'network';
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
/** A receiver's `Retry-After` is honoured up to this; longer asks fall back to this delay. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

export function createNotifyActivities(deps: NotifyDeps) {
  const { logger, webhookUrl } = deps;
  const timeoutMs = deps.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const doFetch = deps.fetch ?? fetch;

  async function notify(notification: Notification): Promise<NotifyResult> {
    const context = activityContext();
    const attempt = context?.info.attempt;

    // Ids, kinds and audiences only: the summary and details stay out of logs.
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
        ...(attempt !== undefined ? { attempt } : {}),
      },
      `notification ${notification.kind}`,
    );
    const channels: NotifyResult['channels'] = { log: 'written' };

    if (webhookUrl) {
      try {
        await deliverWebhook(notification, {
          url: webhookUrl,
          fetch: doFetch,
          timeoutMs,
          cancellation: context?.cancellationSignal,
        });
      } catch (error) {
        if (error instanceof ApplicationFailure) {
          logger.warn(
            {
              notificationId: notification.id,
              eventId: notification.eventId,
              channel: 'webhook',
              type: error.type,
              retryable: !error.nonRetryable,
              ...(error.details?.[0] as WebhookFailureDetails | undefined),
              // Only ever set here as milliseconds (see deliverWebhook).
              ...(typeof error.nextRetryDelay === 'number' ? { nextRetryDelayMs: error.nextRetryDelay } : {}),
              ...(attempt !== undefined ? { attempt } : {}),
            },
            'webhook delivery failed',
          );
        }
        throw error;
      }
      channels.webhook = 'delivered';
    }
    return { channels };
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

interface WebhookOptions {
  url: string;
  fetch: typeof fetch;
  timeoutMs: number;
  /** Activity cancellation (worker shutdown, workflow cancel): aborts the request in flight. */
  cancellation?: AbortSignal | undefined;
}

async function deliverWebhook(notification: Notification, options: WebhookOptions): Promise<void> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.cancellation ? AbortSignal.any([timeout, options.cancellation]) : timeout;
  let response: Response;
  try {
    response = await options.fetch(options.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'X-Delivery-Id': notification.id,
        'User-Agent': 'readiness-engine',
      },
      body: JSON.stringify(notification),
      // A redirect is a misconfigured URL; following one would send the notification somewhere unconfigured.
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    // Cancellation is Temporal's to report (CancelledFailure), not an unavailable receiver.
    if (options.cancellation?.aborted) throw options.cancellation.reason ?? error;
    const reason = timeout.aborted ? 'timeout' : 'network';
    throw ApplicationFailure.create({
      type: WEBHOOK_UNAVAILABLE,
      message: reason === 'timeout' ? `webhook timed out after ${options.timeoutMs} ms` : 'webhook unreachable',
      details: [{ reason } satisfies WebhookFailureDetails],
      ...(error instanceof Error ? { cause: error } : {}),
    });
  }
  // The body is not used; release the connection.
  await response.body?.cancel().catch(() => undefined);

  const { status } = response;
  if (status >= 200 && status < 300) return;
  const details: WebhookFailureDetails[] = [{ status }];
  if (status === 408 || status === 429 || status >= 500) {
    const nextRetryDelay =
      status === 429 || status === 503 ? retryAfterMs(response.headers.get('retry-after'), Date.now()) : undefined;
    throw ApplicationFailure.create({
      type: WEBHOOK_UNAVAILABLE,
      message: `webhook answered ${status}`,
      details,
      ...(nextRetryDelay !== undefined ? { nextRetryDelay } : {}),
    });
  }
  // Other 4xx, and 3xx (not followed): the receiver refuses this request; retrying will not change that.
  throw ApplicationFailure.create({
    type: WEBHOOK_REJECTED,
    message: `webhook answered ${status}`,
    details,
    nonRetryable: true,
  });
}

/**
 * `Retry-After` as milliseconds from `now`: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when absent, unparsable or not in the future (the retry policy's backoff applies);
 * capped at MAX_RETRY_AFTER_MS.
 */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  let ms: number;
  if (/^\d+$/.test(value)) {
    ms = Number(value) * 1000;
  } else {
    const date = Date.parse(value);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  if (!(ms > 0)) return undefined;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}
