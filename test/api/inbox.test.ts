import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { mintDevToken } from '../../api/auth';
import { type PlanTemplateInput } from '../../domain';
import { auth, useTestApi } from '../support/api';
import { evidence, tinyTemplateInput } from '../support/fixtures';
import { eventually, uniqueEventId } from '../support/temporal';

/**
 * GET /me/tasks on the real server: candidate events come from visibility
 * (eventually consistent), tasks from each event's state and roster. Other
 * test files share the server and leave events behind whose workers are gone,
 * so this file's events use the tiny template with its own unit, role and
 * person ids (`police-<suffix>`, …): only they wait for this file's people.
 */
const suite = useTestApi();

const suffix = randomUUID().slice(0, 6);
const own = (id: string) => `${id}-${suffix}`;
const template: PlanTemplateInput = (() => {
  const input: PlanTemplateInput = structuredClone(tinyTemplateInput);
  const planRoles = new Set(input.roles.map((r) => r.id));
  const role = (id: string) => (planRoles.has(id) ? own(id) : id);
  return {
    ...input,
    id: own('inbox'),
    roles: input.roles.map((r) => ({ ...r, id: role(r.id) })),
    units: input.units.map((u) => ({ ...u, id: own(u.id), ...(u.parent ? { parent: own(u.parent) } : {}) })),
    workGroups: input.workGroups.map((g) => ({ ...g, unit: own(g.unit) })),
    gates: input.gates!.map((g) => ({ ...g, approval: { ...g.approval, roles: g.approval.roles.map(role) } })),
    people: input.people!.map((p) => ({
      ...p,
      id: own(p.id),
      roles: (p.roles ?? []).map(role),
      units: (p.units ?? []).map(own),
    })),
  };
})();

/** A bearer header for a person of this file's roster (`office.mai` means `office.mai-<suffix>`). */
async function as(personId: string): Promise<{ Authorization: string }> {
  const person = template.people!.find((p) => p.id === own(personId))!;
  const token = await mintDevToken(
    { ...person, roles: person.roles ?? [], units: person.units ?? [] },
    { secret: suite.api.secret, issuer: auth.issuer, audience: auth.audience, expiresIn: '10m' },
  );
  return { Authorization: `Bearer ${token}` };
}

interface Task {
  eventId: string;
  kind: string;
  id: string;
  title: string;
  due?: string;
  overdue: boolean;
  escalationLevel: number;
  unit?: string;
  roles?: string[];
  onBehalfOf?: string;
  delegationId?: string;
  links: { event: string };
}
interface Inbox {
  tasks: Task[];
  total: number;
  events: { candidates: number; truncated: boolean; unavailable: string[] };
  consistency: string;
}

async function startEvent(label: string, start: string): Promise<string> {
  const eventId = uniqueEventId(`inbox-${label}`);
  const end = new Date(Date.parse(start) + 5 * 86_400_000).toISOString();
  await suite.api.request
    .post('/events')
    .set(await as('planner.linh'))
    .send({ eventId, template, window: { start, end } })
    .expect(201);
  return eventId;
}

async function planningDone(eventId: string): Promise<void> {
  await suite.api.request
    .post(`/events/${eventId}/items/plan.master/complete`)
    .set(await as('office.mai'))
    .send({})
    .expect(200);
  await suite.api.request
    .post(`/events/${eventId}/items/plan.cyber/complete`)
    .set(await as('cyber.hung'))
    .send({ evidence })
    .expect(200);
}

const inboxOf = async (headers: { Authorization: string }) => {
  const res = await suite.api.request.get('/me/tasks').set(headers);
  expect(res.status).toBe(200);
  return res.body as Inbox;
};
/** The caller's tasks in the given events only, waiting (visibility lags) until `ready` holds. */
async function tasksIn(
  headers: { Authorization: string },
  eventIds: string[],
  ready: (tasks: Task[]) => boolean,
): Promise<Task[]> {
  const mine = (body: Inbox) => body.tasks.filter((t) => eventIds.includes(t.eventId));
  return mine(
    await eventually(
      () => inboxOf(headers),
      (body) => ready(mine(body)),
      20_000,
    ),
  );
}
const brief = (tasks: Task[]) => tasks.map((t) => [t.eventId, t.kind, t.id, ...(t.onBehalfOf ? [t.onBehalfOf] : [])]);

describe('GET /me/tasks', () => {
  it("shows a unit member their unit's open items across events, ordered by due", async () => {
    const later = await startEvent('later', '2027-06-01T01:00:00Z');
    const sooner = await startEvent('sooner', '2027-05-01T01:00:00Z');
    const police = await as('police.nam');
    const tasks = await tasksIn(police, [later, sooner], (t) => t.length === 2);
    expect(brief(tasks)).toEqual([
      [sooner, 'item', 'order.routes'],
      [later, 'item', 'order.routes'],
    ]);
    expect(tasks[0]).toMatchObject({
      title: 'Secure the motorcade routes',
      unit: own('police'),
      due: '2027-04-28T01:00:00.000Z',
      overdue: false,
      escalationLevel: 0,
      links: { event: `/events/${sooner}` },
    });
    // The office's items of both events, in deadline order (the master plan 60 days before, the cyber plan is cyber's).
    const office = await tasksIn(await as('office.mai'), [later, sooner], (t) => t.length === 2);
    expect(brief(office)).toEqual([
      [sooner, 'item', 'plan.master'],
      [later, 'item', 'plan.master'],
    ]);
  });

  it('shows approvers the gates that await their roles, and drops a gate once they signed', async () => {
    const eventId = await startEvent('gate', '2027-07-01T01:00:00Z');
    await planningDone(eventId);
    const head = await as('head.tuan');
    const tasks = await tasksIn(head, [eventId], (t) => t.length > 0);
    expect(tasks).toEqual([
      expect.objectContaining({
        eventId,
        kind: 'gate',
        id: 'plan-approval',
        title: 'Plan approval',
        roles: [own('steering-head')],
      }),
    ]);
    await suite.api.request
      .post(`/events/${eventId}/gates/plan-approval/decisions`)
      .set(head)
      .send({ decision: 'approve' })
      .expect(201);
    // The state is read by query: once signed, the gate leaves the signer's inbox at once.
    expect((await inboxOf(head)).tasks.filter((t) => t.eventId === eventId)).toEqual([]);
    const mai = await tasksIn(await as('office.mai'), [eventId], (t) => t.length > 0);
    expect(brief(mai)).toEqual([[eventId, 'gate', 'plan-approval']]);
    expect(mai[0]!.roles).toEqual([own('office-chief')]);
  });

  it('shows a delegate the gates delegated to them, for the delegator', async () => {
    const eventId = await startEvent('delegated', '2027-08-01T01:00:00Z');
    await planningDone(eventId);
    const khoa = await as('duty.khoa');
    const validUntil = new Date(Date.now() + 86_400_000).toISOString();
    await suite.api.request
      .post(`/events/${eventId}/delegations`)
      .set(await as('head.tuan'))
      .send({ to: own('duty.khoa'), validUntil })
      .expect(201);
    // duty.khoa holds no approver role: only the delegate key in the pending roles finds this event.
    const tasks = await tasksIn(khoa, [eventId], (t) => t.length > 0);
    expect(tasks).toEqual([
      expect.objectContaining({
        eventId,
        kind: 'gate',
        id: 'plan-approval',
        onBehalfOf: own('head.tuan'),
        delegationId: 'dlg-1',
        roles: [own('steering-head')],
      }),
    ]);
    await suite.api.request
      .post(`/events/${eventId}/gates/plan-approval/decisions`)
      .set(khoa)
      .send({ decision: 'approve', onBehalfOf: own('head.tuan') })
      .expect(201);
    expect((await inboxOf(khoa)).tasks.filter((t) => t.eventId === eventId)).toEqual([]);
  });

  it('shows a viewer, and anyone off the roster, nothing actionable', async () => {
    const eventId = await startEvent('viewer', '2027-09-01T01:00:00Z');
    // Wait until the event is findable by its pending police work (what the viewer's unit claims).
    await tasksIn(await as('police.nam'), [eventId], (t) => t.length > 0);
    const viewer = await inboxOf(await as('viewer.trang'));
    expect(viewer.tasks).toEqual([]);
    expect(viewer.events.candidates).toBeGreaterThan(0);
    const stranger = await new SignJWT({ roles: [own('steering-head')], units: [own('police')] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('stranger')
      .setIssuer(auth.issuer)
      .setAudience(auth.audience)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(suite.api.secret));
    const offRoster = await inboxOf({ Authorization: `Bearer ${stranger}` });
    expect(offRoster.tasks.filter((t) => t.eventId === eventId)).toEqual([]);
    expect(offRoster.consistency).toBe('eventual');
  });

  it('answers 400 to an unknown parameter and 401 without a token', async () => {
    const bad = await suite.api.request.get('/me/tasks?kind=gate').set(await as('police.nam'));
    expect({ status: bad.status, code: bad.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect((await suite.api.request.get('/me/tasks')).status).toBe(401);
  });
});
