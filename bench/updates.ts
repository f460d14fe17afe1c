import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import supertest from 'supertest';
import { createApp } from '../api/app';
import { createAuthenticator, mintDevToken } from '../api/auth';
import { checkTemplate } from '../api/templates';
import { eventWindowSchema } from '../domain';
import { dataConverterOf } from '../config/temporal';
import { startTemporalDevServer } from '../scripts/temporal-server';
import { generatedTemplateInput } from '../test/support/fixtures';
import {
  completeItemUpdate,
  eventWorkflowId,
  eventWorkflowType,
  type EventWorkflowInput,
} from '../workflows/definitions';
import { createEventWorker } from '../worker/worker';
import { incrementUpdate } from './workflows/raw';

/**
 * Latency of one human action, three ways, in the same run on the same
 * server: a raw Temporal update on a do-nothing workflow (the floor), the
 * event workflow's completeItem update through the client, and the same
 * action through the HTTP API. Absolute times on shared machines are noise;
 * the ratios are the result. Usage: npm run bench [-- N]
 */
const N = Number(process.argv[2] ?? 200);

const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p95: at(0.95) };
};

async function time(n: number, action: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await action(i);
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

async function main(): Promise<void> {
  const server = await startTemporalDevServer({ uiPort: false });
  const connection = await Connection.connect({ address: server.address });
  const native = await NativeConnection.connect({ address: server.address });
  // The engine's own data converter (gzip compression), as in production.
  const dataConverter = dataConverterOf({ PAYLOAD_COMPRESSION: 'gzip' });
  const client = new Client({ connection, namespace: server.namespace, ...(dataConverter ? { dataConverter } : {}) });
  const rawWorker = await Worker.create({
    connection: native,
    namespace: server.namespace,
    taskQueue: 'bench-raw',
    workflowsPath: path.resolve(__dirname, 'workflows/raw.ts'),
  });
  const eventWorker = await createEventWorker({
    connection: native,
    namespace: server.namespace,
    taskQueue: 'bench-event',
    ...(dataConverter ? { dataConverter } : {}),
    activities: { notify: () => Promise.resolve({ channels: { log: 'written' } }) },
  });
  const templateInput = generatedTemplateInput(N * 2 + 10);
  const check = checkTemplate(templateInput);
  if (!check.ok) throw new Error('bench template invalid');
  const window = eventWindowSchema.parse({
    start: '2027-11-09T01:00:00Z',
    end: '2027-11-15T10:00:00Z',
    timeZone: 'Asia/Ho_Chi_Minh',
  });
  const secret = randomBytes(32).toString('hex');
  const auth = { issuer: 'bench', audience: 'bench', clockToleranceSeconds: 5 };
  const app = createApp({
    client,
    authenticator: createAuthenticator({ mode: 'hs256', secret, ...auth }),
    templates: { get: () => check.loaded, list: () => [check.loaded] },
    logger: pino({ level: 'silent' }),
    taskQueue: 'bench-event',
    namespace: server.namespace,
    rateLimitPerMinute: 1_000_000,
  });
  const mai = check.loaded.template.people.find((p) => p.id === 'office.mai')!;
  const token = await mintDevToken(mai, { secret, ...auth, expiresIn: '1h' });
  const start = (eventId: string) =>
    client.workflow.start(eventWorkflowType, {
      workflowId: eventWorkflowId(eventId),
      taskQueue: 'bench-event',
      args: [
        {
          kind: 'start',
          eventId,
          template: check.loaded.template,
          templateHash: check.loaded.hash,
          window,
          createdBy: 'planner.linh',
        } satisfies EventWorkflowInput,
      ],
    });
  const item = (i: number) => `gen.item-${String(i + 1).padStart(4, '0')}`;

  const results = await Promise.all([
    rawWorker.runUntil(async () => {
      return eventWorker.runUntil(async () => {
        const raw = await client.workflow.start('rawCounterWorkflow', {
          workflowId: 'bench-raw',
          taskQueue: 'bench-raw',
        });
        const direct = await start('bench-direct');
        await start('bench-http');
        const request = supertest(app);
        // Warm-up: first tasks, caches and JIT.
        await time(10, () => raw.executeUpdate(incrementUpdate, { args: [1] }));
        const rawMs = await time(N, () => raw.executeUpdate(incrementUpdate, { args: [1] }));
        const directMs = await time(N, (i) =>
          direct.executeUpdate(completeItemUpdate, {
            args: [{ actor: { id: 'office.mai' }, command: { type: 'completeItem', itemId: item(i), evidence: [] } }],
          }),
        );
        const httpMs = await time(N, (i) =>
          request
            .post(`/events/bench-http/items/${item(i)}/complete`)
            .set('Authorization', `Bearer ${token}`)
            .send({})
            .expect(200),
        );
        return { rawMs, directMs, httpMs };
      });
    }),
  ]);
  const { rawMs, directMs, httpMs } = results[0];
  await native.close();
  await connection.close();
  await server.stop();

  const raw = stats(rawMs);
  const direct = stats(directMs);
  const http = stats(httpMs);
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  const rows = [
    ['raw Temporal update (do-nothing workflow)', raw, '1.00', '1.00'],
    [
      'event workflow `completeItem` update (client)',
      direct,
      ratio(direct.median, raw.median),
      ratio(direct.p95, raw.p95),
    ],
    [
      '`POST /events/:id/items/:itemId/complete` (HTTP API)',
      http,
      ratio(http.median, raw.median),
      ratio(http.p95, raw.p95),
    ],
  ] as const;
  const table = [
    '| path | median ms | p95 ms | median ÷ raw | p95 ÷ raw |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(([name, s, m, p]) => `| ${name} | ${s.median.toFixed(1)} | ${s.p95.toFixed(1)} | ${m} | ${p} |`),
  ].join('\n');
  const doc = `# Benchmarks

Produced by \`npm run bench -- ${N}\` on ${new Date().toISOString().slice(0, 10)}: ${N} sequential updates per path, after 10 warm-up updates, against a local dev server started by the run (in-memory), one worker per path in the same process. Absolute times on these shared machines are noise; compare the ratios, measured in the same run.

${table}

What the ratios say: the event workflow validates every request with zod, runs the rules twice (validator and handler), ticks the scheduler, and upserts search attributes when a value changes; the API adds JWT verification, body validation and problem mapping on top of that.
`;
  await writeFile(path.resolve(__dirname, '../docs/benchmarks.md'), doc);
  console.log(table);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
