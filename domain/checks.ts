import { z } from 'zod';
import { anyInstantSchema } from './instant';

/**
 * Automated readiness checks: a checklist item can carry a probe of a system the
 * event depends on (the accreditation portal answers, its certificate outlives the
 * event, the press-centre name resolves to the right addresses, the radio gateway
 * port is open). This module holds the spec schema, the result shape and the rules
 * that turn an observation into a verdict; `activities/checks.ts` does the I/O.
 *
 * A check that runs and finds its target unhealthy is a *result* (`ok: false` with
 * a stable `failure.code`), never an activity failure: retrying will not renew a
 * certificate. Everything here is JSON-safe (results enter workflow history).
 */

// ── Spec ──────────────────────────────────────────────────────────────────────

const port = z.number().int().min(1).max(65_535);
const positiveMs = (max: number) => z.number().int().min(1).max(max);
/** A DNS name or an IP literal (IPv6 without brackets). */
const host = z.union([z.hostname().min(1).max(253), z.ipv6()], { error: 'a host name or an IP address' });
/** A DNS name to resolve (an address resolves to nothing). */
const dnsName = z
  .hostname()
  .min(1)
  .max(253)
  .refine((name) => !z.ipv4().safeParse(name).success, 'a DNS name, not an address');

/** How often the workflow re-runs the check: `{ minutes: 15 }`, `{ hours: 6 }` (hourly when omitted). */
export const checkCadenceSchema = z
  .object({
    seconds: z.number().int().min(0).max(10_000_000).optional(),
    minutes: z.number().int().min(0).max(100_000).optional(),
    hours: z.number().int().min(0).max(10_000).optional(),
  })
  .strict()
  .refine((c) => cadenceMs(c) >= 1000, 'a cadence of at least a second, e.g. { minutes: 15 }');
export type CheckCadence = z.infer<typeof checkCadenceSchema>;

export const DEFAULT_CHECK_CADENCE_MS = 3_600_000;

export function cadenceMs(c: {
  seconds?: number | undefined;
  minutes?: number | undefined;
  hours?: number | undefined;
}): number {
  return ((c.hours ?? 0) * 3600 + (c.minutes ?? 0) * 60 + (c.seconds ?? 0)) * 1000;
}

/**
 * A check result as it enters the workflow (from the check activity, through
 * the `recordCheckResult` update): validated again there, since any Temporal
 * client could send one.
 */
const detailValue: z.ZodType<CheckDetailValue> = z.lazy(() =>
  z.union([
    z.string().max(2000),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(detailValue).max(100),
    z.record(z.string(), detailValue),
  ]),
);
export const checkResultSchema = z
  .object({
    ok: z.boolean(),
    kind: z.enum(['http', 'tls', 'dns', 'tcp']),
    target: z.string().max(2100),
    checkedAt: anyInstantSchema,
    durationMs: z.number().min(0),
    summary: z.string().max(1000),
    details: z.record(z.string(), detailValue).default({}),
    failure: z
      .object({ code: z.string().max(80), message: z.string().max(2000) })
      .strict()
      .optional(),
  })
  .strict();

/** Fields every kind accepts. `timeoutMs` bounds each network call of the check. */
const common = {
  every: checkCadenceSchema.optional(),
  timeoutMs: positiveMs(120_000).optional(),
};

const httpStatus = z.number().int().min(100).max(599);

const httpCheckSchema = z
  .object({
    kind: z.literal('http'),
    url: z
      .url({ protocol: /^https?$/, error: 'an http:// or https:// URL' })
      .max(2048)
      .refine((url) => !/^[a-z]+:\/\/[^/?#]*@/i.test(url), 'no user name or password in the URL'),
    /** Accepted status codes; a single code is normalised to a list. Redirects are not followed. */
    expectStatus: z
      .union([httpStatus, z.array(httpStatus).min(1).max(50)])
      .transform((s) => (Array.isArray(s) ? s : [s]))
      .default([200]),
    /** A regular expression (JavaScript syntax, no flags) the response body must match. */
    bodyPattern: z
      .string()
      .min(1)
      .max(1000)
      .refine(compiles, 'a valid regular expression (JavaScript syntax)')
      .optional(),
    /** Time to the response headers above this fails the check (LATENCY_BUDGET_EXCEEDED). */
    latencyBudgetMs: positiveMs(120_000).default(2000),
    method: z.enum(['GET', 'HEAD']).default('GET'),
    ...common,
  })
  .strict()
  .refine((s) => s.bodyPattern === undefined || s.method === 'GET', {
    message: 'a HEAD response has no body to match: use GET with bodyPattern',
    path: ['method'],
  });

const tlsCheckSchema = z
  .object({
    kind: z.literal('tls'),
    host,
    port: port.default(443),
    /** The name to send (SNI) and to match the certificate against; `host` when absent. */
    servername: z.hostname().min(1).max(253).optional(),
    /** The certificate must stay valid this many days past `mustBeValidUntil` (the event end). */
    marginDays: z.number().int().min(0).max(3650).default(14),
    ...common,
  })
  .strict();

const dnsCheckSchema = z
  .object({
    kind: z.literal('dns'),
    name: dnsName,
    /** When given, the resolved set of addresses must equal this set (order does not matter). */
    expect: z.array(z.string()).min(1).max(100).optional(),
    recordType: z.enum(['A', 'AAAA']).default('A'),
    ...common,
  })
  .strict()
  .superRefine((s, ctx) => {
    const format = s.recordType === 'A' ? z.ipv4() : z.ipv6();
    s.expect?.forEach((address, i) => {
      if (!format.safeParse(address).success) {
        ctx.addIssue({
          code: 'custom',
          message: `an ${s.recordType === 'A' ? 'IPv4' : 'IPv6'} address (recordType is ${s.recordType})`,
          path: ['expect', i],
        });
      }
    });
  });

const tcpCheckSchema = z
  .object({
    kind: z.literal('tcp'),
    host,
    port,
    ...common,
    timeoutMs: positiveMs(120_000).default(3000),
  })
  .strict();

export const checkSpecSchema = z.discriminatedUnion('kind', [
  httpCheckSchema,
  tlsCheckSchema,
  dnsCheckSchema,
  tcpCheckSchema,
]);
/** A parsed spec: defaults applied, `expectStatus` always a list. */
export type CheckSpec = z.infer<typeof checkSpecSchema>;
/** A spec as written in a template (defaults optional). */
export type CheckSpecInput = z.input<typeof checkSpecSchema>;
export type CheckKind = CheckSpec['kind'];
export type HttpCheckSpec = Extract<CheckSpec, { kind: 'http' }>;
export type TlsCheckSpec = Extract<CheckSpec, { kind: 'tls' }>;
export type DnsCheckSpec = Extract<CheckSpec, { kind: 'dns' }>;
export type TcpCheckSpec = Extract<CheckSpec, { kind: 'tcp' }>;

function compiles(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

// ── Result ────────────────────────────────────────────────────────────────────

/** Why a check found its target unhealthy. Stable: workflows, views and alerts match on these. */
export const checkFailureCodes = [
  'HTTP_STATUS_MISMATCH',
  'HTTP_BODY_MISMATCH',
  'LATENCY_BUDGET_EXCEEDED',
  'HTTP_TIMEOUT',
  'TLS_UNTRUSTED',
  'TLS_HOSTNAME_MISMATCH',
  'TLS_EXPIRES_TOO_SOON',
  'TLS_EXPIRED',
  'TLS_NOT_YET_VALID',
  'TLS_TIMEOUT',
  'DNS_NXDOMAIN',
  'DNS_ADDRESS_MISMATCH',
  'DNS_SERVFAIL',
  'DNS_TIMEOUT',
  'TCP_REFUSED',
  'TCP_TIMEOUT',
  /** The target could not be reached at all (name not found, network unreachable, reset, not TLS). */
  'CONNECTION_FAILED',
] as const;
export type CheckFailureCode = (typeof checkFailureCodes)[number];

export type CheckDetailValue =
  string | number | boolean | null | CheckDetailValue[] | { [key: string]: CheckDetailValue };

export interface CheckFailure {
  code: CheckFailureCode;
  message: string;
}

export interface CheckResult {
  ok: boolean;
  kind: CheckKind;
  /** What was probed: the URL (without query or fragment), `host:port`, or the DNS name. */
  target: string;
  /** ISO instant the check started. */
  checkedAt: string;
  durationMs: number;
  /** One human-readable line. */
  summary: string;
  /** What was observed: status, latencyMs, validTo, issuer, addresses, … (JSON values only). */
  details: Record<string, CheckDetailValue>;
  failure?: CheckFailure;
}

/**
 * What a check probes, for results, summaries and logs. A URL loses its query and
 * fragment (they may carry tokens); the schema already refuses credentials in URLs.
 */
export function checkTarget(spec: CheckSpec): string {
  switch (spec.kind) {
    case 'http': {
      const url = new URL(spec.url);
      return `${url.origin}${url.pathname}`;
    }
    case 'tls':
    case 'tcp':
      return `${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}`;
    case 'dns':
      return spec.name;
  }
}

// ── Verdicts ──────────────────────────────────────────────────────────────────
// Each takes what the activity observed and returns the failure, if any. Pure, so the
// rules are the same in tests, in the activity and in any later re-evaluation.

export interface HttpObservation {
  status: number;
  /** Milliseconds until the response headers arrived. */
  latencyMs: number;
  /** The body as read (GET only; possibly truncated to the read limit). */
  body?: string;
}

export function evaluateHttp(spec: HttpCheckSpec, seen: HttpObservation): CheckFailure | undefined {
  if (!spec.expectStatus.includes(seen.status)) {
    return {
      code: 'HTTP_STATUS_MISMATCH',
      message: `answered ${seen.status}, expected ${spec.expectStatus.join(' or ')}`,
    };
  }
  if (spec.bodyPattern !== undefined && !new RegExp(spec.bodyPattern).test(seen.body ?? '')) {
    return { code: 'HTTP_BODY_MISMATCH', message: `the body does not match /${spec.bodyPattern}/` };
  }
  if (seen.latencyMs > spec.latencyBudgetMs) {
    return {
      code: 'LATENCY_BUDGET_EXCEEDED',
      message: `answered in ${seen.latencyMs} ms, over the ${spec.latencyBudgetMs} ms budget`,
    };
  }
  return undefined;
}

export interface TlsObservation {
  /** OpenSSL's chain verdict (`authorizationError`), without the hostname check; undefined when trusted. */
  chainError?: string;
  /** The hostname check's error message; undefined when the certificate covers the name. */
  hostnameError?: string;
  /** The name the certificate was checked against. */
  checkedName: string;
  validFrom: string;
  validTo: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function evaluateTls(
  spec: TlsCheckSpec,
  seen: TlsObservation,
  at: { now: number; mustBeValidUntil?: string | undefined },
): CheckFailure | undefined {
  const validTo = Date.parse(seen.validTo);
  const validFrom = Date.parse(seen.validFrom);
  if (seen.chainError === 'CERT_HAS_EXPIRED' || validTo <= at.now) {
    return { code: 'TLS_EXPIRED', message: `the certificate expired at ${seen.validTo}` };
  }
  if (seen.chainError === 'CERT_NOT_YET_VALID' || validFrom > at.now) {
    return { code: 'TLS_NOT_YET_VALID', message: `the certificate is not valid before ${seen.validFrom}` };
  }
  if (seen.chainError !== undefined) {
    return { code: 'TLS_UNTRUSTED', message: `the certificate chain is not trusted (${seen.chainError})` };
  }
  if (seen.hostnameError !== undefined) {
    return {
      code: 'TLS_HOSTNAME_MISMATCH',
      message: `the certificate does not cover ${seen.checkedName}`,
    };
  }
  const from = at.mustBeValidUntil === undefined ? at.now : Date.parse(at.mustBeValidUntil);
  const required = from + spec.marginDays * DAY_MS;
  if (validTo < required) {
    const until = at.mustBeValidUntil === undefined ? 'now' : at.mustBeValidUntil;
    return {
      code: 'TLS_EXPIRES_TOO_SOON',
      message: `the certificate expires at ${seen.validTo}, before ${until} plus ${spec.marginDays} days`,
    };
  }
  return undefined;
}

/** The resolver answers that are verdicts about the name (other resolver errors are the checker's problem). */
export const dnsResultErrorCodes = ['ENOTFOUND', 'ENODATA', 'ESERVFAIL', 'ETIMEOUT'] as const;
export type DnsResultErrorCode = (typeof dnsResultErrorCodes)[number];

/** The addresses that resolved, or why none did. */
export type DnsObservation = { addresses: string[] } | { errorCode: DnsResultErrorCode };

export function evaluateDns(spec: DnsCheckSpec, seen: DnsObservation): CheckFailure | undefined {
  if ('errorCode' in seen) {
    switch (seen.errorCode) {
      case 'ENOTFOUND':
      case 'ENODATA':
        return { code: 'DNS_NXDOMAIN', message: `${spec.name} has no ${spec.recordType} record (${seen.errorCode})` };
      case 'ESERVFAIL':
        return { code: 'DNS_SERVFAIL', message: `the resolver failed to resolve ${spec.name} (SERVFAIL)` };
      case 'ETIMEOUT':
        return { code: 'DNS_TIMEOUT', message: `no answer for ${spec.name} in time` };
    }
  }
  if (seen.addresses.length === 0) {
    return { code: 'DNS_NXDOMAIN', message: `${spec.name} has no ${spec.recordType} record` };
  }
  if (spec.expect !== undefined) {
    const want = new Set(spec.expect.map(canonicalAddress));
    const got = new Set(seen.addresses.map(canonicalAddress));
    const missing = [...want].filter((a) => !got.has(a));
    const extra = [...got].filter((a) => !want.has(a));
    if (missing.length > 0 || extra.length > 0) {
      const parts = [
        ...(missing.length > 0 ? [`missing ${missing.join(', ')}`] : []),
        ...(extra.length > 0 ? [`unexpected ${extra.join(', ')}`] : []),
      ];
      return { code: 'DNS_ADDRESS_MISMATCH', message: `${spec.name} resolves differently: ${parts.join('; ')}` };
    }
  }
  return undefined;
}

/** One spelling per address: IPv6 in its canonical (RFC 5952) form, so `2001:0db8::0001` equals `2001:db8::1`. */
export function canonicalAddress(address: string): string {
  if (!address.includes(':')) return address;
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase();
  }
}

// ── Summary ───────────────────────────────────────────────────────────────────

/** The one-line summary of a result: `tls status.example.org:443 ok` or `… failed: <message>`. */
export function checkSummary(kind: CheckKind, target: string, failure: CheckFailure | undefined, ok: string): string {
  return failure === undefined ? `${kind} ${target}: ${ok}` : `${kind} ${target} failed: ${failure.message}`;
}
