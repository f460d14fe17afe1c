import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { apiGrpcInterceptors } from '../config/grpc';
import { connectionOptions, dataConverterOf } from '../config/temporal';
import { createApp } from './app';
import { createAuthenticator } from './auth';
import { authConfigOf, httpOptionsOf, type ApiConfig } from './config';
import { createLogger } from './logger';
import { loadTemplateStore, type TemplateStore } from './templates';

export interface RunningApi {
  url: string;
  templates: TemplateStore;
  close(): Promise<void>;
}

/** Connects to Temporal, builds the app and listens. Used by `npm run api` and the dev launcher. */
export async function startApi(config: ApiConfig): Promise<RunningApi> {
  const logger = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY === 'true' });
  const templates = loadTemplateStore(config.TEMPLATES_DIR);
  const connection = await Connection.connect({ ...connectionOptions(config), interceptors: apiGrpcInterceptors() });
  const dataConverter = dataConverterOf(config);
  const client = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    ...(dataConverter ? { dataConverter } : {}),
  });
  const app = createApp({
    client,
    authenticator: createAuthenticator(authConfigOf(config)),
    templates,
    logger,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    namespace: config.TEMPORAL_NAMESPACE,
    ...(config.TEMPORAL_UI_URL ? { temporalUiUrl: config.TEMPORAL_UI_URL } : {}),
    ...httpOptionsOf(config),
  });
  const server = app.listen(config.API_PORT, config.API_HOST);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = config.PUBLIC_URL ?? `http://${config.API_HOST}:${port}`;
  logger.info({ url }, 'API listening');
  return {
    url,
    templates,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connection.close();
    },
  };
}
