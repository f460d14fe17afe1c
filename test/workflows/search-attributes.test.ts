import { type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTemplateSchema } from '../../domain';
import { delegateKey } from '../../domain/inbox';
import { searchAttributeBudgetUse, searchAttributes } from '../../workflows/search-attributes';
import { passAll } from '../domain/scenario';
import { sendSteps, startTinyEvent } from '../support/events';
import { lifecycleTemplateInput } from '../support/fixtures';
import { connectTestTemporal, eventually, uniqueEventId, type TestTemporal } from '../support/temporal';

/** What the event workflow publishes for lists and inboxes, read back from the server. */
let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
  await temporal.startWorker();
});
afterAll(async () => temporal?.close());

const evidenceLink = [{ url: 'https://docs.example.org/runbook.pdf' }];

async function published(handle: WorkflowHandle, ready: (sa: Awaited<ReturnType<typeof read>>) => boolean) {
  return eventually(() => read(handle), ready);
}
async function read(handle: WorkflowHandle) {
  const sa = (await handle.describe()).typedSearchAttributes;
  return {
    phase: sa.get(searchAttributes.phase),
    openIncidents: sa.get(searchAttributes.openIncidents),
    pendingUnits: sa.get(searchAttributes.pendingUnits) ?? [],
    pendingRoles: sa.get(searchAttributes.pendingRoles) ?? [],
    nextDeadline: sa.get(searchAttributes.nextDeadline),
    overdueCount: sa.get(searchAttributes.overdueCount),
  };
}

describe('the search attribute set', () => {
  it("fits SQL visibility's per-namespace budget", () => {
    const use = searchAttributeBudgetUse();
    expect(use.filter((u) => u.used > u.allowed)).toEqual([]);
    expect(use.filter((u) => u.used > 0).map((u) => `${u.used}/${u.allowed} ${u.type}`)).toEqual([
      '3/10 KEYWORD',
      '3/3 KEYWORD_LIST',
      '2/3 INT',
      '1/3 DOUBLE',
      '2/3 DATETIME',
    ]);
  });
});

describe('search attributes of pending work', () => {
  it('publish pending units and roles, delegates, drills, go/no-go and open incidents as the event moves', async () => {
    const start = Date.now() + 120 * 86_400_000;
    const handle = await startTinyEvent(temporal.client, temporal.taskQueue, uniqueEventId('sa'), {
      template: planTemplateSchema.parse(lifecycleTemplateInput()),
      window: {
        start: new Date(start).toISOString(),
        end: new Date(start + 2 * 86_400_000).toISOString(),
        timeZone: 'Asia/Ho_Chi_Minh',
      },
    });
    const initial = await published(handle, (sa) => sa.openIncidents === 0);
    expect(initial).toMatchObject({ phase: 'planning', pendingUnits: ['cyber', 'office', 'police'], pendingRoles: [] });
    expect(initial.overdueCount).toBe(0);
    expect(initial.nextDeadline).toBeInstanceOf(Date);

    const validUntil = new Date(Date.now() + 3_600_000).toISOString();
    await sendSteps(handle, [
      ['office.mai', { type: 'completeItem', itemId: 'plan.master' }],
      ['cyber.hung', { type: 'completeItem', itemId: 'plan.cyber', evidence: evidenceLink }],
      ['head.tuan', { type: 'delegate', to: 'duty.khoa', validUntil }],
    ]);
    const gate = await published(handle, (sa) => sa.pendingRoles.length === 3);
    expect(gate.pendingRoles).toEqual([delegateKey('duty.khoa'), 'office-chief', 'steering-head'].sort());

    await sendSteps(handle, [
      ['duty.khoa', { type: 'signOffGate', gateId: 'plan-approval', decision: 'approve', onBehalfOf: 'head.tuan' }],
      ['office.mai', { type: 'signOffGate', gateId: 'plan-approval', decision: 'approve' }],
      ['police.nam', { type: 'requestWaiver', itemId: 'order.routes', justification: 'Đã bảo đảm' }],
    ]);
    // Preparation: drills await the evaluators and their units; the waiver awaits the covering gate's role.
    const preparation = await published(handle, (sa) => sa.phase === 'preparation' && sa.pendingRoles.length === 2);
    expect(preparation.pendingRoles).toEqual(['evaluator', 'steering-head']);
    expect(preparation.pendingUnits).toEqual(['cyber', 'office', 'police']);

    await sendSteps(handle, [
      ['head.tuan', { type: 'decideWaiver', itemId: 'order.routes', decision: 'approve' }],
      ['head.tuan', { type: 'signOffGate', gateId: 'preparation-complete', decision: 'approve' }],
      passAll('ddos', ['detect', 'failover', 'inform']),
      passAll('power', ['restore']),
      ['head.tuan', { type: 'signOffGate', gateId: 'rehearsal-complete', decision: 'approve' }],
    ]);
    const readiness = await published(handle, (sa) => sa.phase === 'readiness');
    // Go/no-go awaits both roles; head.tuan's delegation (every gate, still in force) lends steering-head.
    expect(readiness).toMatchObject({
      pendingRoles: [delegateKey('duty.khoa'), 'office-chief', 'steering-head'].sort(),
      pendingUnits: ['cyber'],
    });

    await sendSteps(handle, [
      ['duty.khoa', { type: 'reportIncident', incidentType: 'power', severity: 'high', description: 'Mất điện' }],
    ]);
    const incident = await published(handle, (sa) => sa.openIncidents === 1);
    expect(incident.pendingUnits).toEqual(['cyber', 'police']);

    await sendSteps(handle, [
      ['duty.khoa', { type: 'acknowledgeIncident', incidentId: 'inc-1' }],
      ['police.nam', { type: 'updateIncidentStep', incidentId: 'inc-1', stepId: 'generator', outcome: 'done' }],
      ['duty.khoa', { type: 'resolveIncident', incidentId: 'inc-1', resolution: 'Máy phát chạy' }],
    ]);
    const resolved = await published(handle, (sa) => sa.openIncidents === 0);
    expect(resolved.pendingUnits).toEqual(['cyber']);

    await sendSteps(handle, [['planner.linh', { type: 'cancel', reason: 'Hủy' }]]);
    await handle.result();
    const cancelled = await read(handle);
    expect(cancelled).toMatchObject({ phase: 'cancelled', pendingUnits: [], pendingRoles: [], overdueCount: 0 });
    expect(cancelled.nextDeadline).toBeUndefined();
  });
});
