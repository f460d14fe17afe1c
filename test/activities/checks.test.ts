import { generateKeyPairSync } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createUDPServer, Packet, type UDPServer } from 'dns2';
import forge from 'node-forge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CHECKER_UNAVAILABLE,
  createCheckActivities,
  INVALID_CHECK_INPUT,
  type RunCheckInput,
} from '../../activities/checks';
import { checkSpecSchema, checkTarget, type CheckResult, type CheckSpecInput } from '../../domain/checks';

const DAY = 24 * 60 * 60 * 1000;

// ── Loopback servers ──────────────────────────────────────────────────────────

/** Servers of one test, closed after it; `suiteClosers` outlive the tests (TLS servers). */
const closers: Array<() => Promise<void>> = [];
const suiteClosers: Array<() => Promise<void>> = [];

async function listen<T extends net.Server>(server: T): Promise<{ server: T; port: number }> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

function closeNetServer(server: net.Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  if ('closeAllConnections' in server) (server as Server).closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A port nothing listens on: open a server, note its port, close it. */
async function closedPort(): Promise<number> {
  const { server, port } = await listen(net.createServer());
  await closeNetServer(server);
  return port;
}

interface HttpTarget {
  url: string;
  methods: string[];
}

/** A real HTTP server on loopback answering every request with `respond`. */
async function httpServer(respond: (res: ServerResponse) => void): Promise<HttpTarget> {
  const methods: string[] = [];
  const { server, port } = await listen(
    createServer((req, res) => {
      methods.push(req.method ?? '');
      respond(res);
    }),
  );
  closers.push(() => closeNetServer(server));
  return { url: `http://127.0.0.1:${port}/health?token=secret`, methods };
}

const answer =
  (status: number, body = '', delayMs = 0) =>
  (res: ServerResponse) => {
    setTimeout(() => {
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(body);
    }, delayMs);
  };

// ── Certificates, made at test time ───────────────────────────────────────────

interface Issued {
  cert: string;
  key: string;
  notAfter: Date;
}

interface Authority extends Issued {
  forgeCert: forge.pki.Certificate;
  forgeKey: forge.pki.rsa.PrivateKey;
}

let serial = 1;

function rsaKey(): forge.pki.rsa.PrivateKey {
  // Node's native key generation; forge only builds and signs the certificates.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }) as string);
}

function certificate(options: {
  subject: string;
  key: forge.pki.rsa.PrivateKey;
  issuer?: Authority;
  notBefore: Date;
  notAfter: Date;
  names?: string[];
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(options.key.n, options.key.e);
  cert.serialNumber = (serial++).toString(16).padStart(2, '0');
  cert.validity.notBefore = options.notBefore;
  cert.validity.notAfter = options.notAfter;
  cert.setSubject([{ name: 'commonName', value: options.subject }]);
  cert.setIssuer(
    options.issuer ? options.issuer.forgeCert.subject.attributes : [{ name: 'commonName', value: options.subject }],
  );
  cert.setExtensions(
    options.issuer
      ? [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
          { name: 'extKeyUsage', serverAuth: true },
          {
            name: 'subjectAltName',
            altNames: (options.names ?? []).map((n) => (net.isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })),
          },
        ]
      : [
          { name: 'basicConstraints', critical: true, cA: true },
          { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
          { name: 'subjectKeyIdentifier' },
        ],
  );
  cert.sign(options.issuer?.forgeKey ?? options.key, forge.md.sha256.create());
  return cert;
}

function makeAuthority(now: number): Authority {
  const forgeKey = rsaKey();
  const notAfter = new Date(now + 3650 * DAY);
  const forgeCert = certificate({
    subject: 'Readiness Test CA',
    key: forgeKey,
    notBefore: new Date(now - DAY),
    notAfter,
  });
  return {
    forgeCert,
    forgeKey,
    cert: forge.pki.certificateToPem(forgeCert),
    key: forge.pki.privateKeyToPem(forgeKey),
    notAfter,
  };
}

function issue(ca: Authority, validity: { from: number; to: number }, names = ['localhost', '127.0.0.1']): Issued {
  const key = rsaKey();
  const notAfter = new Date(validity.to);
  const cert = certificate({
    subject: names[0]!,
    key,
    issuer: ca,
    notBefore: new Date(validity.from),
    notAfter,
    names,
  });
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(key), notAfter };
}

/** A real TLS server on loopback that completes the handshake and hangs up. */
async function tlsServer(issued: Issued): Promise<number> {
  const server = tls.createServer({ key: issued.key, cert: issued.cert }, (socket) => {
    socket.on('error', () => undefined);
    socket.end();
  });
  server.on('tlsClientError', () => undefined);
  const { port } = await listen(server);
  suiteClosers.push(() => closeNetServer(server));
  return port;
}

// ── A real DNS server on loopback (UDP) ───────────────────────────────────────

const zone: Record<string, { A?: string[]; AAAA?: string[] } | 'SERVFAIL' | 'SILENT'> = {
  'portal.summit.test': { A: ['10.0.0.2', '10.0.0.1'], AAAA: ['2001:db8::1'] },
  'v4only.summit.test': { A: ['10.0.0.9'] },
  'broken.summit.test': 'SERVFAIL',
  'silent.summit.test': 'SILENT',
};

let dnsServer: UDPServer;
let dnsPort: number;

function resolverFor(port: number): Resolver {
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return resolver;
}

// ── Fixtures ──────────────────────────────────────────────────────────────────

const realNow = Date.now();
/** The event ends in 30 days; certificates must outlive it by `marginDays`. */
const eventEnd = new Date(realNow + 30 * DAY).toISOString();

let ca: Authority;
const tlsPorts: Record<'longLived' | 'shortLived' | 'withinMargin' | 'expired', number> = {
  longLived: 0,
  shortLived: 0,
  withinMargin: 0,
  expired: 0,
};

beforeAll(async () => {
  ca = makeAuthority(realNow);
  const from = realNow - DAY;
  tlsPorts.longLived = await tlsServer(issue(ca, { from, to: realNow + 400 * DAY }));
  tlsPorts.shortLived = await tlsServer(issue(ca, { from, to: realNow + 10 * DAY }));
  tlsPorts.withinMargin = await tlsServer(issue(ca, { from, to: realNow + 40 * DAY }));
  tlsPorts.expired = await tlsServer(issue(ca, { from: realNow - 60 * DAY, to: realNow - DAY }));

  dnsServer = createUDPServer((request, send) => {
    const response = Packet.createResponseFromRequest(request);
    const [question] = request.questions;
    const entry = question ? zone[question.name.toLowerCase()] : undefined;
    if (entry === 'SILENT') return;
    if (entry === 'SERVFAIL') response.header.rcode = 2;
    else if (entry === undefined || !question)
      response.header.rcode = 3; // NXDOMAIN
    else {
      const type = question.type === Packet.TYPE.AAAA ? 'AAAA' : 'A';
      for (const address of entry[type] ?? []) {
        response.answers.push(
          Packet.createResourceFromQuestion(question, {
            type: question.type,
            class: Packet.CLASS.IN,
            ttl: 60,
            address,
          }),
        );
      }
    }
    void send(response);
  });
  await dnsServer.listen(0, '127.0.0.1');
  dnsPort = dnsServer.address().port;
});

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

afterAll(async () => {
  await Promise.all(suiteClosers.splice(0).map((close) => close()));
  dnsServer?.close();
});

const logger = { info: () => undefined, warn: () => undefined };

function checker(deps: Partial<Parameters<typeof createCheckActivities>[0]> = {}) {
  return createCheckActivities({ logger, ca: ca.cert, resolver: resolverFor(dnsPort), ...deps });
}

function run(spec: CheckSpecInput, extra: { mustBeValidUntil?: string } = {}, deps = {}): Promise<CheckResult> {
  return checker(deps).runCheck({ spec, eventId: 'asean-47', itemId: 'cyber.portal', ...extra });
}

function input(spec: CheckSpecInput, mustBeValidUntil?: string): RunCheckInput {
  return { spec, eventId: 'asean-47', itemId: 'cyber.portal', ...(mustBeValidUntil ? { mustBeValidUntil } : {}) };
}

type RunCheck = ReturnType<typeof createCheckActivities>['runCheck'];

function runInActivity(
  env: MockActivityEnvironment,
  runCheck: RunCheck,
  checkInput: RunCheckInput,
): Promise<CheckResult> {
  return env.run<[RunCheckInput], CheckResult, RunCheck>(runCheck, checkInput);
}

/** A TLS check of a loopback server whose certificate names `localhost` (and 127.0.0.1). */
function tlsSpec(port: number, extra: Partial<Extract<CheckSpecInput, { kind: 'tls' }>> = {}): CheckSpecInput {
  return { kind: 'tls', host: '127.0.0.1', port, servername: 'localhost', ...extra };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

// ── Spec schema ───────────────────────────────────────────────────────────────

describe('checkSpecSchema', () => {
  it('fills every default of every kind', () => {
    expect(checkSpecSchema.parse({ kind: 'http', url: 'https://portal.example.org/health' })).toEqual({
      kind: 'http',
      url: 'https://portal.example.org/health',
      expectStatus: [200],
      latencyBudgetMs: 2000,
      method: 'GET',
    });
    expect(checkSpecSchema.parse({ kind: 'tls', host: 'portal.example.org' })).toEqual({
      kind: 'tls',
      host: 'portal.example.org',
      port: 443,
      marginDays: 14,
    });
    expect(checkSpecSchema.parse({ kind: 'dns', name: 'portal.example.org' })).toEqual({
      kind: 'dns',
      name: 'portal.example.org',
      recordType: 'A',
    });
    expect(checkSpecSchema.parse({ kind: 'tcp', host: '10.1.2.3', port: 5060 })).toEqual({
      kind: 'tcp',
      host: '10.1.2.3',
      port: 5060,
      timeoutMs: 3000,
    });
  });

  it('turns a single expected status into a list and keeps a list as given', () => {
    const one = checkSpecSchema.parse({ kind: 'http', url: 'http://a.example/', expectStatus: 204 });
    const many = checkSpecSchema.parse({ kind: 'http', url: 'http://a.example/', expectStatus: [200, 301] });
    expect(one.kind === 'http' && one.expectStatus).toEqual([204]);
    expect(many.kind === 'http' && many.expectStatus).toEqual([200, 301]);
  });

  it('parsing a parsed spec again changes nothing', () => {
    const once = checkSpecSchema.parse({
      kind: 'http',
      url: 'http://a.example/',
      expectStatus: 204,
      every: { hours: 1 },
    });
    expect(checkSpecSchema.parse(once)).toEqual(once);
  });

  it('rejects a body pattern that is not a valid regular expression, at its path', () => {
    const result = checkSpecSchema.safeParse({
      kind: 'http',
      url: 'http://a.example/',
      bodyPattern: '"status":\\s*("ok"',
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path)).toEqual([['bodyPattern']]);
  });

  it('accepts a body pattern that compiles', () => {
    expect(
      checkSpecSchema.safeParse({ kind: 'http', url: 'http://a.example/', bodyPattern: '"status":\\s*"ok"' }).success,
    ).toBe(true);
  });

  it('rejects a body pattern on a HEAD check, which has no body to match', () => {
    const result = checkSpecSchema.safeParse({
      kind: 'http',
      url: 'http://a.example/',
      method: 'HEAD',
      bodyPattern: 'ok',
    });
    expect(result.error?.issues.map((i) => i.path)).toEqual([['method']]);
  });

  it.each([
    ['a non-HTTP scheme', 'ftp://files.example.org/'],
    ['credentials in the URL', 'https://user:pass@portal.example.org/'],
    ['not a URL', 'portal.example.org'],
  ])('rejects %s', (_what, url) => {
    const result = checkSpecSchema.safeParse({ kind: 'http', url });
    expect(result.error?.issues.map((i) => i.path)).toEqual([['url']]);
  });

  it('rejects expected addresses of the other family, naming the entry', () => {
    const result = checkSpecSchema.safeParse({ kind: 'dns', name: 'a.example', expect: ['10.0.0.1', '2001:db8::1'] });
    expect(result.error?.issues.map((i) => i.path)).toEqual([['expect', 1]]);
    const v6 = checkSpecSchema.safeParse({ kind: 'dns', name: 'a.example', recordType: 'AAAA', expect: ['10.0.0.1'] });
    expect(v6.error?.issues.map((i) => i.path)).toEqual([['expect', 0]]);
  });

  it('accepts a cadence in minutes or hours and rejects a zero one', () => {
    expect(checkSpecSchema.safeParse({ kind: 'dns', name: 'a.example', every: { minutes: 15 } }).success).toBe(true);
    expect(checkSpecSchema.safeParse({ kind: 'dns', name: 'a.example', every: { hours: 6 } }).success).toBe(true);
    const zero = checkSpecSchema.safeParse({ kind: 'dns', name: 'a.example', every: { minutes: 0 } });
    expect(zero.error?.issues.map((i) => i.path)).toEqual([['every']]);
    expect(checkSpecSchema.safeParse({ kind: 'dns', name: 'a.example', every: { days: 1 } }).success).toBe(false);
  });

  it('takes IP literals as hosts but not as DNS names', () => {
    expect(checkSpecSchema.safeParse({ kind: 'tcp', host: '::1', port: 22 }).success).toBe(true);
    expect(checkSpecSchema.safeParse({ kind: 'tls', host: '10.0.0.1' }).success).toBe(true);
    expect(checkSpecSchema.safeParse({ kind: 'tcp', host: 'not a host', port: 22 }).error?.issues[0]?.path).toEqual([
      'host',
    ]);
    expect(checkSpecSchema.safeParse({ kind: 'dns', name: '10.0.0.1' }).error?.issues[0]?.path).toEqual(['name']);
    expect(checkSpecSchema.safeParse({ kind: 'dns', name: '::1' }).success).toBe(false);
  });

  it('rejects unknown kinds, unknown fields and out-of-range ports', () => {
    expect(checkSpecSchema.safeParse({ kind: 'ping', host: 'a.example' }).success).toBe(false);
    expect(checkSpecSchema.safeParse({ kind: 'tcp', host: 'a.example', port: 22, retries: 3 }).success).toBe(false);
    const port = checkSpecSchema.safeParse({ kind: 'tcp', host: 'a.example', port: 70_000 });
    expect(port.error?.issues.map((i) => i.path)).toEqual([['port']]);
  });
});

describe('checkTarget', () => {
  it('names a URL without its query (tokens stay out of results), a host with its port, a DNS name as is', () => {
    expect(
      checkTarget(checkSpecSchema.parse({ kind: 'http', url: 'https://portal.example.org/health?token=s3cret#x' })),
    ).toBe('https://portal.example.org/health');
    expect(checkTarget(checkSpecSchema.parse({ kind: 'tls', host: 'portal.example.org' }))).toBe(
      'portal.example.org:443',
    );
    expect(checkTarget(checkSpecSchema.parse({ kind: 'tcp', host: '::1', port: 5060 }))).toBe('[::1]:5060');
    expect(checkTarget(checkSpecSchema.parse({ kind: 'dns', name: 'portal.example.org' }))).toBe('portal.example.org');
  });
});

// ── HTTP ──────────────────────────────────────────────────────────────────────

describe('http check against a loopback server', () => {
  it('a 200 within the latency budget is ok, and the result is plain JSON', async () => {
    const server = await httpServer(answer(200, 'all good'));
    const fixedNow = Date.parse('2027-11-01T00:00:00.000Z');
    const result = await run({ kind: 'http', url: server.url }, {}, { now: () => fixedNow });

    expect(result.ok).toBe(true);
    expect(result.failure).toBeUndefined();
    expect(result.kind).toBe('http');
    expect(result.target).toBe(server.url.replace('?token=secret', ''));
    expect(result.checkedAt).toBe('2027-11-01T00:00:00.000Z');
    expect(result.details.status).toBe(200);
    expect(result.details.latencyMs).toEqual(expect.any(Number));
    expect(result.summary).not.toContain('\n');
    expect(result.summary).not.toContain('secret');
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(server.methods).toEqual(['GET']);
  });

  it('a 503 is HTTP_STATUS_MISMATCH', async () => {
    const server = await httpServer(answer(503, 'maintenance'));
    const result = await run({ kind: 'http', url: server.url });
    expect(result.ok).toBe(false);
    expect(result.failure?.code).toBe('HTTP_STATUS_MISMATCH');
    expect(result.details.status).toBe(503);
  });

  it('a 503 is ok when the spec expects it', async () => {
    const server = await httpServer(answer(503));
    const result = await run({ kind: 'http', url: server.url, expectStatus: [200, 503] });
    expect(result.ok).toBe(true);
  });

  it('does not follow a redirect: the 302 itself is checked and its location reported', async () => {
    const server = await httpServer((res) => {
      res.writeHead(302, { Location: '/login' });
      res.end();
    });
    const result = await run({ kind: 'http', url: server.url });
    expect(result.failure?.code).toBe('HTTP_STATUS_MISMATCH');
    expect(result.details).toMatchObject({ status: 302, location: '/login' });
    expect(server.methods).toEqual(['GET']);
  });

  it('a body that matches the pattern is ok', async () => {
    const server = await httpServer(answer(200, '{"status": "ok", "queue": 3}'));
    const result = await run({ kind: 'http', url: server.url, bodyPattern: '"status":\\s*"ok"' });
    expect(result.ok).toBe(true);
  });

  it('a body that does not match the pattern is HTTP_BODY_MISMATCH', async () => {
    const server = await httpServer(answer(200, '{"status": "degraded"}'));
    const result = await run({ kind: 'http', url: server.url, bodyPattern: '"status":\\s*"ok"' });
    expect(result.ok).toBe(false);
    expect(result.failure?.code).toBe('HTTP_BODY_MISMATCH');
  });

  it('an answer slower than the latency budget is LATENCY_BUDGET_EXCEEDED', async () => {
    const server = await httpServer(answer(200, 'ok', 300));
    const result = await run({ kind: 'http', url: server.url, latencyBudgetMs: 100 });
    expect(result.ok).toBe(false);
    expect(result.failure?.code).toBe('LATENCY_BUDGET_EXCEEDED');
    expect(result.details.latencyMs).toBeGreaterThanOrEqual(250);
  });

  it('the same slow answer within a larger budget is ok', async () => {
    const server = await httpServer(answer(200, 'ok', 300));
    expect((await run({ kind: 'http', url: server.url, latencyBudgetMs: 5000 })).ok).toBe(true);
  });

  it('a server that never answers is HTTP_TIMEOUT after timeoutMs, not a hang', async () => {
    const server = await httpServer(() => undefined);
    const started = Date.now();
    const result = await run({ kind: 'http', url: server.url, latencyBudgetMs: 100, timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.failure?.code).toBe('HTTP_TIMEOUT');
  });

  it('a closed port is CONNECTION_FAILED, reported as a result', async () => {
    const port = await closedPort();
    const result = await run({ kind: 'http', url: `http://127.0.0.1:${port}/` });
    expect(result.ok).toBe(false);
    expect(result.failure?.code).toBe('CONNECTION_FAILED');
    expect(result.details.cause).toBe('ECONNREFUSED');
  });

  it('a HEAD check sends HEAD', async () => {
    const server = await httpServer(answer(200));
    expect((await run({ kind: 'http', url: server.url, method: 'HEAD' })).ok).toBe(true);
    expect(server.methods).toEqual(['HEAD']);
  });
});

// ── TLS ───────────────────────────────────────────────────────────────────────

describe('tls check against loopback servers with test-made certificates', () => {
  it('a trusted certificate valid well past the event end is ok, with its expiry and issuer', async () => {
    const result = await run(tlsSpec(tlsPorts.longLived), { mustBeValidUntil: eventEnd });
    expect(result.failure).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.target).toBe(`127.0.0.1:${tlsPorts.longLived}`);
    expect(Date.parse(result.details.validTo as string)).toBeGreaterThan(Date.parse(eventEnd) + 300 * DAY);
    expect(result.details.issuer).toContain('CN=Readiness Test CA');
    expect(result.details.authorized).toBe(true);
  });

  it('a certificate expiring before the event ends is TLS_EXPIRES_TOO_SOON', async () => {
    const result = await run(tlsSpec(tlsPorts.shortLived), { mustBeValidUntil: eventEnd });
    expect(result.ok).toBe(false);
    expect(result.failure?.code).toBe('TLS_EXPIRES_TOO_SOON');
    expect(Date.parse(result.details.validTo as string)).toBeLessThan(Date.parse(eventEnd));
  });

  it('a certificate expiring after the event but inside the margin is TLS_EXPIRES_TOO_SOON; with no margin it is ok', async () => {
    // Expires 40 days from now; the event ends in 30; the default margin is 14 days.
    const withMargin = await run(tlsSpec(tlsPorts.withinMargin), { mustBeValidUntil: eventEnd });
    expect(withMargin.failure?.code).toBe('TLS_EXPIRES_TOO_SOON');
    const noMargin = await run(tlsSpec(tlsPorts.withinMargin, { marginDays: 0 }), { mustBeValidUntil: eventEnd });
    expect(noMargin.ok).toBe(true);
  });

  it('without an event end the margin counts from now', async () => {
    // 10 days left.
    expect((await run(tlsSpec(tlsPorts.shortLived))).failure?.code).toBe('TLS_EXPIRES_TOO_SOON'); // default margin 14
    expect((await run(tlsSpec(tlsPorts.shortLived, { marginDays: 7 }))).ok).toBe(true);
  });

  it('a certificate from a CA the checker does not trust is TLS_UNTRUSTED', async () => {
    const untrusting = createCheckActivities({ logger });
    const result = await untrusting.runCheck({
      spec: tlsSpec(tlsPorts.longLived),
      mustBeValidUntil: eventEnd,
      eventId: 'asean-47',
      itemId: 'cyber.portal',
    });
    expect(result.ok).toBe(false);
    expect(result.failure?.code).toBe('TLS_UNTRUSTED');
    expect(result.details.authorized).toBe(false);
  });

  it('a malformed extra CA is refused when the activities are created, not reported per check', () => {
    expect(() => createCheckActivities({ logger, ca: 'not a certificate' })).toThrow(TypeError);
    const truncated = ca.cert.replace(/\r?\n[A-Za-z0-9+/=]{20,}\r?\n/, '\nAAAA\n');
    expect(truncated).not.toBe(ca.cert);
    expect(() => createCheckActivities({ logger, ca: [ca.cert, truncated] })).toThrow();
    expect(() => createCheckActivities({ logger, ca: [ca.cert, Buffer.from(ca.cert)] })).not.toThrow();
  });

  it('a certificate that does not cover the server name is TLS_HOSTNAME_MISMATCH', async () => {
    const result = await run(tlsSpec(tlsPorts.longLived, { servername: 'accreditation.summit.test' }), {
      mustBeValidUntil: eventEnd,
    });
    expect(result.ok).toBe(false);
    expect(result.failure?.code).toBe('TLS_HOSTNAME_MISMATCH');
    expect(result.details.checkedName).toBe('accreditation.summit.test');
  });

  it('checks the host itself when no server name is given (the certificate carries the IP)', async () => {
    const spec: CheckSpecInput = { kind: 'tls', host: '127.0.0.1', port: tlsPorts.longLived };
    expect((await run(spec, { mustBeValidUntil: eventEnd })).ok).toBe(true);
  });

  it('an expired certificate is TLS_EXPIRED', async () => {
    const result = await run(tlsSpec(tlsPorts.expired), { mustBeValidUntil: eventEnd });
    expect(result.failure?.code).toBe('TLS_EXPIRED');
  });

  it('judges expiry by the injected clock', async () => {
    const later = Date.parse(eventEnd) + 500 * DAY;
    const result = await run(tlsSpec(tlsPorts.longLived), {}, { now: () => later });
    expect(result.failure?.code).toBe('TLS_EXPIRED');
  });

  it('a server that does not speak TLS is CONNECTION_FAILED', async () => {
    const server = await httpServer(answer(200));
    const port = Number(new URL(server.url).port);
    const result = await run(tlsSpec(port), { mustBeValidUntil: eventEnd });
    expect(result.failure?.code).toBe('CONNECTION_FAILED');
  });

  it('a server that accepts but never completes the handshake is TLS_TIMEOUT', async () => {
    const sockets: net.Socket[] = [];
    const { server, port } = await listen(net.createServer((socket) => sockets.push(socket)));
    closers.push(() => {
      sockets.forEach((s) => s.destroy());
      return closeNetServer(server);
    });
    const started = Date.now();
    const result = await run(tlsSpec(port, { timeoutMs: 300 }), { mustBeValidUntil: eventEnd });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.failure?.code).toBe('TLS_TIMEOUT');
  });

  it('a closed port is CONNECTION_FAILED', async () => {
    const result = await run(tlsSpec(await closedPort()), { mustBeValidUntil: eventEnd });
    expect(result.failure?.code).toBe('CONNECTION_FAILED');
    expect(result.details.cause).toBe('ECONNREFUSED');
  });
});

// ── DNS ───────────────────────────────────────────────────────────────────────

describe('dns check against a loopback DNS server', () => {
  it('resolves the name and matches the expected set in any order', async () => {
    const result = await run({ kind: 'dns', name: 'portal.summit.test', expect: ['10.0.0.1', '10.0.0.2'] });
    expect(result.failure).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.details.addresses).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('without an expected set any answer is ok', async () => {
    expect((await run({ kind: 'dns', name: 'v4only.summit.test' })).ok).toBe(true);
  });

  it('a different set of addresses is DNS_ADDRESS_MISMATCH', async () => {
    const missing = await run({ kind: 'dns', name: 'portal.summit.test', expect: ['10.0.0.1'] });
    expect(missing.failure?.code).toBe('DNS_ADDRESS_MISMATCH');
    const other = await run({ kind: 'dns', name: 'portal.summit.test', expect: ['10.0.0.1', '10.0.0.2', '10.0.0.3'] });
    expect(other.failure?.code).toBe('DNS_ADDRESS_MISMATCH');
  });

  it('compares IPv6 addresses by value, not spelling', async () => {
    const result = await run({
      kind: 'dns',
      name: 'portal.summit.test',
      recordType: 'AAAA',
      expect: ['2001:0DB8:0:0::0001'],
    });
    expect(result.ok).toBe(true);
  });

  it('a name that does not exist is DNS_NXDOMAIN', async () => {
    const result = await run({ kind: 'dns', name: 'nowhere.summit.test' });
    expect(result.failure?.code).toBe('DNS_NXDOMAIN');
  });

  it('a name without records of the asked type is DNS_NXDOMAIN', async () => {
    const result = await run({ kind: 'dns', name: 'v4only.summit.test', recordType: 'AAAA' });
    expect(result.failure?.code).toBe('DNS_NXDOMAIN');
    expect(result.details.rcode).toBe('ENODATA');
  });

  it('a SERVFAIL answer is DNS_SERVFAIL', async () => {
    expect((await run({ kind: 'dns', name: 'broken.summit.test' })).failure?.code).toBe('DNS_SERVFAIL');
  });

  it('no answer within timeoutMs is DNS_TIMEOUT', async () => {
    const patient = new Resolver({ timeout: 5000, tries: 1 });
    patient.setServers([`127.0.0.1:${dnsPort}`]);
    const started = Date.now();
    const result = await run({ kind: 'dns', name: 'silent.summit.test', timeoutMs: 300 }, {}, { resolver: patient });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.failure?.code).toBe('DNS_TIMEOUT');
  });

  it("an unreachable resolver is the checker's problem: it throws a retryable CHECKER_UNAVAILABLE", async () => {
    const failure = await failureOf(
      run({ kind: 'dns', name: 'portal.summit.test' }, {}, { resolver: resolverFor(await closedPort()) }),
    );
    expect(failure.type).toBe(CHECKER_UNAVAILABLE);
    expect(failure.nonRetryable).toBe(false);
  });
});

// ── TCP ───────────────────────────────────────────────────────────────────────

describe('tcp check', () => {
  it('a listening port is ok', async () => {
    const { server, port } = await listen(net.createServer((socket) => socket.end()));
    closers.push(() => closeNetServer(server));
    const result = await run({ kind: 'tcp', host: '127.0.0.1', port });
    expect(result.ok).toBe(true);
    expect(result.target).toBe(`127.0.0.1:${port}`);
    expect(result.details.connectMs).toEqual(expect.any(Number));
  });

  it('a closed port is TCP_REFUSED', async () => {
    const result = await run({ kind: 'tcp', host: '127.0.0.1', port: await closedPort() });
    expect(result.ok).toBe(false);
    expect(result.failure?.code).toBe('TCP_REFUSED');
  });
});

// ── As an activity ────────────────────────────────────────────────────────────

describe('runCheck as an activity (MockActivityEnvironment)', () => {
  // The SDK logs every failed activity at WARN; these failures are expected.
  const sdkQuiet = { logger: new DefaultLogger('ERROR') };

  it('heartbeats while a check runs and logs the attempt', async () => {
    const server = await httpServer(answer(200, 'ok', 1300));
    const lines: Array<Record<string, unknown>> = [];
    const { runCheck } = createCheckActivities({
      logger: { info: (obj) => lines.push({ ...obj }), warn: (obj) => lines.push({ ...obj }) },
    });
    const env = new MockActivityEnvironment({ attempt: 2 }, sdkQuiet);
    let beats = 0;
    env.on('heartbeat', () => beats++);

    const result = await runInActivity(env, runCheck, input({ kind: 'http', url: server.url, latencyBudgetMs: 5000 }));

    expect(result.ok).toBe(true);
    expect(beats).toBeGreaterThanOrEqual(2);
    expect(lines).toEqual([
      expect.objectContaining({ eventId: 'asean-47', itemId: 'cyber.portal', ok: true, attempt: 2 }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret');
  });

  it('an unhealthy target completes the activity with ok: false instead of failing it', async () => {
    const env = new MockActivityEnvironment(undefined, sdkQuiet);
    const result = await runInActivity(env, checker().runCheck, input(tlsSpec(tlsPorts.shortLived), eventEnd));
    expect(result.failure?.code).toBe('TLS_EXPIRES_TOO_SOON');
  });

  it('cancellation aborts the request in flight and surfaces as cancellation, not a result', async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const server = await httpServer(() => arrived()); // never answers
    const env = new MockActivityEnvironment(undefined, sdkQuiet);

    const running = env.run(checker().runCheck, input({ kind: 'http', url: server.url })).then(
      () => undefined,
      (e: unknown) => e,
    );
    await requestArrived;
    env.cancel();
    const error = await running;

    expect(error).toBeInstanceOf(CancelledFailure);
  });

  it('an AbortSignal passed to a plain call aborts the check with its reason', async () => {
    const server = await httpServer(() => undefined);
    const controller = new AbortController();
    const running = checker().runCheck(
      { spec: { kind: 'http', url: server.url }, eventId: 'asean-47', itemId: 'cyber.portal' },
      controller.signal,
    );
    setTimeout(() => controller.abort(new Error('worker shutting down')), 100);
    await expect(running).rejects.toThrow('worker shutting down');
  });

  it('an invalid spec or event end throws a non-retryable INVALID_CHECK_INPUT', async () => {
    const badSpec = await failureOf(
      checker().runCheck({
        spec: { kind: 'http', url: 'ftp://x.example/' },
        eventId: 'asean-47',
        itemId: 'cyber.portal',
      }),
    );
    expect(badSpec.type).toBe(INVALID_CHECK_INPUT);
    expect(badSpec.nonRetryable).toBe(true);

    const badEnd = await failureOf(
      checker().runCheck({
        spec: { kind: 'tcp', host: '127.0.0.1', port: 1 },
        mustBeValidUntil: 'after the summit',
        eventId: 'asean-47',
        itemId: 'cyber.portal',
      }),
    );
    expect(badEnd.type).toBe(INVALID_CHECK_INPUT);
  });
});
