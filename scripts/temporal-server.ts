import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { allSearchAttributeKeys, searchAttributeCliArgs } from '../workflows/search-attributes';
import { ensureTemporalCli } from './temporal-cli';

export type TemporalDevServerOptions = {
  /** SQLite file; omit for an in-memory server. */
  dbFile?: string;
  /** Bind address; default 127.0.0.1. */
  ip?: string;
  /** gRPC port; default a free port. */
  port?: number;
  /** Web UI port; false runs headless; default a free port. */
  uiPort?: number | false;
  /** Default 'default'. */
  namespace?: string;
  /** `--dynamic-config-value` entries, e.g. `{ 'limit.historyCount.suggestContinueAsNew': 50 }`. */
  dynamicConfig?: Record<string, string | number | boolean>;
  log?: (line: string) => void;
};

export type TemporalDevServer = {
  address: string;
  namespace: string;
  uiUrl?: string;
  pid?: number;
  stop(): Promise<void>;
};

// A restart on an existing SQLite file replays state and can take a while.
const READY_TIMEOUT_MS = 30_000;
const PROBE_TIMEOUT_MS = 2_000;
const POLL_INTERVAL_MS = 250;
const STOP_GRACE_MS = 10_000;
const STDERR_TAIL_LINES = 30;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not read a free port'))));
    });
  });
}

export async function startTemporalDevServer(options: TemporalDevServerOptions = {}): Promise<TemporalDevServer> {
  const log = options.log ?? (() => undefined);
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const port = options.port ?? (await freePort());
  const uiPort = options.uiPort === false ? undefined : (options.uiPort ?? (await distinctFreePort(port)));
  const dynamicConfigArgs = Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => [
    '--dynamic-config-value',
    // The CLI parses each value as JSON, so strings need their quotes.
    `${key}=${JSON.stringify(value)}`,
  ]);
  if (options.dbFile) fs.mkdirSync(path.dirname(path.resolve(options.dbFile)), { recursive: true });

  const cli = await ensureTemporalCli({ log });
  const host = connectHost(ip);
  const uiUrl = uiPort === undefined ? undefined : `http://${host}:${uiPort}`;

  if (cli.kind === 'sdk-download') {
    // Loaded lazily: it pulls in the native core bridge, which the CLI path never needs.
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    log('no Temporal CLI or Go found; starting the SDK-downloaded dev server');
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        ip,
        port,
        ui: uiPort !== undefined,
        uiPort,
        dbFilename: options.dbFile,
        namespace,
        searchAttributes: allSearchAttributeKeys,
        extraArgs: dynamicConfigArgs,
        log: { format: 'pretty', level: 'warn' },
      },
    });
    let stopping: Promise<void> | undefined;
    return { address: env.address, namespace, uiUrl, stop: () => (stopping ??= env.teardown()) };
  }

  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(port),
    ...(uiPort === undefined ? ['--headless'] : ['--ui-port', String(uiPort)]),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    '--namespace',
    namespace,
    '--log-level',
    'warn',
    ...searchAttributeCliArgs(),
    ...dynamicConfigArgs,
  ];
  log(`starting ${cli.path} ${args.join(' ')}`);
  // Its own process group: a terminal's Ctrl-C reaches only us, and we stop the server last,
  // after the worker and API have drained, instead of racing them.
  const child = spawn(cli.path, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });

  const stderrTail: string[] = [];
  // Once we are stopping, the server's own shutdown chatter (dial errors of its internal clients) is noise.
  let quiet = false;
  relayLines(child.stdout, (line) => quiet || log(`[temporal] ${line}`));
  relayLines(child.stderr, (line) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
    if (!quiet) log(`[temporal] ${line}`);
  });

  let exitDescription: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      exitDescription ??= `failed to start: ${error.message}`;
      resolve();
    });
    child.once('exit', (code, signal) => {
      exitDescription ??= `exited with ${signal ?? `code ${code}`}`;
      resolve();
    });
  });
  const isRunning = (): boolean => exitDescription === undefined;
  // process 'exit' handlers must be synchronous: SIGKILL is the only thing that fits.
  const killOnExit = (): void => {
    if (isRunning()) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (isRunning()) {
        quiet = true;
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const graceful = await Promise.race([
          exited.then(() => true),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STOP_GRACE_MS))),
        ]);
        clearTimeout(timer);
        if (!graceful) {
          log('Temporal dev server ignored SIGTERM; sending SIGKILL');
          child.kill('SIGKILL');
          await exited;
        }
      }
      process.off('exit', killOnExit);
    })());

  const address = `${host}:${port}`;
  try {
    await waitUntilReady(address, namespace, () => exitDescription);
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Temporal dev server at ${address} did not become ready: ${reason}\n` +
        `Last stderr lines:\n${stderrTail.map((line) => `  ${line}`).join('\n') || '  (none)'}`,
    );
  }
  log(`Temporal dev server ready at ${address}${uiUrl ? `, UI ${uiUrl}` : ''}`);
  return { address, namespace, uiUrl, pid: child.pid, stop };
}

/** Ready means the namespace answers and every search attribute is registered, since workflows upsert them at once. */
async function waitUntilReady(address: string, namespace: string, exitDescription: () => string | undefined) {
  const names = allSearchAttributeKeys.map((key) => key.name);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  // Lazy rather than Connection.connect: one channel for every probe, closed below; a rejected connect()
  // would leave its channel open with no handle to close it.
  const connection = Connection.lazy({ address, connectTimeout: PROBE_TIMEOUT_MS });
  let lastError = 'no attempt yet';
  try {
    for (;;) {
      const exited = exitDescription();
      if (exited) throw new Error(`the server process ${exited}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${READY_TIMEOUT_MS / 1000}s (${lastError})`);
      try {
        const missing = await connection.withDeadline(Date.now() + PROBE_TIMEOUT_MS, async () => {
          await connection.workflowService.describeNamespace({ namespace });
          const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
          return names.filter((name) => !(customAttributes && name in customAttributes));
        });
        if (missing.length === 0) return;
        lastError = `search attributes not yet registered: ${missing.join(', ')}`;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
      await delay(POLL_INTERVAL_MS);
    }
  } finally {
    await connection.close();
  }
}

async function distinctFreePort(taken: number): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port !== taken) return port;
  }
}

/** A wildcard bind address is not something a client can dial. */
function connectHost(ip: string): string {
  if (ip === '0.0.0.0') return '127.0.0.1';
  if (ip === '::') return '[::1]';
  return ip.includes(':') ? `[${ip}]` : ip;
}

function relayLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line);
  });
  stream.on('end', () => {
    if (pending.trim()) onLine(pending);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
