import path from 'node:path';
import { z } from 'zod';
import { parseConfig, temporalConfigSchema } from '../config/temporal';
import { type HttpOptions, type OpsOptions } from './app';
import { type AuthConfig } from './auth';
import { reportsDirSchema } from '../config/paths';

/** A byte size as body-parser reads it: `512kb`, `1mb`, or a plain number of bytes. */
const byteSize = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'a size such as 512kb or 1mb');

/** Comma-separated exact origins (`https://app.example.org`); each must be scheme + host (+ port), nothing else. */
const originList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  )
  .superRefine((origins, ctx) => {
    for (const origin of origins) {
      let exact = false;
      try {
        exact = new URL(origin).origin === origin;
      } catch {
        exact = false;
      }
      if (!exact)
        ctx.addIssue({ code: 'custom', message: `"${origin}" is not an exact origin such as https://a.example` });
    }
  });

/** Express's `trust proxy`: `false` (default), a hop count, or addresses/subnets (`loopback, 10.0.0.0/8`). */
const trustProxy = z
  .string()
  .trim()
  .min(1)
  .transform((value): boolean | number | string =>
    value === 'false' ? false : value === 'true' ? true : /^\d+$/.test(value) ? Number(value) : value,
  );

const apiConfigSchema = temporalConfigSchema
  .extend({
    API_HOST: z.string().min(1).default('127.0.0.1'),
    API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_URL: z.url().optional(),
    TEMPORAL_UI_URL: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .optional()
      .describe("the Temporal Web UI's base URL: each event's links.ui points there; no link when unset"),
    TEMPLATES_DIR: z
      .string()
      .min(1)
      .default(path.resolve(__dirname, '..', 'templates')),
    REPORTS_DIR: reportsDirSchema,
    READINESS_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(100)
      .max(30_000)
      .default(2_000)
      .describe('how long one /readyz check may wait for Temporal (all its calls together)'),
    READINESS_CACHE_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(1_000)
      .describe('how long a /readyz result is reused, so probes and scrapes do not hammer Temporal'),
    METRICS_TOKEN: z
      .string()
      .min(16, 'use at least 16 characters of random secret (generate one with `openssl rand -hex 32`)')
      .optional()
      .describe('when set, GET /metrics needs Authorization: Bearer <this token>'),
    AUTH_MODE: z.enum(['dev', 'production']).default('production'),
    AUTH_DEV_SECRET: z.string().min(32).optional(),
    AUTH_JWT_SECRET: z.string().min(32, 'use at least 32 characters of random secret').optional(),
    AUTH_JWKS_URL: z.url().optional(),
    AUTH_ISSUER: z.string().min(1).default('readiness-engine'),
    AUTH_AUDIENCE: z.string().min(1).default('readiness-api'),
    AUTH_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
    AUTH_JWKS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3_000),
    AUTH_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
    CORS_ORIGINS: originList.default([]),
    BODY_LIMIT: byteSize.default('1mb'),
    TRUST_PROXY: trustProxy.default(false),
  })
  .superRefine((env, ctx) => {
    const productionSources = [env.AUTH_JWT_SECRET, env.AUTH_JWKS_URL].filter(Boolean).length;
    if (env.AUTH_MODE === 'dev') {
      // Dev tokens are printed to the console: never let them work beside a real key source.
      if (productionSources > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['AUTH_MODE'],
          message: 'dev mode cannot be on while AUTH_JWT_SECRET or AUTH_JWKS_URL is set',
        });
      }
      if (!env.AUTH_DEV_SECRET)
        ctx.addIssue({ code: 'custom', path: ['AUTH_DEV_SECRET'], message: 'dev mode needs AUTH_DEV_SECRET' });
    } else if (productionSources !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_JWT_SECRET'],
        message: 'set exactly one of AUTH_JWT_SECRET or AUTH_JWKS_URL',
      });
    }
  });

export type ApiConfig = z.infer<typeof apiConfigSchema>;

export function loadApiConfig(env: Record<string, string | undefined>): ApiConfig {
  return parseConfig(apiConfigSchema, env);
}

export function authConfigOf(config: ApiConfig): AuthConfig {
  const common = {
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    clockToleranceSeconds: config.AUTH_CLOCK_TOLERANCE_SECONDS,
  };
  if (config.AUTH_JWKS_URL) {
    return {
      mode: 'jwks',
      jwksUrl: config.AUTH_JWKS_URL,
      jwksTimeoutMs: config.AUTH_JWKS_TIMEOUT_MS,
      jwksCooldownMs: config.AUTH_JWKS_COOLDOWN_MS,
      ...common,
    };
  }
  return { mode: 'hs256', secret: (config.AUTH_JWT_SECRET ?? config.AUTH_DEV_SECRET)!, ...common };
}

/** The HTTP hardening settings of `createApp` (spread them into its deps). */
export function httpOptionsOf(config: ApiConfig): Required<HttpOptions> {
  return {
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    corsOrigins: config.CORS_ORIGINS,
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.TRUST_PROXY,
  };
}

/** The operations endpoints' settings of `createApp` (spread them into its deps). */
export function opsOptionsOf(config: ApiConfig): OpsOptions {
  return {
    readinessTimeoutMs: config.READINESS_TIMEOUT_MS,
    readinessCacheMs: config.READINESS_CACHE_MS,
    ...(config.METRICS_TOKEN ? { metricsToken: config.METRICS_TOKEN } : {}),
  };
}
