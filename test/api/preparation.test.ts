import { describe, expect, it } from 'vitest';
import { eventWorkflowId } from '../../workflows/definitions';
import { useTestApi } from '../support/api';
import { evidence, generatedTemplateInput, tinyWindow } from '../support/fixtures';
import { uniqueEventId } from '../support/temporal';

const suite = useTestApi();

async function startEvent(template: unknown = 'tiny-summit', window = tinyWindow) {
  const eventId = uniqueEventId('prep');
  await suite.api.request
    .post('/events')
    .set(await suite.api.as('planner.linh'))
    .send({ eventId, template, window })
    .expect(201);
  return eventId;
}
const post = async (path: string, as: string, body: unknown = {}) =>
  suite.api.request
    .post(path)
    .set(await suite.api.as(as))
    .send(body as object);
const view = async (eventId: string) =>
  (await suite.api.request.get(`/events/${eventId}`).set(await suite.api.as('planner.linh'))).body;
const problem = (res: { status: number; body: { code?: string } }) => ({ status: res.status, code: res.body.code });

describe('the item lifecycle over HTTP', () => {
  it('starts, blocks with a reason shown in the blocker lists, unblocks and completes an item', async () => {
    const eventId = await startEvent();
    expect((await post(`/events/${eventId}/items/order.routes/start`, 'police.nam')).body.item.status).toBe(
      'in_progress',
    );
    const blocked = await post(`/events/${eventId}/items/order.routes/block`, 'police.nam', {
      reason: 'Chưa có phương án phân luồng',
    });
    expect(blocked.body.item).toMatchObject({
      status: 'blocked',
      blocked: { reason: 'Chưa có phương án phân luồng', by: 'police.nam' },
    });
    const during = await view(eventId);
    expect(during.blockers).toEqual([
      expect.objectContaining({ id: 'order.routes', unit: 'police', workGroup: 'order' }),
    ]);
    expect(during.units.find((u: { id: string }) => u.id === 'police').blockers).toHaveLength(1);
    expect(during.workGroups.find((g: { id: string }) => g.id === 'order').blocked).toBe(1);
    expect(problem(await post(`/events/${eventId}/items/order.routes/complete`, 'police.nam'))).toEqual({
      status: 409,
      code: 'ITEM_BLOCKED',
    });
    expect((await post(`/events/${eventId}/items/order.routes/unblock`, 'police.nam')).body.item.status).toBe(
      'in_progress',
    );
    expect((await post(`/events/${eventId}/items/order.routes/complete`, 'police.nam')).status).toBe(200);
    expect((await view(eventId)).blockers).toEqual([]);
  });

  it('waives an item only with another approver, and a waived dependency lets dependants complete', async () => {
    const eventId = await startEvent();
    const asked = await post(`/events/${eventId}/items/plan.master/waiver`, 'office.mai', {
      justification: 'Đã có kế hoạch của năm trước',
    });
    expect(asked.status).toBe(201);
    expect(
      problem(
        await post(`/events/${eventId}/items/plan.master/waiver/decisions`, 'office.mai', { decision: 'approve' }),
      ),
    ).toEqual({
      status: 403,
      code: 'SEPARATION_OF_DUTIES',
    });
    expect(
      problem(
        await post(`/events/${eventId}/items/plan.master/waiver/decisions`, 'cyber.hung', { decision: 'approve' }),
      ),
    ).toEqual({
      status: 403,
      code: 'NOT_WAIVER_APPROVER',
    });
    const approved = await post(`/events/${eventId}/items/plan.master/waiver/decisions`, 'head.tuan', {
      decision: 'approve',
    });
    expect(approved.body.item).toMatchObject({
      status: 'waived',
      waiver: { status: 'approved', requestedBy: 'office.mai', decidedBy: 'head.tuan' },
    });
    expect((await post(`/events/${eventId}/items/plan.cyber/complete`, 'cyber.hung', { evidence })).status).toBe(200);
    expect((await view(eventId)).progress).toMatchObject({ done: 1, waived: 1 });
  });
});

describe('reschedule and cancel', () => {
  it('moves every relative deadline by the shift and refuses anyone but a planner', async () => {
    const eventId = await startEvent();
    const before = await view(eventId);
    // Whole weeks, enough for the new window to lie ahead of the clock (a window that has ended is refused).
    const weekMs = 7 * 86_400_000;
    const shiftMs = (Math.ceil((Date.now() - Date.parse(tinyWindow.start)) / weekMs) + 1) * weekMs;
    const window = {
      start: new Date(Date.parse(tinyWindow.start) + shiftMs).toISOString(),
      end: new Date(Date.parse(tinyWindow.end) + shiftMs).toISOString(),
    };
    expect(
      problem(await post(`/events/${eventId}/reschedule`, 'head.tuan', { window, reason: 'Lùi một tuần' })),
    ).toEqual({ status: 403, code: 'NOT_PLANNER' });
    const res = await post(`/events/${eventId}/reschedule`, 'planner.linh', { window, reason: 'Lùi một tuần' });
    expect(res.status).toBe(200);
    expect(res.body.moved).toHaveLength(3);
    const after = await view(eventId);
    for (const item of before.items as { id: string; due: string }[]) {
      const moved = (after.items as { id: string; due: string }[]).find((i) => i.id === item.id)!;
      expect(Date.parse(moved.due) - Date.parse(item.due)).toBe(shiftMs);
    }
    expect(after.window.start).toBe(window.start);
  });

  it('refuses a reschedule into a window that has already ended with 422 WINDOW_ENDED and moves nothing', async () => {
    const eventId = await startEvent();
    const before = await view(eventId);
    const ended = {
      start: new Date(Date.now() - 2 * 86_400_000).toISOString(),
      end: new Date(Date.now() - 1000).toISOString(),
    };
    const res = await post(`/events/${eventId}/reschedule`, 'planner.linh', { window: ended, reason: 'Lùi lại' });
    expect(problem(res)).toEqual({ status: 422, code: 'WINDOW_ENDED' });
    const after = await view(eventId);
    expect({ window: after.window, items: after.items }).toEqual({ window: before.window, items: before.items });
  });

  it('cancels with a reason, stops the workflow and refuses every later action', async () => {
    const eventId = await startEvent();
    const res = await post(`/events/${eventId}/cancel`, 'planner.linh', {
      reason: 'Hội nghị chuyển sang hình thức trực tuyến',
    });
    expect(res.body).toMatchObject({ type: 'cancelled', cancelled: { by: 'planner.linh' } });
    const description = await suite.temporal.client.workflow.getHandle(eventWorkflowId(eventId)).describe();
    await suite.temporal.client.workflow.getHandle(eventWorkflowId(eventId)).result();
    expect((await suite.temporal.client.workflow.getHandle(eventWorkflowId(eventId)).describe()).status.name).toBe(
      'COMPLETED',
    );
    expect(description.workflowId).toBe(eventWorkflowId(eventId));
    expect((await view(eventId)).phase).toBe('cancelled');
    expect(problem(await post(`/events/${eventId}/items/plan.master/complete`, 'office.mai'))).toEqual({
      status: 409,
      code: 'EVENT_CLOSED',
    });
  });
});

describe('idempotency keys', () => {
  it('returns the first result for the same key and body, and refuses the same key with another body', async () => {
    const eventId = await startEvent();
    const send = async (body: object) =>
      suite.api.request
        .post(`/events/${eventId}/items/plan.master/complete`)
        .set(await suite.api.as('office.mai'))
        .set('Idempotency-Key', 'key-plan-master-0001')
        .send(body);
    const first = await send({ note: 'một' });
    expect((await send({ note: 'một' })).body).toEqual(first.body);
    expect(problem(await send({ note: 'hai' }))).toEqual({ status: 409, code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('dedupes a retried request across continue-as-new runs', async () => {
    const eventId = await startEvent(generatedTemplateInput(90));
    const mai = await suite.api.as('office.mai');
    const keyed = (note: string) =>
      suite.api.request
        .post(`/events/${eventId}/items/gen.item-0001/complete`)
        .set(mai)
        .set('Idempotency-Key', 'retry-across-runs-01')
        .send({ note });
    const first = await keyed('xong');
    expect(first.status).toBe(200);
    const handle = suite.temporal.client.workflow.getHandle(eventWorkflowId(eventId));
    const firstRun = (await handle.describe()).runId;
    for (let i = 2; i <= 90; i++) {
      await suite.api.request
        .post(`/events/${eventId}/items/gen.item-${String(i).padStart(4, '0')}/complete`)
        .set(mai)
        .send({})
        .expect(200);
    }
    expect((await handle.describe()).runId).not.toBe(firstRun);
    const retried = await keyed('xong');
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual(first.body);
    expect(problem(await keyed('khác'))).toEqual({ status: 409, code: 'IDEMPOTENCY_KEY_REUSED' });
  });
});
