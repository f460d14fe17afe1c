import { describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api';
import { evidence, tinyTemplateInput, tinyWindow } from '../support/fixtures';
import { uniqueEventId } from '../support/temporal';

const suite = useTestApi();

async function eventWithPlanningDone(template: unknown = 'tiny-summit') {
  const eventId = uniqueEventId('dlg');
  await suite.api.request
    .post('/events')
    .set(await suite.api.as('planner.linh'))
    .send({ eventId, template, window: tinyWindow })
    .expect(201);
  await suite.api.request
    .post(`/events/${eventId}/items/plan.master/complete`)
    .set(await suite.api.as('office.mai'))
    .send({})
    .expect(200);
  await suite.api.request
    .post(`/events/${eventId}/items/plan.cyber/complete`)
    .set(await suite.api.as('cyber.hung'))
    .send({ evidence })
    .expect(200);
  return eventId;
}

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

describe('delegation over HTTP', () => {
  it('records the delegate and on whose behalf they signed, and counts the delegator once', async () => {
    const eventId = await eventWithPlanningDone();
    const created = await suite.api.request
      .post(`/events/${eventId}/delegations`)
      .set(await suite.api.as('head.tuan'))
      .send({ to: 'duty.khoa', validUntil: inSeconds(3600), reason: 'Đi công tác nước ngoài' });
    expect(created.status).toBe(201);
    expect(created.body.delegation).toMatchObject({
      id: 'dlg-1',
      from: 'head.tuan',
      to: 'duty.khoa',
      roles: ['steering-head'],
    });

    const signed = await suite.api.request
      .post(`/events/${eventId}/gates/plan-approval/decisions`)
      .set(await suite.api.as('duty.khoa'))
      .send({ decision: 'approve', onBehalfOf: 'head.tuan' });
    expect(signed.status).toBe(201);
    expect(signed.body.gate.approvals).toEqual([
      expect.objectContaining({ by: 'duty.khoa', onBehalfOf: 'head.tuan', delegationId: 'dlg-1' }),
    ]);

    const again = await suite.api.request
      .post(`/events/${eventId}/gates/plan-approval/decisions`)
      .set(await suite.api.as('head.tuan'))
      .send({ decision: 'approve' });
    expect({ status: again.status, code: again.body.code }).toEqual({ status: 409, code: 'ALREADY_SIGNED' });

    const view = await suite.api.request.get(`/events/${eventId}`).set(await suite.api.as('planner.linh'));
    expect(view.body.delegations).toEqual([expect.objectContaining({ id: 'dlg-1', active: true })]);
  });

  it('enforces the end of a delegation by the workflow clock', async () => {
    const eventId = await eventWithPlanningDone();
    await suite.api.request
      .post(`/events/${eventId}/delegations`)
      .set(await suite.api.as('head.tuan'))
      .send({ to: 'duty.khoa', validUntil: inSeconds(1.5) })
      .expect(201);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const late = await suite.api.request
      .post(`/events/${eventId}/gates/plan-approval/decisions`)
      .set(await suite.api.as('duty.khoa'))
      .send({ decision: 'approve', onBehalfOf: 'head.tuan' });
    expect({ status: late.status, code: late.body.code }).toEqual({ status: 403, code: 'NO_ACTIVE_DELEGATION' });
  });

  it('refuses a signature under a revoked delegation, and a second revocation', async () => {
    const eventId = await eventWithPlanningDone();
    await suite.api.request
      .post(`/events/${eventId}/delegations`)
      .set(await suite.api.as('head.tuan'))
      .send({ to: 'duty.khoa', validUntil: inSeconds(600) })
      .expect(201);
    const revoked = await suite.api.request
      .delete(`/events/${eventId}/delegations/dlg-1`)
      .set(await suite.api.as('head.tuan'))
      .send({ reason: 'Đã về' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.delegation).toMatchObject({ revokedBy: 'head.tuan', revocationReason: 'Đã về' });
    const twice = await suite.api.request
      .delete(`/events/${eventId}/delegations/dlg-1`)
      .set(await suite.api.as('head.tuan'));
    expect({ status: twice.status, code: twice.body.code }).toEqual({ status: 409, code: 'DELEGATION_REVOKED' });
    const signed = await suite.api.request
      .post(`/events/${eventId}/gates/plan-approval/decisions`)
      .set(await suite.api.as('duty.khoa'))
      .send({ decision: 'approve', onBehalfOf: 'head.tuan' });
    expect({ status: signed.status, code: signed.body.code }).toEqual({ status: 403, code: 'NO_ACTIVE_DELEGATION' });
  });

  it('refuses an approval by the completer of a covered item when the template separates duties', async () => {
    const template = structuredClone(tinyTemplateInput);
    (template.gates[0] as Record<string, unknown>).forbidCompleterApproval = true;
    const eventId = await eventWithPlanningDone(template);
    const res = await suite.api.request
      .post(`/events/${eventId}/gates/plan-approval/decisions`)
      .set(await suite.api.as('office.mai'))
      .send({ decision: 'approve' });
    expect({ status: res.status, code: res.body.code, items: res.body.items }).toEqual({
      status: 403,
      code: 'SEPARATION_OF_DUTIES',
      items: ['plan.master'],
    });
  });
});
