import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { mintDevToken } from '../api/auth';
import { loadApiConfig } from '../api/config';
import { createLogger } from '../api/logger';
import { startApi } from '../api/server';
import {
  connectionOptions,
  dataConverterOf,
  logOptionsOf,
  parseBindAddress,
  parseConfig,
  temporalConfigSchema,
} from '../config/temporal';
import { createWorkerActivities } from '../worker/activities';
import { createEventWorker, installWorkerRuntime } from '../worker/worker';
import { freePort, startTemporalDevServer, type TemporalDevServer } from './temporal-server';

/**
 * `npm start`: the whole engine on one machine. Starts the Temporal dev
 * server on an SQLite file under data/ (unless TEMPORAL_ADDRESS names a
 * cluster), the worker and the API in this process, and prints what a new
 * user needs. Ctrl-C stops all of it.
 */

const repoRoot = path.resolve(__dirname, '..');
const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(repoRoot, 'data'));

/** Kept under data/ so the printed tokens stay valid across restarts. */
function devSecret(): string {
  const file = path.join(dataDir, 'dev-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

const envName = (personId: string) => `TOKEN_${personId.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;

/** Where a client dials a bind address: a wildcard is not something to dial. */
function dialHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  // Pretty logs in this launcher unless LOG_PRETTY says otherwise.
  const env = { LOG_PRETTY: 'true', ...process.env };
  // The shared settings first, so a bad value stops us before anything starts.
  const early = parseConfig(temporalConfigSchema, env);
  const workerLogger = createLogger({ ...logOptionsOf(early), name: 'readiness-worker' });
  // The worker's SDK core metrics: on WORKER_METRICS_ADDRESS, or a free loopback port; the API's /metrics
  // appends them, so this one process is one scrape target. Installed before anything native starts.
  const metricsAddress = early.WORKER_METRICS_ADDRESS ?? `127.0.0.1:${await freePort()}`;
  const bind = parseBindAddress(metricsAddress)!;
  installWorkerRuntime({ logger: workerLogger, metricsAddress });
  const workerMetricsUrl = `http://${dialHost(bind.host)}:${bind.port}/metrics`;

  const external = Boolean(process.env.TEMPORAL_ADDRESS);
  let server: TemporalDevServer | undefined;
  if (!external) {
    console.log(`Starting the Temporal dev server (state in ${path.join(dataDir, 'temporal.db')}) …`);
    server = await startTemporalDevServer({
      dbFile: path.join(dataDir, 'temporal.db'),
      port: Number(process.env.TEMPORAL_DEV_PORT ?? 7233),
      uiPort: Number(process.env.TEMPORAL_UI_PORT ?? 8233),
      log: (line) => console.log(line),
    });
  }
  const productionAuth = Boolean(process.env.AUTH_JWT_SECRET || process.env.AUTH_JWKS_URL);
  const config = loadApiConfig({
    ...env,
    ...(server ? { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace } : {}),
    ...(server?.uiUrl ? { TEMPORAL_UI_URL: server.uiUrl } : {}),
    ...(productionAuth ? {} : { AUTH_MODE: 'dev', AUTH_DEV_SECRET: devSecret() }),
  });

  const connection = await NativeConnection.connect(connectionOptions(config));
  // The API's pino setup (level, pretty output under `npm start`), named for the worker.
  const workerActivities = createWorkerActivities(config, workerLogger);
  const worker = await createEventWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    dataConverter: dataConverterOf(config),
    activities: workerActivities.activities,
  });
  const workerRun = worker.run();
  const api = await startApi(config, { workerMetricsUrl });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the API, the worker and the Temporal server …`);
    await api.close();
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await workerRun.catch(() => undefined);
    await workerActivities.close();
    await connection.close();
    await server?.stop();
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  workerRun.catch(async (error: unknown) => {
    console.error('worker failed:', error);
    await stop('worker failure');
  });

  const lines = [
    '',
    'Readiness engine is up.',
    `  API           ${api.url}`,
    `  OpenAPI       ${api.url}/openapi.json  (browse: ${api.url}/docs)`,
    `  Health        ${api.url}/healthz, ${api.url}/readyz`,
    `  Metrics       ${api.url}/metrics  (API and worker)`,
    ...(config.TEMPORAL_UI_URL ? [`  Temporal UI   ${config.TEMPORAL_UI_URL}`] : []),
    `  Temporal      ${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE}${external ? ', external' : ', embedded'})`,
    `  Templates     ${api.templates
      .list()
      .map((t) => t.template.id)
      .join(', ')}`,
  ];
  if (config.AUTH_MODE === 'dev') {
    const exports: string[] = [];
    lines.push('', 'Demo credentials (dev mode; tokens valid 7 days; also in data/dev-tokens.env):');
    const seen = new Set<string>();
    for (const { template } of api.templates.list()) {
      for (const person of template.people) {
        if (seen.has(person.id)) continue;
        seen.add(person.id);
        const token = await mintDevToken(person, {
          secret: config.AUTH_DEV_SECRET!,
          issuer: config.AUTH_ISSUER,
          audience: config.AUTH_AUDIENCE,
          expiresIn: '7d',
          // The demo viewer gets program-wide read, to show the whole event read-only.
          ...(person.roles.includes('viewer') ? { programs: ['*'] } : {}),
        });
        const who = [...person.roles, ...person.units.map((u) => `unit:${u}`)].join(', ');
        lines.push(
          `  # ${person.name} (${person.id}) — ${who || 'no roles'}`,
          `  export ${envName(person.id)}=${token}`,
        );
        exports.push(`# ${person.name} — ${who}`, `export ${envName(person.id)}=${token}`);
      }
    }
    writeFileSync(path.join(dataDir, 'dev-tokens.env'), `${exports.join('\n')}\n`, { mode: 0o600 });
    lines.push(
      '',
      `Load them all: source ${path.relative(process.cwd(), path.join(dataDir, 'dev-tokens.env')) || 'data/dev-tokens.env'}`,
    );
  }
  lines.push('', 'Press Ctrl-C to stop.', '');
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
