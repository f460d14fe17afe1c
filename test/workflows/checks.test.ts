import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBlockingList, planTemplateSchema, SYSTEM_CHECKS, toEventView } from '../../domain';
import { createReadinessCheckActivities } from '../../activities/readiness-checks';
import { stateQuery } from '../../workflows/definitions';
import { throughRehearsal } from '../domain/scenario';
import { sendSteps, startTinyEvent } from '../support/events';
import { lifecycleTemplateInput } from '../support/fixtures';
import {
  connectTestTemporal,
  eventually,
  uniqueEventId,
  type RunningWorker,
  type TestTemporal,
} from '../support/temporal';

/**
 * Automated checks on a real server, with the real check activity probing a
 * real HTTP endpoint on loopback and reporting back through the update: the
 * endpoint's health drives the item through done, reopened and done again.
 */
let temporal: TestTemporal;
let worker: RunningWorker;
let server: Server;
let healthy = true;
let probes = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    probes++;
    res.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' }).end(healthy ? 'ok' : 'down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  temporal = await connectTestTemporal();
  const logger = { info: () => undefined, warn: () => undefined };
  worker = await temporal.startWorker({
    activities: createReadinessCheckActivities({ logger, client: temporal.client }),
  });
});
afterAll(async () => {
  await temporal?.close();
  await new Promise((resolve) => server?.close(resolve));
});

function checkedTemplate() {
  const input = lifecycleTemplateInput();
  const { port } = server.address() as AddressInfo;
  input.items.find((i) => i.id === 'cyber.pentest')!.check = {
    kind: 'http',
    url: `http://127.0.0.1:${port}/health`,
    every: { seconds: 1 },
  };
  return planTemplateSchema.parse(input);
}

const future = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe('an item with an automated check', () => {
  it('is completed by a passing check, reopened when its endpoint turns unhealthy during readiness, and completed again when it recovers', async () => {
    healthy = true;
    const eventId = uniqueEventId('checks');
    const handle = await startTinyEvent(temporal.client, temporal.taskQueue, eventId, {
      template: checkedTemplate(),
      window: { start: future(30), end: future(31), timeZone: 'Asia/Ho_Chi_Minh' },
    });
    const pentest = async () => (await handle.query(stateQuery)).items['cyber.pentest']!;

    expect(await eventually(pentest, (item) => item.status === 'done')).toMatchObject({ completedBy: SYSTEM_CHECKS });
    await sendSteps(handle, throughRehearsal);
    expect((await handle.query(stateQuery)).phase).toBe('readiness');

    healthy = false;
    expect(await eventually(pentest, (item) => item.status === 'blocked')).toMatchObject({
      blocked: { by: SYSTEM_CHECKS },
    });
    const state = await handle.query(stateQuery);
    const now = new Date().toISOString();
    expect((await pentest()).check).toMatchObject({
      regressions: 1,
      last: { ok: false, code: 'HTTP_STATUS_MISMATCH' },
    });
    expect(launchBlockingList(state, now).map((e) => [e.key, e.kind])).toEqual([['item:cyber.pentest', 'check']]);
    expect(toEventView(state, now).launchBlocking[0]?.reason).toMatch(/^HTTP_STATUS_MISMATCH/);
    const alert = await eventually(
      () => Promise.resolve(worker.notifications.find((n) => n.eventId === eventId && n.kind === 'checkRegressed')),
      (found) => found !== undefined,
    );
    expect(alert?.to).toEqual({ units: ['cyber'], roles: ['duty-officer', 'office-chief'] });

    healthy = true;
    expect(await eventually(pentest, (item) => item.status === 'done')).toMatchObject({ completedBy: SYSTEM_CHECKS });
    expect(probes).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
