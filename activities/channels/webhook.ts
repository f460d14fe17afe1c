import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Notification } from '../../domain';

/**
 * The webhook channel: POSTs a notification as JSON, signed with HMAC-SHA256 when a
 * secret is configured. docs/notifications.md has the headers, the verification
 * recipe for receivers and the retry table.
 */

/** Failure types the workflow's retry policy and callers can match on. */
export const WEBHOOK_REJECTED = 'WEBHOOK_REJECTED';
export const WEBHOOK_UNAVAILABLE = 'WEBHOOK_UNAVAILABLE';

/** The notification id: stable across retries and replays, the receiver's dedupe key. */
export const DELIVERY_ID_HEADER = 'X-Delivery-Id';
/** Unix seconds at which this attempt was signed (each attempt signs anew). */
export const SIGNATURE_TIMESTAMP_HEADER = 'X-Signature-Timestamp';
/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`; absent when no secret is configured. */
export const SIGNATURE_HEADER = 'X-Signature';
const SIGNATURE_SCHEME = 'sha256=';

/** Details attached to webhook failures (`failure.details[0]`). */
export interface WebhookFailureDetails {
  /** HTTP status, when the receiver answered. */
  status?: number;
  /** Why no status: the request timed out or never got through. */
  reason?: 'timeout' | 'network';
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
/** A receiver's `Retry-After` is honoured up to this; longer asks are cut to this delay. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;
/** How far a signature's timestamp may be from the receiver's clock, either way, by default. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/** The `X-Signature` value for a body signed at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number | string, body: string | Uint8Array): string {
  return SIGNATURE_SCHEME + hmac(secret, String(timestamp), body).toString('hex');
}

function hmac(secret: string, timestamp: string, body: string | Uint8Array): Buffer {
  // Timestamp and body are fed separately: the body's exact bytes are signed, whatever its encoding.
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body).digest();
}

export interface VerifyWebhookSignatureInput {
  /**
   * The shared secret (NOTIFY_WEBHOOK_SECRET). A list accepts a signature made with any of them,
   * for rotating the secret without dropping deliveries.
   */
  secret: string | readonly string[];
  /** The `X-Signature-Timestamp` header as received. */
  timestamp: string | number | undefined;
  /** The raw request body, exactly as received (not re-serialized JSON). */
  body: string | Uint8Array;
  /** The `X-Signature` header as received. */
  signature: string | undefined;
  /** Largest accepted distance between the timestamp and `nowSeconds`; 300 by default. */
  toleranceSeconds?: number;
  /** The receiver's clock, unix seconds (an argument, so the check stays pure). */
  nowSeconds: number;
}

export type VerifyWebhookSignatureResult =
  | { valid: true }
  | {
      valid: false;
      /** `missing`: no signature or timestamp; `malformed`: not `sha256=<64 hex>` or not integer seconds; `stale`: outside the tolerance; `mismatch`: wrong secret or altered body. */
      reason: 'missing' | 'malformed' | 'stale' | 'mismatch';
    };

/**
 * Checks a delivery's signature the way a receiver must: HMAC-SHA256 over `"<timestamp>.<raw body>"`,
 * compared in constant time, with the timestamp within `toleranceSeconds` of the receiver's clock (a
 * captured request replayed later is refused). Pure: no clock, no I/O.
 */
export function verifyWebhookSignature(input: VerifyWebhookSignatureInput): VerifyWebhookSignatureResult {
  const { signature, body, nowSeconds } = input;
  const tolerance = input.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS;
  const timestamp = input.timestamp === undefined ? undefined : String(input.timestamp).trim();
  if (signature === undefined || signature === '' || timestamp === undefined || timestamp === '') {
    return { valid: false, reason: 'missing' };
  }
  const hex = signature.trim();
  if (!hex.startsWith(SIGNATURE_SCHEME) || !/^[0-9a-f]{64}$/i.test(hex.slice(SIGNATURE_SCHEME.length))) {
    return { valid: false, reason: 'malformed' };
  }
  if (!/^\d{1,15}$/.test(timestamp)) return { valid: false, reason: 'malformed' };
  if (!(Math.abs(nowSeconds - Number(timestamp)) <= tolerance)) return { valid: false, reason: 'stale' };

  const given = Buffer.from(hex.slice(SIGNATURE_SCHEME.length), 'hex');
  const secrets = typeof input.secret === 'string' ? [input.secret] : input.secret;
  let matched = false;
  // Every secret is tried (no early exit), and both sides are 32-byte digests: the timing says nothing.
  for (const secret of secrets) {
    if (timingSafeEqual(hmac(secret, timestamp, body), given)) matched = true;
  }
  return matched ? { valid: true } : { valid: false, reason: 'mismatch' };
}

export interface WebhookOptions {
  url: string;
  /** Signs every request when set; no `X-Signature` header otherwise. */
  secret?: string | undefined;
  fetch: typeof fetch;
  timeoutMs: number;
  /** Activity cancellation (worker shutdown, workflow cancel): aborts the request in flight. */
  cancellation?: AbortSignal | undefined;
  /** Clock for the signature timestamp and HTTP-date `Retry-After`, ms since the epoch. */
  now?: () => number;
}

/** POSTs the notification; resolves when the receiver answered 2xx, otherwise throws a typed ApplicationFailure. */
export async function deliverWebhook(notification: Notification, options: WebhookOptions): Promise<void> {
  const now = options.now ?? Date.now;
  const body = JSON.stringify(notification);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    [DELIVERY_ID_HEADER]: notification.id,
    'User-Agent': 'readiness-engine',
  };
  if (options.secret) {
    const timestamp = Math.floor(now() / 1000);
    headers[SIGNATURE_TIMESTAMP_HEADER] = String(timestamp);
    headers[SIGNATURE_HEADER] = signWebhook(options.secret, timestamp, body);
  }

  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.cancellation ? AbortSignal.any([timeout, options.cancellation]) : timeout;
  let response: Response;
  try {
    response = await options.fetch(options.url, {
      method: 'POST',
      headers,
      body,
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
    // Retry-After is defined for 429 and 503 (RFC 6585, RFC 9110 §15.6.4); on other statuses it is ignored.
    const nextRetryDelay =
      status === 429 || status === 503 ? retryAfterMs(response.headers.get('retry-after'), now()) : undefined;
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
