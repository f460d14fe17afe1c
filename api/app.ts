import { type Client } from '@temporalio/client';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { type Authenticator } from './auth';
import { buildOpenApiDocument } from './openapi';
import { Problem, problemHandler } from './problems';
import { eventsRouter } from './routes/events';
import { type TemplateStore } from './templates';

export interface AppDeps {
  client: Client;
  authenticator: Authenticator;
  templates: TemplateStore;
  logger: Logger;
  taskQueue: string;
  namespace: string;
  temporalUiUrl?: string;
}

/** The Express app, apart from `listen`, so tests build the real thing on the real server. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(helmet());
  app.use(
    pinoHttp({
      logger: deps.logger,
      customProps: (req) => ({ actor: req.actor?.id }),
      // Tokens never reach the logs.
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    }),
  );
  app.use(express.json({ limit: '5mb', strict: true, type: ['application/json', 'application/*+json'] }));

  const openapi = buildOpenApiDocument();
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/openapi.json', (_req, res) => void res.json(openapi));
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openapi));

  app.use(deps.authenticator.middleware);
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
