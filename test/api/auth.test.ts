import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import pino from 'pino';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { createAuthenticator, type AuthConfig, type Authenticator } from '../../api/auth';
import { authConfigOf, loadApiConfig } from '../../api/config';
import { Problem } from '../../api/problems';
import { ConfigError } from '../../config/temporal';
import { createTestApi } from '../support/api';
import { connectTestTemporal, type TestTemporal } from '../support/temporal';

const issuer = 'readiness-auth-test';
const audience = 'readiness-api-auth-test';
const common = { issuer, audience, clockToleranceSeconds: 5 };
const nowSeconds = () => Math.floor(Date.now() / 1000);
const claims = { name: 'Linh', roles: ['planner'], units: ['office'], programs: ['*'] };

let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(async () => temporal?.close());

/** The real app on the real Temporal server, with the authenticator under test. */
function appWith(authenticator: Authenticator) {
  return supertest(
    createApp({
      client: temporal.client,
      authenticator,
      templates: createTestApi(temporal).templates,
      logger: pino({ level: 'silent' }),
      taskQueue: temporal.taskQueue,
      namespace: temporal.namespace,
    }),
  );
}

interface SignOptions {
  alg: 'HS256' | 'RS256' | 'ES256';
  key: Uint8Array | CryptoKey;
  kid?: string;
  payload?: JWTPayload;
  iss?: string;
  aud?: string;
  /** Seconds since the epoch; default five minutes from now. */
  exp?: number;
}

async function sign({ alg, key, kid, payload = claims, iss = issuer, aud = audience, exp }: SignOptions) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg, ...(kid ? { kid } : {}) })
    .setSubject('planner.linh')
    .setIssuer(iss)
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime(exp ?? nowSeconds() + 300)
    .sign(key);
}

/** An unsigned token (`alg: none`), valid in every other respect. */
function unsignedToken(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const payload = { ...claims, sub: 'planner.linh', iss: issuer, aud: audience, exp: nowSeconds() + 300 };
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

function expectProblem(
  res: { status: number; headers: Record<string, string>; body: { code?: string } },
  status: number,
  code: string,
) {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
}

/** A JSON Web Key Set served over loopback HTTP, as an identity provider would. */
interface JwksServer {
  url: string;
  keys: JWK[];
  fetches: number;
  /** `serve` (default), `fail` with a 500, or `hang` without ever answering. */
  mode: 'serve' | 'fail' | 'hang';
  close(): Promise<void>;
}

async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  const server: Server = createServer((_req, res) => {
    jwks.fetches += 1;
    if (jwks.mode === 'hang') return;
    if (jwks.mode === 'fail') return void res.writeHead(500).end();
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: jwks.keys }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const jwks: JwksServer = {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    keys,
    fetches: 0,
    mode: 'serve',
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return jwks;
}

async function signingKey(alg: 'RS256' | 'ES256', kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

describe('HS256 tokens', () => {
  const secret = randomBytes(32).toString('hex');
  const key = new TextEncoder().encode(secret);
  const authenticator = createAuthenticator({ mode: 'hs256', secret, ...common });
  const request = () => appWith(authenticator);

  it('serves a request with a valid token', async () => {
    const res = await request()
      .get('/events')
      .set(bearer(await sign({ alg: 'HS256', key })));
    expect(res.status).toBe(200);
  });

  it.each([
    ['no Authorization header', undefined, 'TOKEN_MISSING'],
    ['a Basic header', 'Basic dXNlcjpwYXNz', 'TOKEN_MALFORMED'],
    ['a Bearer header without a token', 'Bearer ', 'TOKEN_MALFORMED'],
    ['a Bearer header with two tokens', 'Bearer a.b.c d.e.f', 'TOKEN_MALFORMED'],
    ['a bearer value that is not a JWT', 'Bearer not-a-jwt', 'TOKEN_INVALID'],
  ])('answers 401 to %s', async (_label, header, code) => {
    const req = request().get('/events');
    expectProblem(header === undefined ? await req : await req.set('Authorization', header), 401, code);
  });

  it('answers 401 TOKEN_EXPIRED to an expired token', async () => {
    const token = await sign({ alg: 'HS256', key, exp: nowSeconds() - 3600 });
    expectProblem(await request().get('/events').set(bearer(token)), 401, 'TOKEN_EXPIRED');
  });

  it.each([
    ['audience', { aud: 'another-api' }, 'aud'],
    ['issuer', { iss: 'another-issuer' }, 'iss'],
  ])('answers 401 naming the claim to a token for another %s', async (_label, change, claim) => {
    const token = await sign({ alg: 'HS256', key, ...change });
    const res = await request().get('/events').set(bearer(token));
    expectProblem(res, 401, 'TOKEN_CLAIM_INVALID');
    expect(res.body.claim).toBe(claim);
  });

  it('answers 401 TOKEN_SIGNATURE_INVALID to a token signed with another secret', async () => {
    const token = await sign({ alg: 'HS256', key: randomBytes(32) });
    expectProblem(await request().get('/events').set(bearer(token)), 401, 'TOKEN_SIGNATURE_INVALID');
  });

  it('answers 401 to an unsigned (alg: none) token', async () => {
    expectProblem(await request().get('/events').set(bearer(unsignedToken())), 401, 'TOKEN_ALGORITHM_NOT_ALLOWED');
  });

  it('answers 401 to an RS256 token when configured for a shared secret', async () => {
    const { privateKey } = await signingKey('RS256', 'rsa');
    const token = await sign({ alg: 'RS256', key: privateKey });
    expectProblem(await request().get('/events').set(bearer(token)), 401, 'TOKEN_ALGORITHM_NOT_ALLOWED');
  });

  it('answers 401 to a token without an expiry', async () => {
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('planner.linh')
      .setIssuer(issuer)
      .setAudience(audience)
      .sign(key);
    expectProblem(await request().get('/events').set(bearer(token)), 401, 'TOKEN_CLAIM_INVALID');
  });

  describe('clock skew', () => {
    it('accepts a token that expired within the tolerance (3 s ago with 5 s allowed)', async () => {
      const token = await sign({ alg: 'HS256', key, exp: nowSeconds() - 3 });
      expect((await request().get('/events').set(bearer(token))).status).toBe(200);
    });

    it('refuses a token that expired beyond the tolerance (60 s ago with 5 s allowed)', async () => {
      const token = await sign({ alg: 'HS256', key, exp: nowSeconds() - 60 });
      expectProblem(await request().get('/events').set(bearer(token)), 401, 'TOKEN_EXPIRED');
    });
  });

  describe('claims', () => {
    it('carries the programs claim onto the actor, "*" included', async () => {
      const actor = await authenticator.verify(
        await sign({ alg: 'HS256', key, payload: { ...claims, programs: ['*', 'asean-2027'] } }),
      );
      expect(actor).toEqual({
        id: 'planner.linh',
        name: 'Linh',
        roles: ['planner'],
        units: ['office'],
        programs: ['*', 'asean-2027'],
      });
    });

    it('gives an actor without a programs claim no program-wide read', async () => {
      const actor = await authenticator.verify(await sign({ alg: 'HS256', key, payload: { roles: ['planner'] } }));
      expect(actor.programs).toEqual([]);
      expect(actor.units).toEqual([]);
    });

    it.each([
      ['a programs claim that is not a list', { programs: '*' }],
      ['an empty program id', { programs: [''] }],
      ['roles that are not a list', { roles: 'admin' }],
    ])('refuses %s with TOKEN_CLAIMS_INVALID', async (_label, payload) => {
      const token = await sign({ alg: 'HS256', key, payload: { ...claims, ...payload } });
      const refusal = await authenticator.verify(token).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(Problem);
      expect(refusal).toMatchObject({ status: 401, code: 'TOKEN_CLAIMS_INVALID' });
    });
  });
});

describe('JWKS tokens', () => {
  let jwks: JwksServer;
  let rsa: Awaited<ReturnType<typeof signingKey>>;
  let ec: Awaited<ReturnType<typeof signingKey>>;
  let request: () => ReturnType<typeof supertest>;
  const jwksConfig = (jwksUrl: string, extra: Partial<Extract<AuthConfig, { mode: 'jwks' }>> = {}): AuthConfig => ({
    mode: 'jwks',
    jwksUrl,
    ...common,
    ...extra,
  });

  beforeAll(async () => {
    [rsa, ec] = await Promise.all([signingKey('RS256', 'rsa-1'), signingKey('ES256', 'ec-1')]);
    jwks = await startJwksServer([rsa.jwk, ec.jwk]);
    const authenticator = createAuthenticator(jwksConfig(jwks.url));
    request = () => appWith(authenticator);
  });
  afterAll(async () => jwks?.close());

  it('serves a request with an RS256 token whose key is in the set', async () => {
    const token = await sign({ alg: 'RS256', key: rsa.privateKey, kid: 'rsa-1' });
    expect((await request().get('/events').set(bearer(token))).status).toBe(200);
  });

  it('serves a request with an ES256 token whose key is in the set', async () => {
    const token = await sign({ alg: 'ES256', key: ec.privateKey, kid: 'ec-1' });
    expect((await request().get('/events').set(bearer(token))).status).toBe(200);
  });

  it('answers 401 TOKEN_KEY_UNKNOWN to a token signed by a key outside the set', async () => {
    const stranger = await signingKey('RS256', 'stranger');
    const token = await sign({ alg: 'RS256', key: stranger.privateKey, kid: 'stranger' });
    expectProblem(await request().get('/events').set(bearer(token)), 401, 'TOKEN_KEY_UNKNOWN');
  });

  it('answers 401 TOKEN_SIGNATURE_INVALID to a token from another key that claims a published kid', async () => {
    const stranger = await signingKey('RS256', 'rsa-1');
    const token = await sign({ alg: 'RS256', key: stranger.privateKey, kid: 'rsa-1' });
    expectProblem(await request().get('/events').set(bearer(token)), 401, 'TOKEN_SIGNATURE_INVALID');
  });

  it('answers 401 to an HS256 token, even one keyed with the published public key', async () => {
    const token = await sign({ alg: 'HS256', key: new TextEncoder().encode(JSON.stringify(rsa.jwk)), kid: 'rsa-1' });
    expectProblem(await request().get('/events').set(bearer(token)), 401, 'TOKEN_ALGORITHM_NOT_ALLOWED');
  });

  it('answers 401 to an unsigned (alg: none) token', async () => {
    expectProblem(await request().get('/events').set(bearer(unsignedToken())), 401, 'TOKEN_ALGORITHM_NOT_ALLOWED');
  });

  it('answers 401 TOKEN_EXPIRED to an expired RS256 token', async () => {
    const token = await sign({ alg: 'RS256', key: rsa.privateKey, kid: 'rsa-1', exp: nowSeconds() - 3600 });
    expectProblem(await request().get('/events').set(bearer(token)), 401, 'TOKEN_EXPIRED');
  });

  it('refetches the key set for an unknown kid at most once per cooldown', async () => {
    const own = await startJwksServer([rsa.jwk]);
    try {
      const app = appWith(createAuthenticator(jwksConfig(own.url, { jwksCooldownMs: 60_000 })));
      const good = await sign({ alg: 'RS256', key: rsa.privateKey, kid: 'rsa-1' });
      expect((await app.get('/events').set(bearer(good))).status).toBe(200);
      const stranger = await signingKey('RS256', 'stranger');
      for (let i = 0; i < 3; i += 1) {
        const token = await sign({ alg: 'RS256', key: stranger.privateKey, kid: `stranger-${i}` });
        expectProblem(await app.get('/events').set(bearer(token)), 401, 'TOKEN_KEY_UNKNOWN');
      }
      expect(own.fetches).toBe(1);
    } finally {
      await own.close();
    }
  });

  it('picks up a key added to the set (rotation) once the cooldown has passed', async () => {
    const own = await startJwksServer([rsa.jwk]);
    try {
      const app = appWith(createAuthenticator(jwksConfig(own.url, { jwksCooldownMs: 0 })));
      expect(
        (await app.get('/events').set(bearer(await sign({ alg: 'RS256', key: rsa.privateKey, kid: 'rsa-1' })))).status,
      ).toBe(200);
      const next = await signingKey('ES256', 'ec-next');
      own.keys = [rsa.jwk, next.jwk];
      const token = await sign({ alg: 'ES256', key: next.privateKey, kid: 'ec-next' });
      expect((await app.get('/events').set(bearer(token))).status).toBe(200);
      expect(own.fetches).toBe(2);
    } finally {
      await own.close();
    }
  });

  describe('when the key set cannot be fetched', () => {
    it('answers 503 AUTH_UNAVAILABLE with Retry-After while the JWKS server is down', async () => {
      const gone = await startJwksServer([rsa.jwk]);
      const url = gone.url;
      await gone.close();
      const app = appWith(createAuthenticator(jwksConfig(url)));
      const res = await app.get('/events').set(bearer(await sign({ alg: 'RS256', key: rsa.privateKey, kid: 'rsa-1' })));
      expectProblem(res, 503, 'AUTH_UNAVAILABLE');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('answers 503 AUTH_UNAVAILABLE when the JWKS server answers with an error', async () => {
      const failing = await startJwksServer([rsa.jwk]);
      failing.mode = 'fail';
      try {
        const app = appWith(createAuthenticator(jwksConfig(failing.url)));
        const token = await sign({ alg: 'RS256', key: rsa.privateKey, kid: 'rsa-1' });
        expectProblem(await app.get('/events').set(bearer(token)), 503, 'AUTH_UNAVAILABLE');
      } finally {
        await failing.close();
      }
    });

    it('answers 503 AUTH_UNAVAILABLE within the timeout when the JWKS server never answers', async () => {
      const hanging = await startJwksServer([rsa.jwk]);
      hanging.mode = 'hang';
      try {
        const app = appWith(createAuthenticator(jwksConfig(hanging.url, { jwksTimeoutMs: 300 })));
        const token = await sign({ alg: 'RS256', key: rsa.privateKey, kid: 'rsa-1' });
        const started = Date.now();
        expectProblem(await app.get('/events').set(bearer(token)), 503, 'AUTH_UNAVAILABLE');
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        await hanging.close();
      }
    });

    it('still refuses a bad token with 401 first, without asking the key set', async () => {
      const gone = await startJwksServer([]);
      const url = gone.url;
      await gone.close();
      const app = appWith(createAuthenticator(jwksConfig(url)));
      expectProblem(await app.get('/events').set(bearer(unsignedToken())), 401, 'TOKEN_ALGORITHM_NOT_ALLOWED');
    });
  });
});

describe('authentication settings', () => {
  const secret = 'x'.repeat(40);
  const refusal = (env: Record<string, string>) => {
    try {
      loadApiConfig(env);
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it('refuses dev mode beside a JWKS URL', () => {
    const error = refusal({ AUTH_MODE: 'dev', AUTH_DEV_SECRET: secret, AUTH_JWKS_URL: 'https://idp.example/jwks' });
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('AUTH_MODE');
  });

  it('refuses dev mode beside a shared secret', () => {
    expect(refusal({ AUTH_MODE: 'dev', AUTH_DEV_SECRET: secret, AUTH_JWT_SECRET: secret })).toBeInstanceOf(ConfigError);
  });

  it('refuses production without a key source', () => {
    const error = refusal({});
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('AUTH_JWT_SECRET');
  });

  it('refuses production with both a shared secret and a JWKS URL', () => {
    expect(refusal({ AUTH_JWT_SECRET: secret, AUTH_JWKS_URL: 'https://idp.example/jwks' })).toBeInstanceOf(ConfigError);
  });

  it('configures JWKS verification with a fetch timeout and cooldown', () => {
    const config = loadApiConfig({ AUTH_JWKS_URL: 'https://idp.example/jwks', AUTH_JWKS_TIMEOUT_MS: '1500' });
    expect(authConfigOf(config)).toMatchObject({
      mode: 'jwks',
      jwksUrl: 'https://idp.example/jwks',
      jwksTimeoutMs: 1500,
      jwksCooldownMs: 30_000,
    });
  });

  it('configures shared-secret verification in production', () => {
    expect(authConfigOf(loadApiConfig({ AUTH_JWT_SECRET: secret }))).toMatchObject({ mode: 'hs256', secret });
  });
});
