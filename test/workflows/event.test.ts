import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeItemUpdate, stateQuery } from '../../workflows/definitions';
import { searchAttributes } from '../../workflows/search-attributes';
import { type Step } from '../domain/scenario';
import { completeItem, decideGate, sendStep, startTinyEvent } from '../support/events';
import { evidence } from '../support/fixtures';
import { connectTestTemporal, eventually, uniqueEventId, type TestTemporal } from '../support/temporal';

let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
  await temporal.startWorker();
});
afterAll(async () => temporal?.close());

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return (cause as ApplicationFailure).type ?? undefined;
}

async function acceptedUpdates(handle: WorkflowHandle): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
}

describe('event workflow', () => {
  it('starts in planning with every deadline resolved in the event time zone', async () => {
    const handle = await startTinyEvent(temporal.client, temporal.taskQueue, uniqueEventId('start'));
    const state = await handle.query(stateQuery);
    expect(state.phase).toBe('planning');
    expect(state.items['plan.master']).toMatchObject({ status: 'todo', due: '2026-09-11T10:00:00.000Z' });
    expect(state.gates['plan-approval']).toMatchObject({ status: 'pending', approvals: [] });
  });

  it('completes an item through an update and records the actor from the request', async () => {
    const handle = await startTinyEvent(temporal.client, temporal.taskQueue, uniqueEventId('complete'));
    const result = await completeItem(handle, 'office.mai', { itemId: 'plan.master', note: 'đã ban hành' });
    expect(result).toMatchObject({
      type: 'itemCompleted',
      itemId: 'plan.master',
      item: { status: 'done', completedBy: 'office.mai' },
    });
    const state = await handle.query(stateQuery);
    expect(state.items['plan.master']).toMatchObject({
      status: 'done',
      completedBy: 'office.mai',
      note: 'đã ban hành',
    });
  });

  it('rejects an actor outside the roster in the validator, so the attempt never enters history', async () => {
    const handle = await startTinyEvent(temporal.client, temporal.taskQueue, uniqueEventId('roster'));
    expect(await refusal(completeItem(handle, 'intruder', { itemId: 'plan.master' }))).toBe('NOT_IN_ROSTER');
    expect(await refusal(completeItem(handle, 'police.nam', { itemId: 'plan.master' }))).toBe('NOT_ITEM_OWNER');
    expect(await acceptedUpdates(handle)).toBe(0);
    expect((await handle.query(stateQuery)).items['plan.master']!.status).toBe('todo');
  });

  it('rejects a malformed command sent straight to Temporal', async () => {
    const handle = await startTinyEvent(temporal.client, temporal.taskQueue, uniqueEventId('malformed'));
    const sent = handle.executeUpdate(completeItemUpdate, {
      args: [{ actor: { id: 'office.mai' }, command: { type: 'completeItem', itemId: 42 } as never }],
    });
    expect(await refusal(sent)).toBe('INVALID_COMMAND');
  });

  it('rejects instants past the year 9999 sent straight to Temporal in the validator, so none enters history', async () => {
    const handle = await startTinyEvent(temporal.client, temporal.taskQueue, uniqueEventId('late-instants'));
    // 10000-01-01 in UTC: no RFC 3339 text can carry it.
    const late = '9999-12-31T23:00:00-05:00';
    const steps: Step[] = [
      ['planner.linh', { type: 'requestWaiver', itemId: 'plan.master', justification: 'not needed', expiresAt: late }],
      ['planner.linh', { type: 'reschedule', window: { start: '9999-12-30T00:00:00Z', end: late }, reason: 'later' }],
    ];
    for (const step of steps) {
      expect({ command: step[1].type, code: await refusal(sendStep(handle, step)) }).toEqual({
        command: step[1].type,
        code: 'INSTANT_OUT_OF_RANGE',
      });
    }
    expect(await acceptedUpdates(handle)).toBe(0);
  });

  it('applies an update retried with the same update id only once', async () => {
    const handle = await startTinyEvent(temporal.client, temporal.taskQueue, uniqueEventId('dedupe'));
    const first = await completeItem(handle, 'office.mai', { itemId: 'plan.master' }, 'key-plan-master-1');
    const second = await completeItem(handle, 'office.mai', { itemId: 'plan.master' }, 'key-plan-master-1');
    expect(second).toEqual(first);
    expect(await acceptedUpdates(handle)).toBe(1);
  });

  it('passes the gate with distinct signers, enters preparation and publishes the phase for visibility', async () => {
    const handle = await startTinyEvent(temporal.client, temporal.taskQueue, uniqueEventId('gate'));
    await completeItem(handle, 'office.mai', { itemId: 'plan.master' });
    await completeItem(handle, 'cyber.hung', { itemId: 'plan.cyber', evidence });
    await decideGate(handle, 'head.tuan', { gateId: 'plan-approval', decision: 'approve' });
    expect(await refusal(decideGate(handle, 'head.tuan', { gateId: 'plan-approval', decision: 'approve' }))).toBe(
      'ALREADY_SIGNED',
    );
    const result = await decideGate(handle, 'office.mai', { gateId: 'plan-approval', decision: 'approve' });
    expect(result).toMatchObject({ type: 'gateDecided', phase: 'preparation', gate: { status: 'passed' } });
    const described = await eventually(
      () => handle.describe(),
      (d) => d.typedSearchAttributes.get(searchAttributes.phase) === 'preparation',
    );
    expect(described.typedSearchAttributes.get(searchAttributes.phase)).toBe('preparation');
    expect(described.typedSearchAttributes.get(searchAttributes.percentComplete)).toBeCloseTo(66.7, 1);
    expect(described.typedSearchAttributes.get(searchAttributes.pendingUnits)).toEqual(['police']);
  });
});
