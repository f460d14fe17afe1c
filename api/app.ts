import { type Client } from '@temporalio/client';
import cors from 'cors';
import express, { type Express, type Request, type RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type RateLimitInfo } from 'express-rate-limit';
import helmet from 'helmet';
import { type Logger } from 'pino';
import swaggerUi from 'swagger-ui-express';
import { identify, requireActor, type Authenticator } from './auth';
import { bodyGuard, byteLimit, jsonMediaTypes } from './bodies';
import { eventLogContext, httpLogger, REQUEST_ID_HEADER } from './logging';
import { createApiMetrics, type ApiMetrics } from './metrics';
import { optionsAnswer, unmatchedRoute } from './methods';
import { createReadinessCheck, opsRouter, type ReadinessCheck } from './ops';
import { buildOpenApiDocument } from './openapi';
import { Problem, problemHandler } from './problems';
import { eventsRouter } from './routes/events';
import { inboxRouter } from './routes/inbox';
import { programsRouter } from './routes/programs';
import { defaultReportsDir, reportRouter } from './routes/report';
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

/** The operations endpoints (`/healthz`, `/readyz`, `/metrics`); every field is optional. */
export interface OpsOptions {
  /** Bound on one readiness check. Default 2000 ms. */
  readinessTimeoutMs?: number;
  /** How long a readiness result is reused. Default 1000 ms. */
  readinessCacheMs?: number;
  /** When set, `/metrics` needs `Authorization: Bearer <token>`. */
  metricsToken?: string;
}

export interface AppDeps extends HttpOptions, OpsOptions {
  client: Client;
  authenticator: Authenticator;
  templates: TemplateStore;
  logger: Logger;
  taskQueue: string;
  namespace: string;
  /** The Temporal Web UI's base URL: events then carry `links.ui`. */
  temporalUiUrl?: string;
  /** The metrics registry; `startApi` passes the one whose interceptor counts its Temporal calls. */
  metrics?: ApiMetrics;
  /** The readiness check; by default one over the client's connection. */
  readiness?: ReadinessCheck;
  /** Where after-action reports are stored (`REPORTS_DIR`); `data/reports` by default. */
  reportsDir?: string;
}

export const defaultRateLimitPerMinute = 600;
export const defaultBodyLimit = '1mb';

/** The Express app, apart from `listen`, so tests build the real thing on the real server. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', deps.trustProxy ?? false);
  const metrics = deps.metrics ?? createApiMetrics();
  // First, so that every request is counted and timed, whatever answers it.
  app.use(metrics.httpMiddleware);
  app.use(helmet());
  app.use(httpLogger(deps.logger));
  app.use('/events/:eventId', eventLogContext);
  if (deps.corsOrigins?.length) app.use(corsFor(deps.corsOrigins));

  // Probes and scrapers hold no token: before authentication and rate limiting.
  app.use(
    opsRouter({
      readiness:
        deps.readiness ??
        createReadinessCheck({
          connection: deps.client.connection,
          namespace: deps.namespace,
          logger: deps.logger,
          metrics,
          ...(deps.readinessTimeoutMs !== undefined ? { timeoutMs: deps.readinessTimeoutMs } : {}),
          ...(deps.readinessCacheMs !== undefined ? { cacheMs: deps.readinessCacheMs } : {}),
        }),
      metrics,
      ...(deps.metricsToken ? { metricsToken: deps.metricsToken } : {}),
    }),
  );

  // Who is calling, before counting: the limiter keys on the actor, or on the IP when there is none.
  app.use(identify(deps.authenticator));
  app.use(rateLimiter(deps.rateLimitPerMinute ?? defaultRateLimitPerMinute, deps.logger));

  const openapi = buildOpenApiDocument();
  app.get('/openapi.json', (_req, res) => void res.json(openapi));
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openapi));

  app.use(requireActor);
  app.use(optionsAnswer(app));
  // Bodies are read only for authenticated callers, and only JSON within the limit: the rest is refused unread.
  const bodyLimitBytes = byteLimit(deps.bodyLimit ?? defaultBodyLimit);
  app.use(bodyGuard(bodyLimitBytes));
  app.use(express.json({ limit: bodyLimitBytes, strict: true, type: jsonMediaTypes }));
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
  app.use(reportRouter({ client: deps.client, reportsDir: deps.reportsDir ?? defaultReportsDir }));
  app.use(inboxRouter({ client: deps.client }));
  app.use(programsRouter({ client: deps.client, taskQueue: deps.taskQueue }));
  app.use(unmatchedRoute(app));
  app.use(problemHandler);
  return app;
}

/** CORS for the listed origins only; any other origin gets no `Access-Control-*` header, preflight or not. */
function corsFor(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  const handler = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    methods: ['GET', 'POST'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', REQUEST_ID_HEADER],
    exposedHeaders: ['Location', 'Retry-After', 'RateLimit', 'RateLimit-Policy', REQUEST_ID_HEADER],
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
