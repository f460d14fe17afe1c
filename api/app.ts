import { type Client } from '@temporalio/client';
import cors from 'cors';
import express, { type Express, type Request, type RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type RateLimitInfo } from 'express-rate-limit';
import helmet from 'helmet';
import { type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { identify, requireActor, type Authenticator } from './auth';
import { buildOpenApiDocument } from './openapi';
import { Problem, problemHandler } from './problems';
import { eventsRouter } from './routes/events';
import { type TemplateStore } from './templates';

/** HTTP hardening; every field is optional and defaults to the safe setting. */
export interface HttpOptions {
  /** Requests per minute per actor (per client IP before authentication). Default 600. */
  rateLimitPerMinute?: number;
  /** Exact origins allowed to call the API from a browser. Default none: no CORS headers at all. */
  corsOrigins?: readonly string[];
  /** Largest JSON body accepted (`1mb`, `512kb`, or bytes). Default `1mb`. */
  bodyLimit?: string | number;
  /** Express `trust proxy` (which `X-Forwarded-For` hops to believe for the client IP). Default `false`. */
  trustProxy?: boolean | number | string;
}

export interface AppDeps extends HttpOptions {
  client: Client;
  authenticator: Authenticator;
  templates: TemplateStore;
  logger: Logger;
  taskQueue: string;
  namespace: string;
  temporalUiUrl?: string;
}

export const defaultRateLimitPerMinute = 600;
export const defaultBodyLimit = '1mb';

/** The Express app, apart from `listen`, so tests build the real thing on the real server. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', deps.trustProxy ?? false);
  app.use(helmet());
  app.use(
    pinoHttp({
      logger: deps.logger,
      customProps: (req) => ({ actor: req.actor?.id }),
      // Tokens never reach the logs.
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    }),
  );
  if (deps.corsOrigins?.length) app.use(corsFor(deps.corsOrigins));

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));

  // Who is calling, before counting: the limiter keys on the actor, or on the IP when there is none.
  app.use(identify(deps.authenticator));
  app.use(rateLimiter(deps.rateLimitPerMinute ?? defaultRateLimitPerMinute, deps.logger));

  const openapi = buildOpenApiDocument();
  app.get('/openapi.json', (_req, res) => void res.json(openapi));
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openapi));

  app.use(requireActor);
  // Bodies are read only for authenticated callers.
  app.use(
    express.json({
      limit: deps.bodyLimit ?? defaultBodyLimit,
      strict: true,
      type: ['application/json', 'application/*+json'],
    }),
  );
  const uiBase = deps.temporalUiUrl?.replace(/\/$/, '');
  app.use(
    eventsRouter({
      client: deps.client,
      taskQueue: deps.taskQueue,
      templates: deps.templates,
      ...(uiBase
        ? {
            uiLink: (workflowId: string) =>
              `${uiBase}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(workflowId)}`,
          }
        : {}),
    }),
  );
  app.use((req, _res, next) => next(new Problem(404, 'ROUTE_NOT_FOUND', `no route ${req.method} ${req.path}`)));
  app.use(problemHandler);
  return app;
}

/** CORS for the listed origins only; any other origin gets no `Access-Control-*` header, preflight or not. */
function corsFor(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  const handler = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    methods: ['GET', 'POST'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
    exposedHeaders: ['Location', 'Retry-After', 'RateLimit', 'RateLimit-Policy'],
    credentials: false,
    maxAge: 600,
  });
  return (req, res, next) => {
    // The answer depends on the origin: shared caches must not reuse one origin's answer for another.
    res.vary('Origin');
    handler(req, res, next);
  };
}

/** A fixed one-minute window per key; the refusal is a problem like every other error. */
function rateLimiter(perMinute: number, logger: Logger): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => (req.actor ? `actor:${req.actor.id}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`),
    handler: (req, _res, next) => {
      const resetTime = (req as Request & { rateLimit?: RateLimitInfo }).rateLimit?.resetTime?.getTime();
      const retryAfterSeconds = Math.max(1, Math.ceil(((resetTime ?? Date.now() + 60_000) - Date.now()) / 1000));
      next(
        new Problem(429, 'RATE_LIMITED', 'too many requests; retry after the time in Retry-After', {
          retryAfterSeconds,
        }),
      );
    },
    logger: {
      error: (error, message) => logger.error({ err: error }, message ?? 'rate limiter error'),
      warn: (error, message) => logger.warn({ err: error }, message ?? 'rate limiter warning'),
    },
  });
}
