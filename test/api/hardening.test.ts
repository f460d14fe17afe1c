import { randomBytes } from 'node:crypto';
import { request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { type Express } from 'express';
import pino from 'pino';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type HttpOptions } from '../../api/app';
import { createAuthenticator, mintDevToken } from '../../api/auth';
import { httpOptionsOf, loadApiConfig } from '../../api/config';
import { type TemplateStore } from '../../api/templates';
import { ConfigError } from '../../config/temporal';
import { createTestApi } from '../support/api';
import { tinyWindow } from '../support/fixtures';
import { connectTestTemporal, uniqueEventId, type TestTemporal } from '../support/temporal';

const auth = { issuer: 'readiness-hardening-test', audience: 'readiness-api-hardening-test', clockToleranceSeconds: 5 };

let temporal: TestTemporal;
let templates: TemplateStore;
beforeAll(async () => {
  temporal = await connectTestTemporal();
  await temporal.startWorker();
  templates = createTestApi(temporal).templates;
});
afterAll(async () => temporal?.close());

interface Built {
  app: Express;
  request: ReturnType<typeof supertest>;
  /** The bearer token of a person of the tiny template's roster. */
  tokenOf: (personId: string) => Promise<string>;
  as: (personId: string) => Promise<{ Authorization: string }>;
}

/** The real app on the real Temporal server, with the hardening options (and logger, templates) under test. */
function build(options: HttpOptions & { logger?: pino.Logger; templates?: TemplateStore } = {}): Built {
  const secret = randomBytes(32).toString('hex');
  const { logger = pino({ level: 'silent' }), templates: store = templates, ...http } = options;
  const app = createApp({
    client: temporal.client,
    authenticator: createAuthenticator({ mode: 'hs256', secret, ...auth }),
    templates: store,
    logger,
    taskQueue: temporal.taskQueue,
    namespace: temporal.namespace,
    ...http,
  });
  const tokenOf = async (personId: string) => {
    const person = templates.get('tiny-summit')!.template.people.find((p) => p.id === personId)!;
    return mintDevToken(person, { secret, ...auth, expiresIn: '10m' });
  };
  return {
    app,
    request: supertest(app),
    tokenOf,
    as: async (personId) => ({ Authorization: `Bearer ${await tokenOf(personId)}` }),
  };
}

function expectProblem(
  res: { status: number; headers: Record<string, string>; body: { code?: string } },
  status: number,
  code: string,
) {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
}

const startBody = () => ({ eventId: uniqueEventId('hard'), template: 'tiny-summit', window: tinyWindow });

/** The app on a loopback port, for requests supertest cannot shape (no Content-Type, a body never sent). */
async function listening(app: Express): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A POST with exactly these headers and this body (Node adds no Content-Type of its own). */
function rawPost(port: number, path: string, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; code?: string; type?: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          code: (JSON.parse(text) as { code?: string }).code,
          type: res.headers['content-type'],
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('security headers', () => {
  it('sends helmet headers and no x-powered-by, on answers and on problems alike', async () => {
    const { request } = build();
    for (const res of [await request.get('/healthz'), await request.get('/events')]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['content-security-policy']).toBeDefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });
});

describe('CORS', () => {
  const preflight = (request: ReturnType<typeof supertest>, origin: string) =>
    request
      .options('/events')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
  const corsHeaders = (headers: Record<string, string>) =>
    Object.keys(headers).filter((name) => name.startsWith('access-control-'));

  it('is closed by default: no Access-Control headers, not even to a preflight', async () => {
    const { request, as } = build();
    expect(corsHeaders((await preflight(request, 'https://app.example')).headers)).toEqual([]);
    const res = await request
      .get('/events')
      .set('Origin', 'https://app.example')
      .set(await as('planner.linh'));
    expect(res.status).toBe(200);
    expect(corsHeaders(res.headers)).toEqual([]);
  });

  it('answers a preflight from a configured origin and allows its requests', async () => {
    const { request, as } = build({ corsOrigins: ['https://app.example'] });
    const res = await preflight(request, 'https://app.example');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(res.headers['access-control-allow-headers']?.toLowerCase()).toContain('authorization');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    const get = await request
      .get('/events')
      .set('Origin', 'https://app.example')
      .set(await as('planner.linh'));
    expect(get.status).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(get.headers.vary).toContain('Origin');
  });

  it('gives no allow headers to an origin that is not configured', async () => {
    const { request, as } = build({ corsOrigins: ['https://app.example'] });
    for (const origin of ['https://evil.example', 'https://app.example.evil.example', 'http://app.example']) {
      expect(corsHeaders((await preflight(request, origin)).headers)).toEqual([]);
    }
    const get = await request
      .get('/events')
      .set('Origin', 'https://evil.example')
      .set(await as('planner.linh'));
    expect(corsHeaders(get.headers)).toEqual([]);
  });
});

describe('request bodies', () => {
  it('answers 413 BODY_TOO_LARGE to a body over the configured limit', async () => {
    const { request, as } = build({ bodyLimit: '1kb' });
    const res = await request
      .post('/events')
      .set(await as('planner.linh'))
      .send({ ...startBody(), program: 'x'.repeat(2048) });
    expectProblem(res, 413, 'BODY_TOO_LARGE');
  });

  it('answers 413 to a body over the default 1mb limit, and reads a body under it', async () => {
    const { request, as } = build();
    const big = await request
      .post('/events')
      .set(await as('planner.linh'))
      .send({ ...startBody(), padding: 'x'.repeat(1024 * 1024) });
    expectProblem(big, 413, 'BODY_TOO_LARGE');
    const small = await request
      .post('/events')
      .set(await as('planner.linh'))
      .send(startBody());
    expect(small.status).toBe(201);
  });

  it('does not read the body of an unauthenticated request', async () => {
    const { request } = build({ bodyLimit: '1kb' });
    const res = await request.post('/events').send({ ...startBody(), program: 'x'.repeat(2048) });
    expectProblem(res, 401, 'TOKEN_MISSING');
  });
});

describe('request media types', () => {
  const startUrl = (eventId: string, itemId = 'plan.master') => `/events/${eventId}/items/${itemId}/start`;
  async function startedEvent(built: Built): Promise<string> {
    const res = await built.request
      .post('/events')
      .set(await built.as('planner.linh'))
      .send(startBody());
    expect(res.status).toBe(201);
    return res.body.eventId as string;
  }
  async function itemOf(built: Built, eventId: string, itemId: string) {
    const res = await built.request.get(`/events/${eventId}`).set(await built.as('planner.linh'));
    return (res.body.items as { id: string }[]).find((i) => i.id === itemId);
  }

  it.each([
    ['text/plain', { 'Content-Type': 'text/plain' }, '{"note":"sent as text"}'],
    ['a form', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'note=sent+as+a+form'],
    [
      'multipart',
      { 'Content-Type': 'multipart/form-data; boundary=x' },
      '--x\r\nContent-Disposition: form-data; name="note"\r\n\r\nsent as multipart\r\n--x--\r\n',
    ],
    ['no Content-Type', {}, '{"note":"sent untyped"}'],
  ])(
    'refuses a command body sent as %s with 415 UNSUPPORTED_MEDIA_TYPE and leaves the item as it was',
    async (_label, headers: Record<string, string>, body) => {
      const built = build();
      const eventId = await startedEvent(built);
      const before = await itemOf(built, eventId, 'plan.master');
      const server = await listening(built.app);
      try {
        const res = await rawPost(
          server.port,
          startUrl(eventId),
          { ...(await built.as('office.mai')), ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
          body,
        );
        expect(res).toEqual({
          status: 415,
          code: 'UNSUPPORTED_MEDIA_TYPE',
          type: expect.stringMatching(/^application\/problem\+json/),
        });
      } finally {
        await server.close();
      }
      expect(await itemOf(built, eventId, 'plan.master')).toEqual(before);
    },
  );

  it('runs a command whose body is JSON with a charset, and one with no body at all', async () => {
    const built = build();
    const eventId = await startedEvent(built);
    const json = await built.request
      .post(startUrl(eventId))
      .set(await built.as('office.mai'))
      .set('Content-Type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ note: 'sent as JSON' }));
    expect(json.status).toBe(200);
    const server = await listening(built.app);
    try {
      const empty = await rawPost(
        server.port,
        startUrl(eventId, 'order.routes'),
        { ...(await built.as('police.nam')), 'Content-Length': '0' },
        '',
      );
      expect(empty.status).toBe(200);
    } finally {
      await server.close();
    }
    expect(await itemOf(built, eventId, 'plan.master')).toMatchObject({ status: 'in_progress' });
    expect(await itemOf(built, eventId, 'order.routes')).toMatchObject({ status: 'in_progress' });
  });
});

describe('declared body sizes', () => {
  it('refuses a declared Content-Length over the limit with 413 before the body is sent, and closes the connection', async () => {
    const built = build();
    const server = await listening(built.app);
    const token = await built.tokenOf('planner.linh');
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(server.port, '127.0.0.1');
        let text = '';
        // Only the first bytes of the 20 MB are ever sent: an answer must come without the rest.
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new Error(`no answer and no close before the body was sent; got ${JSON.stringify(text)}`));
        }, 5_000);
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (text += chunk));
        socket.on('error', reject);
        socket.on('close', () => {
          clearTimeout(timer);
          resolve(text);
        });
        socket.write(
          `POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${20 * 1024 * 1024}\r\n\r\n{"eventId":"`,
        );
      });
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 413 /);
      expect(head).toMatch(/^content-type: application\/problem\+json/im);
      expect(head).toMatch(/^connection: close/im);
      expect((JSON.parse(body) as { code: string }).code).toBe('BODY_TOO_LARGE');
    } finally {
      await server.close();
    }
  });
});

describe('methods', () => {
  it.each([
    ['TRACE', '/events', 'GET, HEAD, OPTIONS, POST'],
    ['PUT', '/events/some-event', 'GET, HEAD, OPTIONS'],
    ['PATCH', '/events/some-event/items/some-item/start', 'OPTIONS, POST'],
    ['GET', '/events/some-event/delegations/some-delegation', 'DELETE, OPTIONS'],
  ])('answers %s %s with 405 METHOD_NOT_ALLOWED and Allow: %s', async (method, path, allow) => {
    const { request, as } = build();
    const res = await request[method.toLowerCase() as 'put'](path).set(await as('planner.linh'));
    expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.allow).toBe(allow);
  });

  it('answers OPTIONS on a served path with 204 and the Allow header, and on an unknown path with 404', async () => {
    const { request, as } = build();
    const known = await request.options('/events/some-event/items/some-item/start').set(await as('planner.linh'));
    expect(known.status).toBe(204);
    expect(known.headers.allow).toBe('OPTIONS, POST');
    expectProblem(await request.options('/nowhere').set(await as('planner.linh')), 404, 'ROUTE_NOT_FOUND');
  });
});

describe('rate limiting', () => {
  it('answers 429 RATE_LIMITED with Retry-After to the request over the limit, while another token is served', async () => {
    const { request, as } = build({ rateLimitPerMinute: 3 });
    const linh = await as('planner.linh');
    for (let i = 0; i < 3; i += 1) expect((await request.get('/events').set(linh)).status).toBe(200);
    const refused = await request.get('/events').set(linh);
    expectProblem(refused, 429, 'RATE_LIMITED');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await request.get('/events').set(await as('head.tuan'))).status).toBe(200);
  });

  it('counts per person, not per token: a fresh token of the same person is refused too', async () => {
    const { request, as } = build({ rateLimitPerMinute: 2 });
    for (let i = 0; i < 2; i += 1) await request.get('/events').set(await as('office.mai'));
    expectProblem(await request.get('/events').set(await as('office.mai')), 429, 'RATE_LIMITED');
  });

  it('keys requests without a valid token on the client address', async () => {
    const { request, as } = build({ rateLimitPerMinute: 2 });
    expectProblem(await request.get('/events'), 401, 'TOKEN_MISSING');
    expectProblem(await request.get('/events').set('Authorization', 'Bearer forged.token.value'), 401, 'TOKEN_INVALID');
    expectProblem(await request.get('/events'), 429, 'RATE_LIMITED');
    expect((await request.get('/events').set(await as('planner.linh'))).status).toBe(200);
  });

  it('allows 600 requests a minute by default', async () => {
    const { request, as } = build();
    const res = await request.get('/events').set(await as('planner.linh'));
    expect(res.status).toBe(200);
    expect(res.headers['ratelimit-policy']).toMatch(/q=600/);
  });

  it('never limits the health check', async () => {
    const { request } = build({ rateLimitPerMinute: 1 });
    for (let i = 0; i < 3; i += 1) expect((await request.get('/healthz')).status).toBe(200);
  });
});

describe('errors without internals', () => {
  it('answers a fault inside a route with a generic 500 INTERNAL problem', async () => {
    const internal = 'database password is hunter2 at /srv/secret/path';
    const broken: TemplateStore = {
      get: () => {
        throw new Error(internal);
      },
      list: () => [],
    };
    const { request, as } = build({ templates: broken });
    const res = await request
      .post('/events')
      .set(await as('planner.linh'))
      .send(startBody());
    expectProblem(res, 500, 'INTERNAL');
    expect(Object.keys(res.body).sort()).toEqual(['code', 'detail', 'instance', 'status', 'title', 'type']);
    expect(res.text).not.toContain('hunter2');
    expect(res.text).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('answers 400, not 500, to a path that does not decode', async () => {
    const { request, as } = build();
    const res = await request.get('/events/%E0%A4%A').set(await as('planner.linh'));
    expectProblem(res, 400, 'BAD_REQUEST');
  });

  it('answers an unknown route with 404 ROUTE_NOT_FOUND', async () => {
    const { request, as } = build();
    expectProblem(await request.get('/nowhere').set(await as('planner.linh')), 404, 'ROUTE_NOT_FOUND');
  });
});

describe('refusal log', () => {
  function capture() {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    return { logger, lines, warnings: () => entries().filter((entry) => entry.level === 40) };
  }

  it('logs a 403 once at warn with actor and code, and never the token', async () => {
    const log = capture();
    const { request, tokenOf } = build({ logger: log.logger });
    const token = await tokenOf('head.tuan');
    const res = await request.post('/events').set('Authorization', `Bearer ${token}`).send(startBody());
    expectProblem(res, 403, 'ROLE_REQUIRED');
    const warnings = log.warnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ actor: 'head.tuan', code: 'ROLE_REQUIRED', method: 'POST', path: '/events' });
    expect(warnings[0]!.reason).toEqual(expect.any(String));
    for (const line of log.lines) {
      expect(line).not.toContain(token);
      expect(line).not.toContain(token.split('.')[2]);
    }
  });

  it('logs a 401 once at warn without an actor, and never the presented token', async () => {
    const log = capture();
    const { request } = build({ logger: log.logger });
    const forged = `${(await build().tokenOf('planner.linh')).slice(0, -4)}AAAA`;
    const res = await request.get('/events?phase=planning').set('Authorization', `Bearer ${forged}`);
    expectProblem(res, 401, 'TOKEN_SIGNATURE_INVALID');
    expect(log.warnings()).toEqual([
      expect.objectContaining({ actor: null, code: 'TOKEN_SIGNATURE_INVALID', method: 'GET', path: '/events' }),
    ]);
    for (const line of log.lines) expect(line).not.toContain(forged);
  });

  it('logs a 409 conflict at warn', async () => {
    const log = capture();
    const { request, as } = build({ logger: log.logger });
    const body = startBody();
    expect(
      (
        await request
          .post('/events')
          .set(await as('planner.linh'))
          .send(body)
      ).status,
    ).toBe(201);
    const again = await request
      .post('/events')
      .set(await as('planner.linh'))
      .send(body);
    expectProblem(again, 409, 'EVENT_EXISTS');
    expect(log.warnings()).toEqual([expect.objectContaining({ actor: 'planner.linh', code: 'EVENT_EXISTS' })]);
  });

  it('logs a 422 rule refusal at warn', async () => {
    const log = capture();
    const { request, as } = build({ logger: log.logger });
    const res = await request
      .post('/events')
      .set(await as('planner.linh'))
      .send({ ...startBody(), template: 'no-such-template' });
    expectProblem(res, 422, 'TEMPLATE_NOT_FOUND');
    expect(log.warnings()).toEqual([expect.objectContaining({ actor: 'planner.linh', code: 'TEMPLATE_NOT_FOUND' })]);
  });

  it('does not log a validation failure (400) as a refusal', async () => {
    const log = capture();
    const { request, as } = build({ logger: log.logger });
    const res = await request
      .post('/events')
      .set(await as('planner.linh'))
      .send({ ...startBody(), bogus: true });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(log.warnings()).toEqual([]);
  });
});

describe('hardening settings', () => {
  const base = { AUTH_JWT_SECRET: 'x'.repeat(40) };

  it('defaults to 600 requests a minute, a 1mb body limit, closed CORS and no trusted proxy', () => {
    expect(httpOptionsOf(loadApiConfig(base))).toEqual({
      rateLimitPerMinute: 600,
      bodyLimit: '1mb',
      corsOrigins: [],
      trustProxy: false,
    });
  });

  it('reads the rate limit, body limit, CORS origins and trusted proxy hops', () => {
    const options = httpOptionsOf(
      loadApiConfig({
        ...base,
        RATE_LIMIT_PER_MINUTE: '120',
        BODY_LIMIT: '256kb',
        CORS_ORIGINS: 'https://app.example, http://localhost:5173',
        TRUST_PROXY: '1',
      }),
    );
    expect(options).toEqual({
      rateLimitPerMinute: 120,
      bodyLimit: '256kb',
      corsOrigins: ['https://app.example', 'http://localhost:5173'],
      trustProxy: 1,
    });
  });

  it.each([
    ['a wildcard origin', { CORS_ORIGINS: '*' }],
    ['an origin with a path', { CORS_ORIGINS: 'https://app.example/app' }],
    ['an origin with a trailing slash', { CORS_ORIGINS: 'https://app.example/' }],
    ['a zero rate limit', { RATE_LIMIT_PER_MINUTE: '0' }],
    ['a body limit that is not a size', { BODY_LIMIT: 'lots' }],
  ])('refuses %s', (_label, change) => {
    expect(() => loadApiConfig({ ...base, ...change })).toThrow(ConfigError);
  });
});
