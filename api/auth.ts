import { type Request, type RequestHandler } from 'express';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { type Person, type Reader } from '../domain';
import { Problem } from './problems';

/** The claims a token must carry; they map to a person acting on the engine. */
const claimsSchema = z.object({
  sub: z.string().min(1).max(120),
  name: z.string().max(300).optional(),
  roles: z.array(z.string().max(80)).max(100).default([]),
  units: z.array(z.string().max(80)).max(100).default([]),
  /** Programs the person may read across events; `'*'` is every program. */
  programs: z.array(z.string().min(1).max(120)).max(200).default([]),
});

/** The program id that stands for every program in the `programs` claim. */
export const ALL_PROGRAMS = '*';

export interface AuthenticatedActor {
  id: string;
  name?: string;
  roles: string[];
  units: string[];
  /** Program-wide read: program ids from the token's `programs` claim, `'*'` for every program. */
  programs: string[];
}

declare module 'express-serve-static-core' {
  interface Request {
    actor?: AuthenticatedActor;
  }
}

interface Common {
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
}

export type AuthConfig =
  | ({ mode: 'hs256'; secret: string } & Common)
  | ({
      mode: 'jwks';
      jwksUrl: string;
      /** Abort a key-set fetch after this long (default 3 s). */
      jwksTimeoutMs?: number;
      /** An unknown `kid` refetches the key set at most once per this period (default 30 s). */
      jwksCooldownMs?: number;
      /** Keys are refetched when older than this (default 10 min). */
      jwksCacheMaxAgeMs?: number;
    } & Common);

export interface Authenticator {
  /** Resolves the actor of a valid token; rejects with a 401 Problem, or 503 `AUTH_UNAVAILABLE` when keys cannot be fetched. */
  verify(token: string): Promise<AuthenticatedActor>;
  /** Refuses a request without a valid bearer token; sets `req.actor` otherwise. */
  middleware: RequestHandler;
}

/** The key set could not be fetched (down, timed out, not a key set): the caller's token is not at fault. */
class KeySourceUnavailable extends Error {
  override name = 'KeySourceUnavailable';
}

/** Errors of the token itself while picking its key; anything else from the remote key set is the key source failing. */
const tokenSideKeyErrors = [
  joseErrors.JWKSNoMatchingKey,
  joseErrors.JWKSMultipleMatchingKeys,
  joseErrors.JOSENotSupported,
];

function remoteKeySet(config: Extract<AuthConfig, { mode: 'jwks' }>): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(config.jwksUrl), {
    timeoutDuration: config.jwksTimeoutMs ?? 3_000,
    cooldownDuration: config.jwksCooldownMs ?? 30_000,
    cacheMaxAge: config.jwksCacheMaxAgeMs ?? 600_000,
  });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (tokenSideKeyErrors.some((type) => error instanceof type)) throw error;
      throw new KeySourceUnavailable('the JSON Web Key Set could not be fetched', { cause: error });
    }
  };
}

export function createAuthenticator(config: AuthConfig): Authenticator {
  const key: Uint8Array | JWTVerifyGetKey =
    config.mode === 'hs256' ? new TextEncoder().encode(config.secret) : remoteKeySet(config);
  // The accepted algorithms are fixed per mode: `none` never, HMAC only with a shared secret,
  // so a JWKS-configured app cannot be fooled with an HS256 token "signed" with a public key.
  const algorithms = config.mode === 'hs256' ? ['HS256'] : ['RS256', 'ES256'];

  const verify = async (token: string): Promise<AuthenticatedActor> => {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, key as Uint8Array, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms,
        clockTolerance: config.clockToleranceSeconds,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      throw tokenProblem(error);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      throw new Problem(401, 'TOKEN_CLAIMS_INVALID', 'the token lacks a valid subject, roles, units or programs');
    }
    const { sub, name, roles, units, programs } = claims.data;
    return { id: sub, ...(name ? { name } : {}), roles, units, programs };
  };

  const authenticator: Authenticator = {
    verify,
    middleware: (req, res, next) => void identify(authenticator)(req, res, () => requireActor(req, res, next)),
  };
  return authenticator;
}

/** Why the request's token was not accepted, kept until a protected route asks. */
const refusals = new WeakMap<Request, Problem>();

/**
 * Reads the bearer token when there is one and sets `req.actor`, or remembers why not; never refuses.
 * It runs before rate limiting so that the limiter can key on the actor; `requireActor` refuses later.
 */
export function identify(authenticator: Pick<Authenticator, 'verify'>): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization;
    if (!header) return next();
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
    if (!match) {
      refusals.set(req, new Problem(401, 'TOKEN_MALFORMED', 'the Authorization header is not "Bearer <token>"'));
      return next();
    }
    authenticator.verify(match[1]!).then(
      (actor) => {
        req.actor = actor;
        next();
      },
      (error: unknown) => {
        refusals.set(req, error instanceof Problem ? error : tokenProblem(error));
        next();
      },
    );
  };
}

/** Refuses a request that `identify` did not authenticate, with the reason it found. */
export const requireActor: RequestHandler = (req, _res, next) => {
  if (req.actor) return next();
  next(refusals.get(req) ?? new Problem(401, 'TOKEN_MISSING', 'send a bearer token in the Authorization header'));
};

function tokenProblem(error: unknown): Problem {
  if (error instanceof KeySourceUnavailable) {
    return new Problem(
      503,
      'AUTH_UNAVAILABLE',
      'the keys that verify tokens cannot be fetched; retry shortly',
      { retryAfterSeconds: 5 },
      { cause: error },
    );
  }
  if (error instanceof joseErrors.JWTExpired) return new Problem(401, 'TOKEN_EXPIRED', 'the token has expired');
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new Problem(401, 'TOKEN_SIGNATURE_INVALID', 'the token signature does not verify');
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return new Problem(401, 'TOKEN_CLAIM_INVALID', `the token's "${error.claim}" claim is not accepted`, {
      claim: error.claim,
    });
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) {
    return new Problem(401, 'TOKEN_ALGORITHM_NOT_ALLOWED', 'the token is signed with an algorithm this API refuses');
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) {
    return new Problem(401, 'TOKEN_KEY_UNKNOWN', 'no published key matches the token');
  }
  return new Problem(401, 'TOKEN_INVALID', 'the token is not valid');
}

/** Dev mode only: signs a token for a roster person so a new user can try the API at once. */
export async function mintDevToken(
  person: Person,
  options: { secret: string; issuer: string; audience: string; expiresIn: string; programs?: string[] },
): Promise<string> {
  return new SignJWT({
    name: person.name,
    roles: person.roles,
    units: person.units,
    ...(options.programs ? { programs: options.programs } : {}),
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(person.id)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn)
    .sign(new TextEncoder().encode(options.secret));
}

export function requireRole(role: string): RequestHandler {
  return (req, _res, next) => {
    if (req.actor?.roles.includes(role) || req.actor?.roles.includes('admin')) return next();
    next(new Problem(403, 'ROLE_REQUIRED', `this action needs the "${role}" role`, { role }));
  };
}

/** The authenticated caller as the read rules see them (`readAccess`, `listAccess`). */
export const readerOf = (req: Request): Reader => ({
  id: req.actor!.id,
  roles: req.actor!.roles,
  units: req.actor!.units,
  programs: req.actor!.programs ?? [],
});
