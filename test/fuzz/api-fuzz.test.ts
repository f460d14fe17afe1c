import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http, { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventWorkflowId } from '../../workflows/definitions';
import { programWorkflowId } from '../../workflows/program-definitions';
import { createTestApi, type TestApi } from '../support/api';
import { tinyWindow } from '../support/fixtures';
import { repoRoot } from '../support/processes';
import { connectTestTemporal, uniqueEventId, type TestTemporal } from '../support/temporal';

/**
 * Schema-driven fuzzing of the whole API with schemathesis (PyPI; `scripts/provision-schemathesis.sh`),
 * generated from the served /openapi.json, against the real app on the run's real Temporal server.
 * Checks: no 5xx, every status and every body (problem+json or a 2xx schema) as documented, content
 * types, and — through the hooks in `hooks.py` — that no refused mutating request changed its target.
 */

const run = promisify(execFile);
const CASES_PER_OPERATION = 30;
const MINIMUM_CASES = 1_000;

function schemathesisBinary(): string {
  const fromEnv = process.env.SCHEMATHESIS_PATH;
  if (fromEnv) return fromEnv;
  const venv = path.join(repoRoot, '.tools', 'schemathesis-4.32.5', 'bin', 'schemathesis');
  if (!existsSync(venv)) throw new Error('schemathesis is not installed: run scripts/provision-schemathesis.sh');
  return venv;
}

/** Whether a target exists and, per run, how many updates its workflow accepted. */
async function snapshot(client: Client, [kind, id]: [string, string]) {
  const handle = client.workflow.getHandle(kind === 'program' ? programWorkflowId(id) : eventWorkflowId(id));
  try {
    const description = await handle.describe();
    const history = await handle.fetchHistory();
    const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
    return { exists: true, runId: description.runId, accepted };
  } catch (error) {
    if ((error as Error).name === 'WorkflowNotFoundError') return { exists: false };
    throw error;
  }
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

function close(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

describe('the API under schema-driven fuzzing', () => {
  let temporal: TestTemporal;
  let api: TestApi;
  let apiServer: Server | undefined;
  let oracle: Server | undefined;
  let dir: string | undefined;

  beforeAll(async () => {
    temporal = await connectTestTemporal();
    await temporal.startWorker();
    // Generous limits: the fuzz tests contracts, not the limiter (which has its own tests).
    api = createTestApi(temporal, { rateLimitPerMinute: 1_000_000 });
    dir = await mkdtemp(path.join(tmpdir(), 'readiness-fuzz-'));
  });
  afterAll(async () => {
    await close(apiServer);
    await close(oracle);
    await temporal?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    `answers ${MINIMUM_CASES}+ generated requests of several roles with no 5xx, only documented statuses and bodies, and no refused request changing state`,
    async () => {
      apiServer = http.createServer(api.app);
      const base = await listen(apiServer);
      const planner = await api.as('planner.linh');
      const events = [uniqueEventId('fuzz-a'), uniqueEventId('fuzz-b')];
      const cancellable = uniqueEventId('fuzz-cancel');
      for (const eventId of [...events, cancellable]) {
        const res = await api.request
          .post('/events')
          .set(planner)
          .send({ eventId, template: 'tiny-summit', window: tinyWindow });
        expect(res.status).toBe(201);
      }
      // The second event moves on to preparation, so phase-dependent routes meet both phases.
      const [, second] = events;
      await api.request
        .post(`/events/${second}/items/plan.master/complete`)
        .set(await api.as('office.mai'))
        .send({})
        .expect(200);
      await api.request
        .post(`/events/${second}/items/plan.cyber/complete`)
        .set(await api.as('cyber.hung'))
        .send({ evidence: [{ url: 'https://docs.example.org/plan.pdf' }] })
        .expect(200);

      const people = ['planner.linh', 'office.mai', 'cyber.hung', 'head.tuan', 'viewer.trang', 'admin.root'];
      const tokens = await Promise.all(
        people.map(async (p) => (await api.as(p)).Authorization.slice('Bearer '.length)),
      );
      tokens.push(await api.tokenFor({ id: 'hx.stranger', name: 'Outsider', roles: [], units: ['cyber'] }));

      oracle = http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://oracle');
        const targets = JSON.parse(url.searchParams.get('targets') ?? '[]') as [string, string][];
        Promise.all(targets.map((t) => snapshot(temporal.client, t)))
          .then((snapshots) =>
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(snapshots)),
          )
          .catch((error: Error) => res.writeHead(500).end(error.message));
      });
      const fixture = path.join(dir!, 'fixture.json');
      await writeFile(
        fixture,
        JSON.stringify({
          tokens,
          oracle: await listen(oracle),
          ids: {
            eventId: events,
            cancellableEventId: [cancellable],
            itemId: ['plan.master', 'plan.cyber', 'order.routes'],
            gateId: ['plan-approval', 'preparation-complete'],
          },
        }),
      );

      const started = Date.now();
      const result = await run(
        schemathesisBinary(),
        [
          '--config-file',
          path.join(__dirname, 'schemathesis.toml'),
          'run',
          `${base}/openapi.json`,
          '--url',
          base,
          '--workers',
          '1',
          '--phases',
          'examples,coverage,fuzzing',
          '--checks',
          'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,refused_request_changes_nothing',
          '--max-examples',
          String(CASES_PER_OPERATION),
          '--seed',
          '20261202',
          '--request-timeout',
          '30',
          '--suppress-health-check',
          'all',
          '--no-color',
        ],
        {
          cwd: dir,
          env: { ...process.env, SCHEMATHESIS_HOOKS: 'hooks', PYTHONPATH: __dirname, FUZZ_FIXTURE: fixture },
          maxBuffer: 50_000_000,
          timeout: 15 * 60_000,
        },
      ).catch((error: { stdout?: string; stderr?: string; code?: number }) => error);
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
      const cases = Number(/(\d+) generated/.exec(output)?.[1] ?? 0);
      console.log(
        `fuzz: ${cases} cases over ${/(\d+) (?:selected|operations)/.exec(output)?.[1] ?? '?'} operations in ${Math.round((Date.now() - started) / 1000)} s`,
      );
      // The closing line counts failures and errors when there are any ("1 failure, 8 errors, … in 41s").
      const closing = /=+ (.+) in [\d.]+s =+/.exec(output)?.[1] ?? output.slice(-2_000);
      expect(closing, output.slice(-8_000)).not.toMatch(/failure|error/);
      expect('code' in result ? result.code : 0, output.slice(-8_000)).toBe(0);
      expect(cases).toBeGreaterThanOrEqual(MINIMUM_CASES);
    },
    20 * 60_000,
  );
});
