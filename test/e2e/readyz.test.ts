import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startTemporalDevServer, type TemporalDevServer } from '../../scripts/temporal-server';
import { shutDown, spawnTs, type Spawned } from '../support/processes';

/**
 * `npm run api` against a Temporal server of its own (not the run's shared one, which it stops and
 * restarts): /readyz follows the server down and back up, in the same API process, over the same
 * gRPC connection, which must reconnect by itself.
 */

interface Answer {
  status: number;
  body: { status?: unknown; code?: string; failed?: string[] };
}

async function readyz(api: string): Promise<Answer> {
  const res = await fetch(`${api}/readyz`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

/** Polls until the answer has the wanted status; fails with the last answer after the deadline. */
async function until(api: string, status: number, deadlineMs: number): Promise<{ answer: Answer; afterMs: number }> {
  const started = Date.now();
  let answer: Answer | undefined;
  while (Date.now() - started < deadlineMs) {
    answer = await readyz(api);
    if (answer.status === status) return { answer, afterMs: Date.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`/readyz did not answer ${status} within ${deadlineMs} ms; last: ${JSON.stringify(answer)}`);
}

describe('GET /readyz across a Temporal outage', () => {
  let dir: string | undefined;
  let server: TemporalDevServer | undefined;
  let api: Spawned | undefined;
  afterAll(async () => {
    if (api) await shutDown([api]);
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('turns 503 when the server stops and 200 again when it is back, without restarting the API', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'readiness-readyz-'));
    // A file, so the namespace and its search attributes outlive the restart as a real cluster's would.
    const dbFile = path.join(dir, 'temporal.db');
    const port = await freePort();
    server = await startTemporalDevServer({ dbFile, port, uiPort: false });

    const apiPort = await freePort();
    const url = `http://127.0.0.1:${apiPort}`;
    api = spawnTs('api/main.ts', {
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: server.namespace,
      API_PORT: String(apiPort),
      AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
      READINESS_CACHE_MS: '500',
      READINESS_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'info',
    });
    await api.waitFor('API listening');
    const pid = api.child.pid;

    const up = await until(url, 200, 15_000);
    expect(up.answer.body).toMatchObject({ status: 'ready' });

    await server.stop();
    const down = await until(url, 503, 10_000);
    expect(down.answer.body).toMatchObject({ code: 'TEMPORAL_UNREACHABLE', failed: ['TEMPORAL_UNREACHABLE'] });
    // Liveness is not readiness: the process stays up (nothing to gain from restarting it).
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    // Some outage before the server is back, so the channel really has to reconnect.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await readyz(url)).status).toBe(503);

    server = await startTemporalDevServer({ dbFile, port, uiPort: false });
    const back = await until(url, 200, 30_000);
    expect(back.answer.body).toMatchObject({ status: 'ready' });
    // The same process all along, and its log tells the story (transitions only, each once).
    expect(api.child.exitCode).toBeNull();
    expect(api.child.pid).toBe(pid);
    // Log lines reach us asynchronously: wait for the transition back rather than count lines at once.
    await api.waitFor('"msg":"not ready"', 10_000);
    const started = api;
    const output = () => started.output();
    const readyAgain = () => output().lastIndexOf('"msg":"ready: ') > output().indexOf('"msg":"not ready"');
    for (let waited = 0; !readyAgain() && waited < 10_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(readyAgain(), api.output().slice(-3000)).toBe(true);

    // The metrics saw it too: failed attempts of the API's Temporal client while the server was away.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('readiness_api_ready 1');
    expect(metrics).toMatch(
      /readiness_api_temporal_rpc_total\{method="GetSystemInfo",code="(UNAVAILABLE|DEADLINE_EXCEEDED)"\} [1-9]/,
    );
    console.log(`readyz: 503 after ${down.afterMs} ms of outage, 200 again ${back.afterMs} ms after the restart`);
  });
});
