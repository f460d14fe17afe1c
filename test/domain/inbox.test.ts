import { describe, expect, it } from 'vitest';
import { searchAttributeValues, searchAttributeValuesV1, type EventState, type Person } from '../../domain';
import { compareTasks, delegateKey, inboxTasks, pendingWork, type InboxTask } from '../../domain/inbox';
import {
  eventWith,
  given,
  lifecycleEvent,
  liveEvent,
  passAll,
  shift,
  t0,
  throughPreparation,
  throughRehearsal,
  type Step,
} from './scenario';

const evidenceLink = [{ url: 'https://docs.example.org/evidence.pdf' }];
const planDone: Step[] = [
  ['office.mai', { type: 'completeItem', itemId: 'plan.master' }],
  ['cyber.hung', { type: 'completeItem', itemId: 'plan.cyber', evidence: evidenceLink }],
];
const delegateHead = (extra: Record<string, unknown> = {}): Step => [
  'head.tuan',
  { type: 'delegate', to: 'duty.khoa', validUntil: shift(t0, { days: 60 }), ...extra },
];

/** The inbox as a compact list: kind, subject, and who it is done for when delegated. */
const summary = (tasks: InboxTask[]) =>
  tasks.map((t) => [t.kind, t.id, ...(t.onBehalfOf ? [t.onBehalfOf] : [])].join(' '));
const inbox = (state: EventState, personId: string, now = t0) => summary(inboxTasks(state, personId, now));

describe('the work of units', () => {
  it("lists the open items of the person's roster units, by deadline, with overdue flag and escalation level", () => {
    const state = eventWith((input) => {
      input.items.push({
        id: 'order.hotels',
        title: 'Secure the delegation hotels',
        workGroup: 'order',
        phase: 'planning',
        due: { daysBefore: 50, at: '17:00' },
      });
    });
    const police = inboxTasks(state, 'police.nam', t0);
    expect(summary(police)).toEqual(['item order.hotels', 'item order.routes']);
    expect(police[0]).toMatchObject({
      eventId: 'e',
      unit: 'police',
      status: 'todo',
      overdue: false,
      escalationLevel: 0,
    });
    expect(police[0]!.due! < police[1]!.due!).toBe(true);
    // Past the hotels' deadline: overdue; done items leave the inbox.
    const later = shift(police[0]!.due!, { hours: 1 });
    expect(inboxTasks(state, 'police.nam', later)[0]).toMatchObject({ id: 'order.hotels', overdue: true });
    const done = given(state, [['police.nam', { type: 'completeItem', itemId: 'order.hotels' }]]);
    expect(inbox(done, 'police.nam')).toEqual(['item order.routes']);
  });

  it('lists open incident steps of its units first, and drills its units take part in while they await evaluation', () => {
    const live = liveEvent();
    const reported = given(live, [
      ['duty.khoa', { type: 'reportIncident', incidentType: 'cyber', severity: 'high', description: 'DDoS' }],
    ]);
    expect(inbox(reported, 'cyber.hung')).toEqual([
      'incident-step isolate',
      'incident-step restore',
      'item cyber.pentest',
    ]);
    expect(inboxTasks(reported, 'office.mai', t0)[0]).toMatchObject({
      kind: 'incident-step',
      id: 'report',
      incidentId: 'inc-1',
      unit: 'office',
      overdue: false,
    });
    expect(searchAttributeValues(reported, t0).openIncidents).toBe(1);
    expect(searchAttributeValues(reported, t0).pendingUnits).toEqual(['cyber', 'office']);

    const preparation = given(lifecycleEvent(), throughPreparation.slice(0, 4));
    // ddos involves cyber and (through its "inform" target) office; power involves police.
    expect(inbox(preparation, 'police.nam')).toEqual(['item order.routes', 'drill power']);
    expect(inbox(preparation, 'office.mai')).toContain('drill ddos');
  });

  it('asks units for their report on the latest progress review until they send it', () => {
    const state = eventWith();
    const withReview: EventState = {
      ...state,
      reviews: [
        {
          id: 'review-1',
          at: t0,
          dueBy: shift(t0, { days: 1 }),
          agenda: { blockers: [], overdue: [] },
          expectedUnits: ['police', 'cyber'],
          reports: {},
        },
      ],
    };
    expect(inbox(withReview, 'police.nam')).toContain('review-report review-1');
    expect(pendingWork(withReview, t0).units).toContain('police');
    const reported = given(withReview, [
      ['police.nam', { type: 'submitProgressReport', reviewId: 'review-1', unit: 'police', status: 'on_track' }],
    ]);
    expect(inbox(reported, 'police.nam')).not.toContain('review-report review-1');
  });
});

describe('the decisions of roles', () => {
  it('asks the approvers of an open gate of the current phase, and only for the roles still missing', () => {
    const created = lifecycleEvent();
    expect(pendingWork(created, t0).roles).toEqual([]);
    expect(inbox(created, 'head.tuan')).toEqual([]);
    const open = given(created, planDone);
    expect(pendingWork(open, t0).roles).toEqual(['office-chief', 'steering-head']);
    expect(inbox(open, 'head.tuan')).toEqual(['gate plan-approval']);
    expect(inboxTasks(open, 'head.tuan', t0)[0]).toMatchObject({ roles: ['steering-head'], overdue: false });
    const half = given(open, [['head.tuan', { type: 'signOffGate', gateId: 'plan-approval', decision: 'approve' }]]);
    expect(pendingWork(half, t0).roles).toEqual(['office-chief']);
    expect(inbox(half, 'head.tuan')).toEqual([]);
    expect(inboxTasks(half, 'both.roles', t0)).toEqual([expect.objectContaining({ roles: ['office-chief'] })]);
  });

  it('asks the holders of the go/no-go roles in readiness, with the launch-blocking entries still unaccepted', () => {
    const readiness = given(lifecycleEvent(), throughRehearsal);
    expect(readiness.phase).toBe('readiness');
    const tasks = inboxTasks(readiness, 'office.mai', t0);
    expect(tasks.find((t) => t.kind === 'go-no-go')).toMatchObject({ id: 'go-no-go', blocking: 1 });
    expect(pendingWork(readiness, t0).roles).toEqual(['office-chief', 'steering-head']);
  });

  it('asks the approvers of a covering gate to decide a waiver, never the requester', () => {
    const requested = given(eventWith(), [
      ['police.nam', { type: 'requestWaiver', itemId: 'order.routes', justification: 'Routes secured last year' }],
    ]);
    expect(pendingWork(requested, t0).roles).toEqual(['steering-head']);
    expect(inbox(requested, 'head.tuan')).toEqual(['waiver order.routes']);
    const byPlanner = given(eventWith(), [
      ['planner.linh', { type: 'requestWaiver', itemId: 'order.routes', justification: 'Routes secured last year' }],
    ]);
    expect(inbox(byPlanner, 'head.tuan')).toEqual(['waiver order.routes']);
  });

  it('asks evaluators to rate drills while they await evaluation, not while their remediation is open', () => {
    const preparation = given(lifecycleEvent(), throughPreparation.slice(0, 4));
    expect(inbox(preparation, 'eval.an')).toEqual(['drill-evaluation ddos', 'drill-evaluation power']);
    expect(pendingWork(preparation, t0).roles).toContain('evaluator');
    const failed = given(preparation, [
      [
        'eval.an',
        { type: 'recordDrillResult', scenarioId: 'power', ratings: [{ targetId: 'restore', rating: 'unable' }] },
      ],
    ]);
    expect(inbox(failed, 'eval.an')).toEqual(['drill-evaluation ddos']);
    expect(inbox(failed, 'police.nam')).toContain('item remediation.power.1.restore');
    const settled = given(failed, [
      ['police.nam', { type: 'completeItem', itemId: 'remediation.power.1.restore', evidence: evidenceLink }],
      passAll('ddos', ['detect', 'failover', 'inform']),
    ]);
    expect(inbox(settled, 'eval.an')).toEqual(['drill-evaluation power']);
    const passed = given(settled, [passAll('power', ['restore'])]);
    expect(inbox(passed, 'eval.an')).toEqual([]);
    expect(pendingWork(passed, t0).roles).not.toContain('evaluator');
  });
});

describe('delegated decisions', () => {
  it("lists the delegator's gates for the delegate while the delegation is in force and the delegator has not signed", () => {
    const open = given(lifecycleEvent(), [...planDone, delegateHead()]);
    expect(pendingWork(open, t0).delegates).toEqual(['duty.khoa']);
    expect(searchAttributeValues(open, t0).pendingRoles).toContain(delegateKey('duty.khoa'));
    expect(inboxTasks(open, 'duty.khoa', t0)).toEqual([
      expect.objectContaining({
        kind: 'gate',
        id: 'plan-approval',
        onBehalfOf: 'head.tuan',
        delegationId: 'dlg-1',
        roles: ['steering-head'],
      }),
    ]);
    const signed = given(open, [['head.tuan', { type: 'signOffGate', gateId: 'plan-approval', decision: 'approve' }]]);
    expect(inbox(signed, 'duty.khoa')).toEqual([]);
    expect(pendingWork(signed, t0).delegates).toEqual([]);
    const revoked = given(open, [['head.tuan', { type: 'revokeDelegation', delegationId: 'dlg-1' }]]);
    expect(inbox(revoked, 'duty.khoa')).toEqual([]);
    expect(pendingWork(revoked, t0).delegates).toEqual([]);
  });

  it('waits for the delegation to start, and stops when it ends or covers other gates only', () => {
    const future = given(lifecycleEvent(), [...planDone, delegateHead({ validFrom: shift(t0, { days: 1 }) })]);
    expect(inbox(future, 'duty.khoa')).toEqual([]);
    expect(inbox(future, 'duty.khoa', shift(t0, { days: 2 }))).toEqual(['gate plan-approval head.tuan']);
    expect(inbox(future, 'duty.khoa', shift(t0, { days: 61 }))).toEqual([]);
    expect(pendingWork(future, shift(t0, { days: 61 })).delegates).toEqual([]);
    const elsewhere = given(lifecycleEvent(), [...planDone, delegateHead({ gates: ['preparation-complete'] })]);
    expect(inbox(elsewhere, 'duty.khoa')).toEqual([]);
    expect(pendingWork(elsewhere, t0).delegates).toEqual([]);
  });

  it('keys delegates by a fingerprint, not by their id in clear', () => {
    expect(delegateKey('duty.khoa')).toMatch(/^delegate:[0-9a-f]{16}$/);
    expect(delegateKey('duty.khoa')).not.toContain('khoa');
    expect(delegateKey('duty.khoa')).not.toBe(delegateKey('duty.lan'));
  });
});

describe('nothing actionable', () => {
  it('for a viewer, for someone off the roster, and in a cancelled event', () => {
    const open = given(lifecycleEvent(), planDone);
    // viewer.trang belongs to police, whose items are open: still read-only.
    expect(inboxTasks(open, 'viewer.trang', t0)).toEqual([]);
    expect(inboxTasks(open, 'stranger', t0)).toEqual([]);
    const cancelled = given(open, [['planner.linh', { type: 'cancel', reason: 'Hoãn' }]]);
    expect(inboxTasks(cancelled, 'head.tuan', t0)).toEqual([]);
    expect(inboxTasks(cancelled, 'police.nam', t0)).toEqual([]);
    expect(pendingWork(cancelled, t0)).toEqual({ units: [], roles: [], delegates: [] });
    expect(searchAttributeValues(cancelled, t0)).toMatchObject({ overdueCount: 0, pendingUnits: [], pendingRoles: [] });
    expect(searchAttributeValues(cancelled, t0).nextDeadline).toBeUndefined();
  });
});

describe('search attribute values', () => {
  it('publish open incidents and the earliest upcoming deadline of items, awaited gates and drills', () => {
    const state = lifecycleEvent((input) => {
      input.gates![0]!.due = { daysBefore: 44, at: '17:00' };
    });
    // Both plan items are past due: the next deadline is the gate's, which V1 did not count.
    const now = shift(state.items['plan.cyber']!.due, { hours: 1 });
    const values = searchAttributeValues(state, now);
    expect(values.openIncidents).toBe(0);
    expect(values.overdueCount).toBe(2);
    expect(values.nextDeadline).toBe(state.gates['plan-approval']!.due);
    expect(searchAttributeValuesV1(state, now).nextDeadline).toBe(state.items['order.routes']!.due);
  });

  it('keep the published values of events started before the change (V1) as they were', () => {
    const open = given(lifecycleEvent(), [...planDone, delegateHead()]);
    const v1 = searchAttributeValuesV1(open, t0);
    expect(v1).not.toHaveProperty('openIncidents');
    expect(v1.pendingRoles).toEqual(['office-chief', 'steering-head']);
    expect(Object.keys(v1)).toEqual([
      'phase',
      'program',
      'template',
      'eventStart',
      'nextDeadline',
      'overdueCount',
      'percentComplete',
      'pendingUnits',
      'pendingRoles',
      'participants',
    ]);
  });
});

describe('an inbox finds every event that waits for the person', () => {
  /** Token claims equal to the roster entry: what lists can match on. */
  const discoverable = (state: EventState, person: Person, now: string) => {
    const values = searchAttributeValues(state, now);
    return (
      person.units.some((u) => values.pendingUnits.includes(u)) ||
      person.roles.some((r) => values.pendingRoles.includes(r)) ||
      values.pendingRoles.includes(delegateKey(person.id))
    );
  };
  const failPower: Step = [
    'eval.an',
    { type: 'recordDrillResult', scenarioId: 'power', ratings: [{ targetId: 'restore', rating: 'unable' }] },
  ];
  const journeys: Step[][] = [
    [],
    planDone,
    [...planDone, delegateHead()],
    [
      ...planDone,
      delegateHead({ gates: ['plan-approval'] }),
      ['head.tuan', { type: 'signOffGate', gateId: 'plan-approval', decision: 'approve' }],
    ],
    [['police.nam', { type: 'requestWaiver', itemId: 'order.routes', justification: 'Done last year' }]],
    throughPreparation.slice(0, 4),
    [...throughPreparation.slice(0, 4), failPower],
    [...throughPreparation, delegateHead()],
    throughRehearsal,
    [...throughRehearsal, delegateHead()],
  ];

  it.each(journeys.map((steps, i) => [i, steps] as const))('journey %i', (_i, steps) => {
    const state = given(lifecycleEvent(), steps);
    for (const now of [t0, shift(t0, { days: 30 }), shift(t0, { days: 120 })]) {
      for (const person of state.roster) {
        const tasks = inboxTasks(state, person.id, now);
        if (tasks.length > 0)
          expect({ person: person.id, now, found: discoverable(state, person, now) }).toMatchObject({ found: true });
      }
    }
  });

  it('holds in a live event with an incident', () => {
    const state = given(liveEvent(), [
      ['duty.khoa', { type: 'reportIncident', incidentType: 'power', severity: 'moderate', description: 'Mất điện' }],
    ]);
    for (const person of state.roster) {
      if (inboxTasks(state, person.id, t0).length > 0) expect(discoverable(state, person, t0)).toBe(true);
    }
    expect(inbox(state, 'police.nam')[0]).toBe('incident-step generator');
  });
});

describe('task order', () => {
  it('puts incident steps first, then dated tasks by deadline, then undated ones, stably', () => {
    const task = (kind: InboxTask['kind'], id: string, due?: string): InboxTask => ({
      eventId: 'e',
      kind,
      id,
      title: id,
      ...(due ? { due } : {}),
      overdue: false,
      escalationLevel: 0,
    });
    const tasks = [
      task('gate', 'g-undated'),
      task('item', 'late', '2026-09-02T00:00:00.000Z'),
      task('incident-step', 'step'),
      task('waiver', 'early', '2026-09-01T00:00:00.000Z'),
      task('item', 'early', '2026-09-01T00:00:00.000Z'),
    ];
    expect(tasks.sort(compareTasks).map((t) => `${t.kind} ${t.id}`)).toEqual([
      'incident-step step',
      'item early',
      'waiver early',
      'item late',
      'gate g-undated',
    ]);
  });
});
