import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../scripts/temporal-server';
import { interrupt, shutDown, spawnTs, type Spawned } from '../support/processes';

/** The worker's SDK core metrics: on their own endpoint (`npm run worker`), and inside the API's (`npm start`). */

const launched: Spawned[] = [];
let dir: string | undefined;
afterAll(async () => {
  await shutDown(launched);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const temporalEnv = () => ({
  TEMPORAL_ADDRESS: inject('temporalAddress'),
  TEMPORAL_NAMESPACE: inject('temporalNamespace'),
  TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
});

/** Polls a metrics endpoint until `check` passes (the core exports what it has seen so far). */
async function metricsUntil(url: string, check: (text: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  for (;;) {
    try {
      text = await (await fetch(url, { signal: AbortSignal.timeout(2_000) })).text();
    } catch {
      text = '';
    }
    if (check(text) || Date.now() > deadline) return text;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('worker metrics', () => {
  it('npm run worker serves the SDK core metrics on WORKER_METRICS_ADDRESS, and logs JSON', async () => {
    const port = await freePort();
    const worker = spawnTs('worker/main.ts', {
      ...temporalEnv(),
      WORKER_METRICS_ADDRESS: `127.0.0.1:${port}`,
      LOG_PRETTY: '0',
    });
    launched.push(worker);
    await worker.waitFor('worker polling task queue');

    const text = await metricsUntil(`http://127.0.0.1:${port}/metrics`, (t) => /^temporal_num_pollers\{/m.test(t));
    expect(text).toMatch(/^# TYPE temporal_worker_start counter$/m);
    expect(text).toMatch(/^temporal_num_pollers\{.*poller_type="workflow_task".*\} \d/m);
    expect(text).toMatch(/^temporal_worker_task_slots_available\{/m);

    // Every line it wrote is one JSON object: the SDK's own lines go through the same pino logger.
    const lines = worker.output().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    expect(worker.output()).toContain('"name":"readiness-worker"');
  });

  it('refuses a WORKER_METRICS_ADDRESS that is not ip:port at start, naming the variable', async () => {
    const worker = spawnTs('worker/main.ts', { ...temporalEnv(), WORKER_METRICS_ADDRESS: 'localhost:9464' });
    launched.push(worker);
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toContain('WORKER_METRICS_ADDRESS: must be ip:port');
  });

  it("npm start serves the API's and the in-process worker's metrics on one /metrics", async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'readiness-metrics-'));
    const apiPort = await freePort();
    const stack = spawnTs('scripts/dev.ts', {
      ...temporalEnv(),
      DATA_DIR: path.join(dir, 'data'),
      API_PORT: String(apiPort),
      LOG_LEVEL: 'warn',
    });
    launched.push(stack);
    await stack.waitFor('Press Ctrl-C to stop.');
    const api = `http://127.0.0.1:${apiPort}`;
    expect(stack.output()).toContain(`Metrics       ${api}/metrics`);
    await fetch(`${api}/healthz`);

    const text = await metricsUntil(`${api}/metrics`, (t) => /^temporal_num_pollers\{/m.test(t));
    expect(text).toContain('http_requests_total{method="GET",route="/healthz",status_code="200"}');
    expect(text).toContain('readiness_api_worker_metrics_up 1');
    expect(text).toMatch(/^temporal_num_pollers\{.*poller_type="workflow_task".*\} \d/m);
    // Each metric family once: the two texts share no name.
    const families = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]);
    expect(new Set(families).size).toBe(families.length);

    // A clean Ctrl-C of npm start is the launcher test's; here it only has to go.
    interrupt(stack);
    await stack.exited;
  });
});
