import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import pino from 'pino';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp, type AppDeps } from '../../api/app';
import { createAuthenticator } from '../../api/auth';
import { loadApiConfig } from '../../api/config';
import { createApiMetrics } from '../../api/metrics';
import { createReadinessCheck } from '../../api/ops';
import {
  connectionOptions,
  logOptionsOf,
  parseBindAddress,
  parseConfig,
  temporalConfigSchema,
} from '../../config/temporal';
import { freePort } from '../../scripts/temporal-server';
import { allSearchAttributeKeys } from '../../workflows/search-attributes';
import { auth, useTestApi } from '../support/api';
import { tinyWindow } from '../support/fixtures';
import { eventually, uniqueEventId } from '../support/temporal';

/**
 * The operations surface over HTTP against the run's real Temporal server: readiness, Prometheus
 * metrics with route templates, request ids and the structured request log, and the Web UI link.
 */
const suite = useTestApi();

/** The real app on the real client, logging into memory (one parsed JSON object a line). */
function appWithLogs(extra: Partial<AppDeps> = {}) {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const app = createApp({
    client: suite.temporal.client,
    authenticator: createAuthenticator({ mode: 'hs256', secret: suite.api.secret, ...auth }),
    templates: suite.api.templates,
    logger: pino({ level: 'info' }, sink),
    taskQueue: suite.temporal.taskQueue,
    namespace: suite.temporal.namespace,
    temporalUiUrl: 'http://ui.example:8233/',
    ...extra,
  });
  return { request: supertest(app), lines, raw };
}

async function startEvent(request: ReturnType<typeof supertest>, eventId = uniqueEventId('ops')) {
  const res = await request
    .post('/events')
    .set(await suite.api.as('planner.linh'))
    .send({ eventId, template: 'tiny-summit', window: tinyWindow });
  expect(res.status).toBe(201);
  return eventId;
}

describe('GET /readyz', () => {
  it('is 200 with every check passed against the test server, without a token', async () => {
    const res = await suite.api.request.get('/readyz');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({
      status: 'ready',
      checks: {
        temporal: { status: 'ok' },
        namespace: { status: 'ok', name: suite.temporal.namespace },
        searchAttributes: { status: 'ok', count: allSearchAttributeKeys.length },
      },
    });
  });

  it('reuses a result within the cache window instead of calling Temporal again', async () => {
    const { request } = appWithLogs({ readinessCacheMs: 60_000 });
    const first = await request.get('/readyz');
    const second = await request.get('/readyz');
    expect(first.status).toBe(200);
    expect(second.body.checkedAt).toBe(first.body.checkedAt);
  });

  it('is 503 NAMESPACE_MISSING for a namespace that does not exist, and says which check failed', async () => {
    const { request } = appWithLogs({ namespace: 'no-such-namespace' });
    const res = await request.get('/readyz');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.body).toMatchObject({
      status: 503,
      code: 'NAMESPACE_MISSING',
      failed: ['NAMESPACE_MISSING'],
      checks: { temporal: { status: 'ok' }, namespace: { status: 'failed' }, searchAttributes: { status: 'skipped' } },
    });
  });

  it('is 503 SEARCH_ATTRIBUTES_MISSING in a namespace without the engine search attributes', async () => {
    const namespace = `ops-bare-${uniqueEventId('ns')}`;
    await suite.temporal.connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    const { request } = appWithLogs({ namespace });
    const res = await eventually(
      () => request.get('/readyz'),
      (r) => r.body.code !== 'NAMESPACE_MISSING',
    );
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('SEARCH_ATTRIBUTES_MISSING');
    expect(res.body.checks.searchAttributes.missing).toEqual(allSearchAttributeKeys.map((k) => k.name));
    expect(res.body.detail).toContain('register-search-attributes');
  });

  it('is 503 TEMPORAL_UNREACHABLE within its timeout when nothing listens at the address', async () => {
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    try {
      const { request } = appWithLogs({
        readiness: createReadinessCheck({ connection, namespace: 'default', timeoutMs: 500 }),
      });
      const started = Date.now();
      const res = await request.get('/readyz');
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({
        code: 'TEMPORAL_UNREACHABLE',
        checks: { temporal: { status: 'failed' }, namespace: { status: 'skipped' } },
      });
      // Liveness stays up: restarting the API would not bring Temporal back.
      expect((await request.get('/healthz')).status).toBe(200);
    } finally {
      await connection.close();
    }
  });
});

describe('GET /metrics', () => {
  it('counts requests by route template, never by raw path, with status codes', async () => {
    const { request } = appWithLogs();
    const eventId = await startEvent(request);
    const planner = await suite.api.as('planner.linh');
    expect((await request.get(`/events/${eventId}`).set(planner)).status).toBe(200);
    expect((await request.get(`/events/${uniqueEventId('missing')}`).set(planner)).status).toBe(404);
    expect((await request.get(`/events/${eventId}`)).status).toBe(401);
    expect((await request.get('/no/such/route').set(planner)).status).toBe(404);

    const res = await request.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.text;
    expect(text).toContain('http_requests_total{method="POST",route="/events",status_code="201"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="/events/:eventId",status_code="200"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="/events/:eventId",status_code="404"} 1');
    // Refused before routing (no token) and unknown paths share one series.
    expect(text).toContain('http_requests_total{method="GET",route="unmatched",status_code="401"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="unmatched",status_code="404"} 1');
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="[\d.]+",method="GET",route="\/events\/:eventId",status_code="200"\}/,
    );
    expect(text).toContain('# TYPE http_requests_in_flight gauge');
    expect(text).not.toContain(eventId);
    // Process metrics, and the readiness gauges (the scrape runs the cached check).
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).toContain('readiness_api_ready 1');
    expect(text).toContain('readiness_api_readiness_check{check="searchAttributes"} 1');
  });

  it("counts the API's Temporal calls by gRPC method and status when its connection carries the interceptor", async () => {
    const metrics = createApiMetrics({ defaultMetrics: false });
    const connection = Connection.lazy({
      address: suite.temporal.address,
      interceptors: [metrics.temporalInterceptor],
    });
    try {
      const { request } = appWithLogs({
        metrics,
        readiness: createReadinessCheck({ connection, namespace: suite.temporal.namespace, metrics }),
      });
      expect((await request.get('/readyz')).status).toBe(200);
      const text = (await request.get('/metrics')).text;
      expect(text).toContain('readiness_api_temporal_rpc_total{method="DescribeNamespace",code="OK"} 1');
      expect(text).toContain('readiness_api_temporal_rpc_total{method="ListSearchAttributes",code="OK"} 1');
      expect(text).toMatch(/readiness_api_temporal_rpc_duration_seconds_count\{method="GetSystemInfo"\} [1-9]/);
    } finally {
      await connection.close();
    }
  });

  it('asks for the metrics token when one is configured', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const { request, lines } = appWithLogs({ metricsToken: token });
    const refused = await request.get('/metrics');
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('METRICS_TOKEN_REQUIRED');
    expect((await request.get('/metrics').set('Authorization', 'Bearer wrong')).status).toBe(401);
    const res = await request.get('/metrics').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('http_requests_total');
    expect(JSON.stringify(lines)).not.toContain(token);
  });
});

describe('request ids and the request log', () => {
  it('echoes a caller X-Request-Id and generates one otherwise (or for a value that is not a plain token)', async () => {
    const { request } = appWithLogs();
    expect((await request.get('/healthz').set('X-Request-Id', 'trace-abc.123')).headers['x-request-id']).toBe(
      'trace-abc.123',
    );
    const generated = (await request.get('/healthz')).headers['x-request-id'];
    expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    for (const bad of ['two words', 'a,b', 'x'.repeat(200)]) {
      const id = (await request.get('/healthz').set('X-Request-Id', bad)).headers['x-request-id'];
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
    // A problem answer carries it too.
    expect((await request.get('/events').set('X-Request-Id', 'refused-1')).headers['x-request-id']).toBe('refused-1');
  });

  it('puts request id, actor, event id and workflow id on the request lines, and never the token', async () => {
    const { request, lines, raw } = appWithLogs();
    const eventId = await startEvent(request);
    const planner = await suite.api.as('planner.linh');
    const token = planner.Authorization.replace('Bearer ', '');
    await request.get(`/events/${eventId}`).set(planner).set('X-Request-Id', 'read-1');
    await request
      .post(`/events/${eventId}/gates/plan-approval/decisions`)
      .set(await suite.api.as('cyber.hung'))
      .set('X-Request-Id', 'refused-2')
      .send({ decision: 'approve' });

    const completion = lines.find((l) => l.requestId === 'read-1' && l.msg === 'request completed');
    expect(completion).toMatchObject({
      requestId: 'read-1',
      actor: 'planner.linh',
      eventId,
      workflowId: `event/${eventId}`,
      res: { statusCode: 200 },
    });
    // The refusal line (through req.log) and the completion line of the refused request.
    const refusal = lines.find((l) => l.requestId === 'refused-2' && l.msg === 'request refused');
    expect(refusal).toMatchObject({ eventId, workflowId: `event/${eventId}`, actor: 'cyber.hung' });
    const refusedDone = lines.find((l) => l.requestId === 'refused-2' && l.msg === 'request completed');
    expect(refusedDone).toMatchObject({ actor: 'cyber.hung', eventId, res: { statusCode: 403 } });
    // Each binding once per line (JSON.parse would hide a duplicated key, so count in the raw text).
    for (const line of raw) {
      for (const key of ['requestId', 'actor', 'eventId', 'workflowId'])
        expect(line.split(`"${key}":`).length, `${key} in ${line}`).toBeLessThanOrEqual(2);
      if (/"msg":"request /.test(line)) expect(line).toContain('"requestId":');
    }
    if (process.env.SHOW_LOGS) console.log(raw.join('\n'));

    const all = JSON.stringify(lines);
    expect(all).not.toContain(token);
    expect(all).toContain('[Redacted]');
  });
});

describe('links.ui', () => {
  it('points each event at its workflow in the Temporal Web UI, in the event and in the list', async () => {
    const { request } = appWithLogs();
    const eventId = await startEvent(request);
    const planner = await suite.api.as('planner.linh');
    const expected = `http://ui.example:8233/namespaces/${suite.temporal.namespace}/workflows/${encodeURIComponent(`event/${eventId}`)}`;
    const one = await request.get(`/events/${eventId}`).set(planner);
    expect(one.body.links).toEqual({ self: `/events/${eventId}`, ui: expected });

    const list = await eventually(
      () => request.get('/events?template=tiny-summit&limit=100').set(planner),
      (r) => (r.body.events as { eventId: string }[]).some((e) => e.eventId === eventId),
    );
    const listed = (list.body.events as { eventId: string; links: unknown }[]).find((e) => e.eventId === eventId);
    expect(listed?.links).toEqual({ self: `/events/${eventId}`, ui: expected });
  });

  it('is left out when no UI is configured', async () => {
    const { request } = appWithLogs({ temporalUiUrl: undefined });
    const eventId = await startEvent(request);
    const res = await request.get(`/events/${eventId}`).set(await suite.api.as('planner.linh'));
    expect(res.body.links).toEqual({ self: `/events/${eventId}` });
  });
});

describe('operations configuration (fails fast, names variables, never values)', () => {
  const fails = (env: Record<string, string>) => {
    try {
      parseConfig(temporalConfigSchema, env);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected the configuration to be refused');
  };
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

  it('refuses half an mTLS pair, TLS off beside credentials, unreadable PEM files and an address with a scheme', () => {
    expect(fails({ TEMPORAL_TLS_CERT: pem })).toContain(
      'TEMPORAL_TLS_KEY: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together',
    );
    const secretKey = 'sk-very-secret-api-key';
    const message = fails({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: secretKey });
    expect(message).toContain('TEMPORAL_TLS: is false, but TEMPORAL_API_KEY needs TLS');
    expect(message).not.toContain(secretKey);
    expect(fails({ TEMPORAL_TLS_CA: '/no/such/ca.pem' })).toContain('TEMPORAL_TLS_CA: names no readable file');
    expect(fails({ TEMPORAL_TLS_CA: '-----BEGIN CERTIFICATE-----\nMIIB' })).toContain('no -----END');
    expect(fails({ TEMPORAL_ADDRESS: 'http://temporal:7233' })).toContain('TEMPORAL_ADDRESS: host:port');
  });

  it('takes PEM as a file path or as the text itself, and turns TLS on for it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'readiness-tls-'));
    try {
      const certFile = path.join(dir, 'client.pem');
      await writeFile(certFile, pem);
      const config = parseConfig(temporalConfigSchema, {
        TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
        TEMPORAL_TLS_CERT: certFile,
        TEMPORAL_TLS_KEY: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----',
      });
      const options = connectionOptions(config);
      const pair = (options.tls as { clientCertPair: { crt: Buffer; key: Buffer } }).clientCertPair;
      expect(pair.crt.toString()).toBe(pem);
      expect(pair.key.toString()).toContain('BEGIN PRIVATE KEY');
      expect(connectionOptions(parseConfig(temporalConfigSchema, { TEMPORAL_API_KEY: 'k' }))).toMatchObject({
        apiKey: 'k',
        tls: {},
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes WORKER_METRICS_ADDRESS as an IP literal and a port only', () => {
    expect(parseBindAddress('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseBindAddress('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(parseBindAddress('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    for (const bad of ['localhost:9464', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', '::1:9464', ':9464'])
      expect(parseBindAddress(bad), bad).toBeUndefined();
    expect(fails({ WORKER_METRICS_ADDRESS: 'metrics:9464' })).toContain('WORKER_METRICS_ADDRESS: must be ip:port');
  });

  it('checks the API settings of readiness, metrics and the UI link', () => {
    const base = { AUTH_JWT_SECRET: 'x'.repeat(32) };
    const config = loadApiConfig(base);
    expect(config).toMatchObject({ READINESS_TIMEOUT_MS: 2_000, READINESS_CACHE_MS: 1_000 });
    expect(config.METRICS_TOKEN).toBeUndefined();
    expect(() => loadApiConfig({ ...base, READINESS_TIMEOUT_MS: '10' })).toThrow(/READINESS_TIMEOUT_MS/);
    expect(() => loadApiConfig({ ...base, METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: use at least 16/);
    expect(() => loadApiConfig({ ...base, TEMPORAL_UI_URL: 'ftp://ui' })).toThrow(/TEMPORAL_UI_URL: must be an http/);
  });

  it('logs pretty only under NODE_ENV=development or LOG_PRETTY=1/true', () => {
    const pretty = (env: Record<string, string>) => logOptionsOf(parseConfig(temporalConfigSchema, env)).pretty;
    expect(pretty({})).toBe(false);
    expect(pretty({ NODE_ENV: 'production' })).toBe(false);
    expect(pretty({ NODE_ENV: 'development' })).toBe(true);
    expect(pretty({ NODE_ENV: 'development', LOG_PRETTY: '0' })).toBe(false);
    expect(pretty({ LOG_PRETTY: '1' })).toBe(true);
    expect(pretty({ LOG_PRETTY: 'true' })).toBe(true);
  });
});
