import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateQuery } from '../../workflows/definitions';
import { completeItem, decideGate, startTinyEvent } from '../support/events';
import { evidence } from '../support/fixtures';
import { crash, spawnTs, type Spawned } from '../support/processes';
import { connectTestTemporal, uniqueEventId, type TestTemporal } from '../support/temporal';

let temporal: TestTemporal;
const workers: Spawned[] = [];
beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(async () => {
  await Promise.all(workers.map(crash));
  await temporal?.close();
});

/** `npm run worker` as its own process, on this file's task queue. */
async function startWorkerProcess(): Promise<Spawned> {
  const worker = spawnTs('worker/main.ts', {
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_TASK_QUEUE: temporal.taskQueue,
  });
  workers.push(worker);
  await worker.waitFor('worker polling task queue');
  return worker;
}

describe('a worker killed mid-way', () => {
  it('loses nothing: after kill -9 and a restart the event goes on from where it was', async () => {
    const first = await startWorkerProcess();
    const handle = await startTinyEvent(temporal.client, temporal.taskQueue, uniqueEventId('crash'));
    await completeItem(handle, 'office.mai', { itemId: 'plan.master' });

    expect(await crash(first)).toBeNull();

    // Sent while no worker runs: it waits in Temporal, then completes on the new worker.
    const pending = completeItem(handle, 'cyber.hung', { itemId: 'plan.cyber', evidence });
    await startWorkerProcess();
    await expect(pending).resolves.toMatchObject({ type: 'itemCompleted', gatesOpened: ['plan-approval'] });

    await decideGate(handle, 'head.tuan', { gateId: 'plan-approval', decision: 'approve' });
    await decideGate(handle, 'office.mai', { gateId: 'plan-approval', decision: 'approve' });
    const state = await handle.query(stateQuery);
    expect(state.phase).toBe('preparation');
    expect(state.items['plan.master']).toMatchObject({ status: 'done', completedBy: 'office.mai' });
    expect(state.items['plan.cyber']).toMatchObject({ status: 'done', completedBy: 'cyber.hung' });
  });
});
