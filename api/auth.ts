import { type RequestHandler } from 'express';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { type Person } from '../domain';
import { Problem } from './problems';

/** The claims a token must carry; they map to a person acting on the engine. */
const claimsSchema = z.object({
  sub: z.string().min(1).max(120),
  name: z.string().max(300).optional(),
  roles: z.array(z.string().max(80)).max(100).default([]),
  units: z.array(z.string().max(80)).max(100).default([]),
});

export interface AuthenticatedActor {
  id: string;
  name?: string;
  roles: string[];
  units: string[];
}

declare module 'express-serve-static-core' {
  interface Request {
    actor?: AuthenticatedActor;
  }
}

export type AuthConfig =
  | { mode: 'hs256'; secret: string; issuer: string; audience: string; clockToleranceSeconds: number }
  | { mode: 'jwks'; jwksUrl: string; issuer: string; audience: string; clockToleranceSeconds: number };

export interface Authenticator {
  verify(token: string): Promise<AuthenticatedActor>;
  middleware: RequestHandler;
}

export function createAuthenticator(config: AuthConfig): Authenticator {
  const key: Uint8Array | JWTVerifyGetKey =
    config.mode === 'hs256' ? new TextEncoder().encode(config.secret) : createRemoteJWKSet(new URL(config.jwksUrl));
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
    if (!claims.success)
      throw new Problem(401, 'TOKEN_CLAIMS_INVALID', 'the token lacks a valid subject, roles or units');
    const { sub, name, roles, units } = claims.data;
    return { id: sub, ...(name ? { name } : {}), roles, units };
  };

  const middleware: RequestHandler = (req, _res, next) => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header) : null;
    if (!header) return next(new Problem(401, 'TOKEN_MISSING', 'send a bearer token in the Authorization header'));
    if (!match) return next(new Problem(401, 'TOKEN_MALFORMED', 'the Authorization header is not "Bearer <token>"'));
    verify(match[1]!).then((actor) => {
      req.actor = actor;
      next();
    }, next);
  };

  return { verify, middleware };
}

function tokenProblem(error: unknown): Problem {
  if (error instanceof joseErrors.JWTExpired) return new Problem(401, 'TOKEN_EXPIRED', 'the token has expired');
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new Problem(401, 'TOKEN_SIGNATURE_INVALID', 'the token signature does not verify');
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return new Problem(401, 'TOKEN_CLAIM_INVALID', `the token's "${error.claim}" claim is not accepted`);
  }
  if (error instanceof joseErrors.JOSEError) return new Problem(401, 'TOKEN_INVALID', 'the token is not valid');
  return new Problem(401, 'TOKEN_INVALID', 'the token is not valid');
}

/** Dev mode only: signs a token for a roster person so a new user can try the API at once. */
export async function mintDevToken(
  person: Person,
  options: { secret: string; issuer: string; audience: string; expiresIn: string },
): Promise<string> {
  return new SignJWT({ name: person.name, roles: person.roles, units: person.units })
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
