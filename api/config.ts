import path from 'node:path';
import { z } from 'zod';
import { parseConfig, temporalConfigSchema } from '../config/temporal';
import { type AuthConfig } from './auth';

const apiConfigSchema = temporalConfigSchema
  .extend({
    API_HOST: z.string().min(1).default('127.0.0.1'),
    API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_URL: z.url().optional(),
    TEMPORAL_UI_URL: z.url().optional(),
    TEMPLATES_DIR: z
      .string()
      .min(1)
      .default(path.resolve(__dirname, '..', 'templates')),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_PRETTY: z.enum(['true', 'false']).default('false'),
    AUTH_MODE: z.enum(['dev', 'production']).default('production'),
    AUTH_DEV_SECRET: z.string().min(32).optional(),
    AUTH_JWT_SECRET: z.string().min(32, 'use at least 32 characters of random secret').optional(),
    AUTH_JWKS_URL: z.url().optional(),
    AUTH_ISSUER: z.string().min(1).default('readiness-engine'),
    AUTH_AUDIENCE: z.string().min(1).default('readiness-api'),
    AUTH_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
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
  if (config.AUTH_JWKS_URL) return { mode: 'jwks', jwksUrl: config.AUTH_JWKS_URL, ...common };
  return { mode: 'hs256', secret: (config.AUTH_JWT_SECRET ?? config.AUTH_DEV_SECRET)!, ...common };
}
