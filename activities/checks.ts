import { X509Certificate } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ReadableStreamReadResult } from 'node:stream/web';
import tls from 'node:tls';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import {
  checkSpecSchema,
  checkSummary,
  checkTarget,
  dnsResultErrorCodes,
  evaluateDns,
  evaluateHttp,
  evaluateTls,
  type CheckFailure,
  type CheckResult,
  type CheckSpec,
  type CheckSpecInput,
  type DnsCheckSpec,
  type DnsObservation,
  type DnsResultErrorCode,
  type HttpCheckSpec,
  type CheckDetailValue,
  type TcpCheckSpec,
  type TlsCheckSpec,
} from '../domain/checks';

/**
 * The readiness check activity: `runCheck` probes one target (HTTP, TLS, DNS or TCP)
 * and returns a `CheckResult`. A target found unhealthy is a result (`ok: false` and a
 * stable `failure.code`), never a thrown error, so a retry policy never re-runs a
 * genuine "certificate expires too soon". Only the checker's own problems throw:
 * `INVALID_CHECK_INPUT` (non-retryable: the input will not get better) and
 * `CHECKER_UNAVAILABLE` (retryable: e.g. the checker's DNS resolver is unreachable);
 * cancellation surfaces as Temporal's cancellation.
 *
 * Every network call has a deadline (`spec.timeoutMs` or the kind's default) and is
 * aborted by activity cancellation. Inside an activity the check heartbeats while it runs.
 */

/** The subset of a pino logger this activity uses (pino's `Logger` fits). */
export interface CheckLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** The part of `node:dns/promises` (or a `Resolver`) the DNS check uses. */
export interface CheckResolver {
  resolve4(hostname: string): Promise<string[]>;
  resolve6(hostname: string): Promise<string[]>;
}

export interface CheckDeps {
  logger: CheckLogger;
  /** DNS checks ask this resolver; a fresh system-configured `Resolver` per check otherwise. */
  resolver?: CheckResolver;
  /** Extra trusted CA certificates (PEM) for TLS checks, added to Node's root store; a malformed one throws here. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** The clock for `checkedAt` and certificate expiry arithmetic; `Date.now` otherwise. */
  now?: () => number;
}

export interface RunCheckInput {
  /** A parsed `CheckSpec` or a spec as written (defaults are applied here). */
  spec: CheckSpecInput;
  /** ISO instant the target must stay healthy until (the event end); TLS checks add `marginDays`. */
  mustBeValidUntil?: string;
  eventId: string;
  itemId: string;
}

/** Activity failure types (the checker's own problems; an unhealthy target is a result). */
export const INVALID_CHECK_INPUT = 'INVALID_CHECK_INPUT';
export const CHECKER_UNAVAILABLE = 'CHECKER_UNAVAILABLE';

/** Deadline of one network call when the spec sets no `timeoutMs` (TCP's default is in its schema). */
export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;
/** A body is read up to this many bytes for `bodyPattern`; the rest is not read. */
export const MAX_BODY_BYTES = 1024 * 1024;
const HEARTBEAT_INTERVAL_MS = 1000;

const inputSchema = z.object({
  spec: checkSpecSchema,
  mustBeValidUntil: z.iso.datetime({ offset: true }).optional(),
  eventId: z.string().min(1),
  itemId: z.string().min(1),
});

/** A verdict and what was observed, before it becomes a `CheckResult`. */
interface Outcome {
  failure?: CheckFailure | undefined;
  details: Record<string, CheckDetailValue>;
  /** The summary's tail when healthy, e.g. `200 in 35 ms`. */
  okSummary: string;
}

export function createCheckActivities(deps: CheckDeps) {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  // Built once: a malformed CA stops the worker at start instead of failing every TLS check as unreachable.
  const secureContext =
    deps.ca === undefined
      ? undefined
      : tls.createSecureContext({ ca: [...tls.rootCertificates, ...pemCertificates(deps.ca)] });

  async function runCheck(input: RunCheckInput, signal?: AbortSignal): Promise<CheckResult> {
    const parsed = inputSchema.safeParse(input);
    if (!parsed.success) {
      throw ApplicationFailure.create({
        type: INVALID_CHECK_INPUT,
        message: `invalid check input: ${z.prettifyError(parsed.error)}`,
        details: [parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message }))],
        nonRetryable: true,
      });
    }
    const { spec, mustBeValidUntil, eventId, itemId } = parsed.data;
    const context = activityContext();
    const cancellation = anySignal(context?.cancellationSignal, signal);
    const target = checkTarget(spec);
    const logFields = {
      eventId,
      itemId,
      kind: spec.kind,
      target,
      ...(context ? { attempt: context.info.attempt } : {}),
    };

    const checkedAt = new Date(now()).toISOString();
    const started = performance.now();
    context?.heartbeat();
    const beat = context ? setInterval(() => context.heartbeat(), HEARTBEAT_INTERVAL_MS) : undefined;
    let outcome: Outcome;
    try {
      outcome = await probe(spec, { cancellation, mustBeValidUntil });
    } catch (error) {
      if (!cancellation?.aborted) {
        logger.warn(
          { ...logFields, error: error instanceof ApplicationFailure ? error.type : String(error) },
          'check could not run',
        );
      }
      throw error;
    } finally {
      clearInterval(beat);
    }
    const durationMs = Math.round(performance.now() - started);

    const { failure, details } = outcome;
    const result: CheckResult = {
      ok: failure === undefined,
      kind: spec.kind,
      target,
      checkedAt,
      durationMs,
      summary: checkSummary(spec.kind, target, failure, outcome.okSummary),
      details,
      ...(failure ? { failure } : {}),
    };
    if (failure) logger.warn({ ...logFields, ok: false, code: failure.code, durationMs }, `check ${spec.kind} failed`);
    else logger.info({ ...logFields, ok: true, durationMs }, `check ${spec.kind} ok`);
    return result;
  }

  interface ProbeOptions {
    cancellation: AbortSignal | undefined;
    mustBeValidUntil: string | undefined;
  }

  function probe(spec: CheckSpec, options: ProbeOptions): Promise<Outcome> {
    switch (spec.kind) {
      case 'http':
        return probeHttp(spec, options.cancellation);
      case 'tls':
        return probeTls(spec, options);
      case 'dns':
        return probeDns(spec, options.cancellation);
      case 'tcp':
        return probeTcp(spec, options.cancellation);
    }
  }

  async function probeHttp(spec: HttpCheckSpec, cancellation: AbortSignal | undefined): Promise<Outcome> {
    const timeoutMs = spec.timeoutMs ?? Math.max(DEFAULT_CHECK_TIMEOUT_MS, spec.latencyBudgetMs);
    const deadline = withDeadline(timeoutMs, cancellation);
    const started = performance.now();
    let stage: 'connect' | 'body' = 'connect';
    try {
      const response = await fetch(spec.url, {
        method: spec.method,
        // What this URL answers is what is checked: a redirect is a status to expect, not to follow.
        redirect: 'manual',
        headers: { 'User-Agent': 'readiness-engine (readiness check)' },
        signal: deadline.signal,
      });
      const latencyMs = Math.round(performance.now() - started);
      const details: Record<string, CheckDetailValue> = { status: response.status, latencyMs, timeoutMs };
      const location = response.headers.get('location');
      if (location !== null) details.location = location;
      let body: string | undefined;
      if (spec.bodyPattern !== undefined) {
        stage = 'body';
        const read = await readBody(response, MAX_BODY_BYTES);
        body = read.text;
        details.bodyBytes = read.bytes;
        if (read.truncated) details.bodyTruncated = true;
      } else {
        await response.body?.cancel().catch(() => undefined);
      }
      const failure = evaluateHttp(spec, {
        status: response.status,
        latencyMs,
        ...(body !== undefined ? { body } : {}),
      });
      return { failure, details, okSummary: `${response.status} in ${latencyMs} ms` };
    } catch (error) {
      deadline.throwIfCancelled(error);
      if (deadline.timedOut()) {
        return {
          failure: { code: 'HTTP_TIMEOUT', message: `no complete answer within ${timeoutMs} ms (${stage})` },
          details: { timeoutMs, stage },
          okSummary: '',
        };
      }
      const cause = errorCode(error);
      return {
        failure: { code: 'CONNECTION_FAILED', message: `could not reach ${checkTarget(spec)} (${cause})` },
        details: { cause, stage },
        okSummary: '',
      };
    } finally {
      deadline.clear();
    }
  }

  async function probeTls(spec: TlsCheckSpec, options: ProbeOptions): Promise<Outcome> {
    const timeoutMs = spec.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
    const deadline = withDeadline(timeoutMs, options.cancellation);
    const started = performance.now();
    const checkedName = spec.servername ?? spec.host;
    let socket: tls.TLSSocket | undefined;
    try {
      socket = tls.connect({
        host: spec.host,
        port: spec.port,
        // SNI carries names only; Node sends `host` itself when it is a name.
        ...(spec.servername !== undefined ? { servername: spec.servername } : {}),
        ...(secureContext !== undefined ? { secureContext } : {}),
        // Verification is read from the socket below, so an untrusted certificate is reported, not thrown.
        rejectUnauthorized: false,
      });
      await settle(socket, 'secureConnect', deadline.signal);
      const handshakeMs = Math.round(performance.now() - started);
      const cert = socket.getPeerCertificate();
      if (!cert || !cert.valid_to) {
        return {
          failure: { code: 'TLS_UNTRUSTED', message: 'the server presented no certificate' },
          details: { handshakeMs },
          okSummary: '',
        };
      }
      const validFrom = new Date(Date.parse(cert.valid_from)).toISOString();
      const validTo = new Date(Date.parse(cert.valid_to)).toISOString();
      const authorizationError = socket.authorized ? undefined : verifyCode(socket.authorizationError);
      const chainError = authorizationError === 'ERR_TLS_CERT_ALTNAME_INVALID' ? undefined : authorizationError;
      const hostnameError = tls.checkServerIdentity(checkedName, cert)?.message;
      const at = now();
      const details: Record<string, CheckDetailValue> = {
        validFrom,
        validTo,
        daysLeft: Math.floor((Date.parse(validTo) - at) / 86_400_000),
        issuer: distinguishedName(cert.issuer),
        subject: distinguishedName(cert.subject),
        ...(cert.subjectaltname ? { subjectAltName: cert.subjectaltname } : {}),
        fingerprint256: cert.fingerprint256,
        protocol: socket.getProtocol(),
        authorized: socket.authorized,
        ...(chainError !== undefined ? { authorizationError: chainError } : {}),
        checkedName,
        marginDays: spec.marginDays,
        ...(options.mustBeValidUntil !== undefined ? { mustBeValidUntil: options.mustBeValidUntil } : {}),
        handshakeMs,
      };
      const failure = evaluateTls(
        spec,
        {
          ...(chainError !== undefined ? { chainError } : {}),
          ...(hostnameError !== undefined ? { hostnameError } : {}),
          checkedName,
          validFrom,
          validTo,
        },
        { now: at, mustBeValidUntil: options.mustBeValidUntil },
      );
      return { failure, details, okSummary: `valid until ${validTo}, trusted, covers ${checkedName}` };
    } catch (error) {
      deadline.throwIfCancelled(error);
      if (deadline.timedOut()) {
        return {
          failure: { code: 'TLS_TIMEOUT', message: `no TLS handshake within ${timeoutMs} ms` },
          details: { timeoutMs },
          okSummary: '',
        };
      }
      const cause = errorCode(error);
      return {
        failure: { code: 'CONNECTION_FAILED', message: `no TLS session with ${checkTarget(spec)} (${cause})` },
        details: { cause },
        okSummary: '',
      };
    } finally {
      deadline.clear();
      socket?.destroy();
    }
  }

  async function probeDns(spec: DnsCheckSpec, cancellation: AbortSignal | undefined): Promise<Outcome> {
    const timeoutMs = spec.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
    const deadline = withDeadline(timeoutMs, cancellation);
    // An own resolver per check can be cancelled without touching anyone else's queries.
    const owned = deps.resolver === undefined ? new Resolver({ timeout: timeoutMs, tries: 1 }) : undefined;
    const resolver: CheckResolver = deps.resolver ?? owned!;
    const started = performance.now();
    let seen: DnsObservation;
    try {
      const query = spec.recordType === 'A' ? resolver.resolve4(spec.name) : resolver.resolve6(spec.name);
      seen = { addresses: await untilAborted(query, deadline.signal) };
    } catch (error) {
      deadline.throwIfCancelled(error);
      const code = deadline.timedOut() ? 'ETIMEOUT' : errorCode(error);
      if (!isDnsResultCode(code)) {
        // REFUSED, unreachable resolver, malformed answers: the checker's resolver is at fault, not the name.
        throw ApplicationFailure.create({
          type: CHECKER_UNAVAILABLE,
          message: `the DNS resolver failed (${code})`,
          details: [{ code }],
          ...(error instanceof Error ? { cause: error } : {}),
        });
      }
      seen = { errorCode: code };
    } finally {
      deadline.clear();
      if (deadline.signal.aborted) owned?.cancel();
    }
    const resolveMs = Math.round(performance.now() - started);
    const details: Record<string, CheckDetailValue> = {
      recordType: spec.recordType,
      resolveMs,
      ...('addresses' in seen ? { addresses: [...seen.addresses].sort() } : { rcode: seen.errorCode }),
      ...(spec.expect !== undefined ? { expected: [...spec.expect].sort() } : {}),
    };
    const failure = evaluateDns(spec, seen);
    const addresses = 'addresses' in seen ? seen.addresses : [];
    return { failure, details, okSummary: `${spec.recordType} ${[...addresses].sort().join(', ')}` };
  }

  async function probeTcp(spec: TcpCheckSpec, cancellation: AbortSignal | undefined): Promise<Outcome> {
    const timeoutMs = spec.timeoutMs;
    const deadline = withDeadline(timeoutMs, cancellation);
    const started = performance.now();
    let socket: net.Socket | undefined;
    try {
      socket = net.connect({ host: spec.host, port: spec.port });
      await settle(socket, 'connect', deadline.signal);
      const connectMs = Math.round(performance.now() - started);
      const details: Record<string, CheckDetailValue> = { connectMs };
      if (socket.remoteAddress !== undefined) details.remoteAddress = socket.remoteAddress;
      return { details, okSummary: `open, connected in ${connectMs} ms` };
    } catch (error) {
      deadline.throwIfCancelled(error);
      if (deadline.timedOut()) {
        return {
          failure: { code: 'TCP_TIMEOUT', message: `no connection within ${timeoutMs} ms` },
          details: { timeoutMs },
          okSummary: '',
        };
      }
      const cause = errorCode(error);
      return {
        failure:
          cause === 'ECONNREFUSED'
            ? { code: 'TCP_REFUSED', message: `${checkTarget(spec)} refused the connection` }
            : { code: 'CONNECTION_FAILED', message: `could not connect to ${checkTarget(spec)} (${cause})` },
        details: { cause },
        okSummary: '',
      };
    } finally {
      deadline.clear();
      socket?.destroy();
    }
  }

  return { runCheck };
}

/** The activity context when running as an activity (worker or MockActivityEnvironment); undefined in a plain call. */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}

/**
 * A per-call deadline joined with cancellation. Cancellation is the caller's to report
 * (`throwIfCancelled` rethrows its reason: Temporal's CancelledFailure inside an activity);
 * a deadline is the target's slowness, reported as a result.
 */
function withDeadline(timeoutMs: number, cancellation: AbortSignal | undefined) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new TimeoutError(timeoutMs)), timeoutMs);
  const signal = cancellation ? AbortSignal.any([controller.signal, cancellation]) : controller.signal;
  return {
    signal,
    timedOut: () => controller.signal.aborted,
    throwIfCancelled(error: unknown): void {
      if (cancellation?.aborted) throw cancellation.reason ?? error;
    },
    clear: () => clearTimeout(timer),
  };
}

class TimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

/** Resolves on `event`; rejects on the socket's error, an early close or the signal. */
function settle(socket: net.Socket, event: 'connect' | 'secureConnect', signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      socket.off(event, onDone);
      socket.off('error', onError);
      socket.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    const onDone = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(Object.assign(new Error('the connection closed before it was established'), { code: 'ECONNRESET' }));
    };
    const onAbort = () => {
      cleanup();
      socket.destroy();
      reject(abortReason(signal));
    };
    if (signal.aborted) return onAbort();
    socket.once(event, onDone);
    socket.once('error', onError);
    socket.once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort!: () => void;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(abortReason(signal));
  });
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Why a signal aborted, as an Error (Temporal's cancellation reasons are Errors already). */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(typeof reason === 'string' ? reason : 'aborted');
}

/** The body as text, up to `limit` bytes; `truncated` when reading stopped at the limit. */
async function readBody(
  response: Response,
  limit: number,
): Promise<{ text: string; bytes: number; truncated: boolean }> {
  if (!response.body) return { text: '', bytes: 0, truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = (await reader.read()) as ReadableStreamReadResult<Uint8Array>;
    if (done) return { text: Buffer.concat(chunks).toString('utf8'), bytes, truncated: false };
    const room = limit - bytes;
    if (value.byteLength >= room) {
      chunks.push(value.subarray(0, room));
      await reader.cancel().catch(() => undefined);
      return { text: Buffer.concat(chunks).toString('utf8'), bytes: limit, truncated: true };
    }
    chunks.push(value);
    bytes += value.byteLength;
  }
}

/** A Node error code (`ECONNREFUSED`), looking through fetch's `TypeError: fetch failed` to its cause. */
function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return error instanceof Error ? error.message : String(error);
}

/** `authorizationError` is documented as an Error but is a string code at run time. */
function verifyCode(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return errorCode(value);
  return undefined;
}

/** Every PEM certificate in `ca`; throws when an entry holds none or a malformed one (Node would ignore it silently). */
function pemCertificates(ca: string | Buffer | Array<string | Buffer>): string[] {
  return [ca].flat().flatMap((entry, i) => {
    const blocks = entry.toString('utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
    if (!blocks) throw new TypeError(`ca[${i}] holds no PEM certificate`);
    for (const block of blocks) new X509Certificate(block);
    return blocks;
  });
}

function isDnsResultCode(code: string): code is DnsResultErrorCode {
  return (dnsResultErrorCodes as readonly string[]).includes(code);
}

function distinguishedName(name: tls.Certificate | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`)
    .join(', ');
}
