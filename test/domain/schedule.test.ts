import { describe, expect, it } from 'vitest';
import { nextWakeUp, reviewInstants, tick, toEventView } from '../../domain';
import { evidence } from '../support/fixtures';
import {
  about,
  eventWith,
  essentials,
  given,
  play,
  runClock,
  shift,
  t0,
  tickAt,
  when,
  type Step,
  type TemplateChange,
} from './scenario';

// The tiny event starts 2026-11-10 08:00 in Hanoi (UTC+7). plan.master (unit office) is due 60 days
// before at 17:00 local: 2026-09-11T10:00Z. plan.cyber is due 2026-09-26T10:00Z, order.routes 2026-11-07T01:00Z.
const due = '2026-09-11T10:00:00.000Z';
const weekBefore = '2026-09-04T10:00:00.000Z';
const dayBefore = '2026-09-10T10:00:00.000Z';
const fourHoursLate = '2026-09-11T14:00:00.000Z';
const dayLate = '2026-09-12T10:00:00.000Z';
const cyberWeekBefore = '2026-09-19T10:00:00.000Z';

const withClock: TemplateChange = (t) => {
  t.roles.push({ id: 'unit-lead', title: 'Unit lead' }, { id: 'deputy-minister', title: 'Deputy minister' });
  t.defaultReminders = [{ days: 7 }, { days: 1 }];
  t.escalation = [
    { after: { hours: 4 }, role: 'unit-lead' },
    { after: { days: 1 }, role: 'deputy-minister' },
  ];
};
const clockEvent = (now = t0) => eventWith(withClock, { now });

const reminder = (at: string, id = 'plan.master', units = ['office']) => ({
  kind: 'reminder',
  at,
  subject: { type: 'item', id },
  to: { units, roles: [] },
});
const escalation = (level: number, at: string, role: string, subject = { type: 'item', id: 'plan.master' }) => ({
  kind: 'escalation',
  at,
  subject,
  to: { units: subject.type === 'item' ? ['office'] : [], roles: [role] },
  level,
});

describe('reminders and escalation', () => {
  it('fires the 7-day reminder, the 1-day reminder, then escalation levels 1 and 2, each once, dated when due', () => {
    // Each instant ticked 5 and 30 minutes after it: the second tick finds nothing new.
    const instants = [weekBefore, dayBefore, due, fourHoursLate, dayLate].flatMap((instant) => [
      shift(instant, { minutes: 5 }),
      shift(instant, { minutes: 30 }),
    ]);
    const { effects } = tickAt(clockEvent(), instants);
    const mine = effects.filter(about('plan.master'));
    expect(mine.map(essentials)).toEqual([
      reminder(weekBefore),
      reminder(dayBefore),
      escalation(1, fourHoursLate, 'unit-lead'),
      escalation(2, dayLate, 'deputy-minister'),
    ]);
    expect(new Set(mine.map((n) => n.id)).size).toBe(mine.length);
  });

  it('after an outage, fires every missed escalation step once, in order, but only the latest reminder', () => {
    const outageEnd = shift(dayLate, { hours: 3 });
    const first = tickAt(clockEvent(), [outageEnd]);
    expect(first.effects.filter(about('plan.master')).map(essentials)).toEqual([
      reminder(dayBefore),
      escalation(1, fourHoursLate, 'unit-lead'),
      escalation(2, dayLate, 'deputy-minister'),
    ]);
    expect(first.state.items['plan.master']).toMatchObject({ remindersSent: 2, escalationLevel: 2 });
    expect(
      tickAt(first.state, [outageEnd, shift(outageEnd, { days: 3 })]).effects.filter(about('plan.master')),
    ).toEqual([]);
  });

  it.each([
    ['before both reminders', t0, [weekBefore, dayBefore]],
    ['between the two reminders', '2026-09-05T00:00:00.000Z', [dayBefore]],
    ['after both reminders', '2026-09-10T12:00:00.000Z', []],
  ])('sends only the reminders still ahead when the event was created %s', (_label, createdAt, expected) => {
    const created = clockEvent(createdAt);
    const started = tick(created, createdAt); // the workflow ticks once right after the start
    const run = runClock(started.state, createdAt, shift(dayLate, { hours: 1 }));
    const reminders = [...started.effects, ...run.effects].filter(
      (n) => n.kind === 'reminder' && about('plan.master')(n),
    );
    expect(reminders.map((n) => n.at)).toEqual(expected);
  });

  it('wakes the clock at each reminder, the deadline itself, and each escalation step', () => {
    const state = clockEvent();
    expect(nextWakeUp(state, t0)).toBe(weekBefore);
    const { wakeUps } = runClock(state, t0, dayLate);
    expect(wakeUps).toEqual([weekBefore, dayBefore, due, fourHoursLate, dayLate]);
  });

  const masterBecomes: [string, Step[], boolean][] = [
    ['todo', [], true],
    ['in progress', [['office.mai', { type: 'startItem', itemId: 'plan.master' }]], true],
    ['blocked', [['office.mai', { type: 'blockItem', itemId: 'plan.master', reason: 'no venue' }]], true],
    ['done', [['office.mai', { type: 'completeItem', itemId: 'plan.master' }]], false],
    [
      'waived',
      [
        ['office.mai', { type: 'requestWaiver', itemId: 'plan.master', justification: 'national plan covers it' }],
        ['head.tuan', { type: 'decideWaiver', itemId: 'plan.master', decision: 'approve' }],
      ],
      false,
    ],
  ];
  it.each(masterBecomes)('for a %s item, reminds and escalates: %s', (_label, setup, fires) => {
    const state = given(clockEvent(), setup);
    const { effects } = tickAt(state, [shift(dayLate, { hours: 3 })]);
    expect(effects.filter(about('plan.master')).map((n) => n.kind)).toEqual(
      fires ? ['reminder', 'escalation', 'escalation'] : [],
    );
    expect(nextWakeUp(state, t0)).toBe(fires ? weekBefore : cyberWeekBefore);
  });

  describe('gates with a deadline', () => {
    // plan-approval due 40 days before the start at 17:00: 2026-10-01T10:00Z.
    const gateDue = '2026-10-01T10:00:00.000Z';
    const withGateDue: TemplateChange = (t) => {
      withClock(t);
      t.gates![0]!.due = { daysBefore: 40, at: '17:00' };
    };
    const planningDone: Step[] = [
      ['office.mai', { type: 'completeItem', itemId: 'plan.master' }],
      ['cyber.hung', { type: 'completeItem', itemId: 'plan.cyber', evidence }],
    ];
    const gate = { type: 'gate', id: 'plan-approval' };

    it('escalates a pending gate past its deadline, step by step, to the step roles only', () => {
      const state = given(eventWith(withGateDue), planningDone);
      expect(nextWakeUp(state, t0)).toBe(gateDue);
      const { state: after, effects } = tickAt(state, [shift(gateDue, { days: 2 })]);
      expect(effects.filter(about('plan-approval')).map(essentials)).toEqual([
        escalation(1, '2026-10-01T14:00:00.000Z', 'unit-lead', gate),
        escalation(2, '2026-10-02T10:00:00.000Z', 'deputy-minister', gate),
      ]);
      expect(after.gates['plan-approval']!.escalationLevel).toBe(2);
    });

    it('does not escalate a gate that has passed', () => {
      const state = given(eventWith(withGateDue), [
        ...planningDone,
        ['head.tuan', { type: 'signOffGate', gateId: 'plan-approval', decision: 'approve' }],
        ['office.mai', { type: 'signOffGate', gateId: 'plan-approval', decision: 'approve' }],
      ]);
      expect(state.gates['plan-approval']!.status).toBe('passed');
      expect(tickAt(state, [shift(gateDue, { days: 2 })]).effects.filter(about('plan-approval'))).toEqual([]);
    });
  });

  // Domain bug: the tick that ends a waiver skips the item's reminders and escalation (`continue`), and
  // Regression: an item whose deadline passed while it was waived was not escalated when the waiver
  // lapsed, and a second tick at the same instant then fired the missed work (ticks must be idempotent).
  it('escalates an item whose waiver lapses after its deadline without waiting for other activity', () => {
    const state = given(clockEvent(), [
      [
        'police.nam',
        {
          type: 'requestWaiver',
          itemId: 'order.routes',
          justification: 'routes secured by the army',
          expiresAt: '2026-11-09T00:00:00.000Z', // two days after its deadline (2026-11-07T01:00Z)
        },
      ],
      ['head.tuan', { type: 'decideWaiver', itemId: 'order.routes', decision: 'approve' }],
    ]);
    const { effects } = runClock(state, t0, '2026-11-20T00:00:00.000Z');
    const routes = effects.filter(about('order.routes'));
    expect(routes.map((n) => n.kind)).toContain('waiverExpired');
    expect(routes.filter((n) => n.kind === 'escalation').map((n) => n.level)).toEqual([1, 2]);
  });
});

describe('progress reviews', () => {
  const withReviews: TemplateChange = (t) => {
    t.escalation = [{ after: { hours: 4 }, role: 'duty-officer' }];
    t.reviews = {
      cadence: [
        { from: { daysBefore: 60 }, every: { days: 7 } },
        { from: { daysBefore: 7 }, every: { days: 1 } },
      ],
    };
  };
  const reviewEvent = () => eventWith(withReviews);
  const at = (day: string) => `2026-${day}T01:00:00.000Z`; // 08:00 in Hanoi, the event's start time

  it('follows the weekly cadence from T-60d, then the daily one from T-7d, and stops before the start', () => {
    const state = reviewEvent();
    const weekly = ['09-11', '09-18', '09-25', '10-02', '10-09', '10-16', '10-23', '10-30'];
    const daily = ['11-03', '11-04', '11-05', '11-06', '11-07', '11-08', '11-09'];
    expect(reviewInstants(state, t0, state.window.start)).toEqual([...weekly, ...daily].map(at));
  });

  it.each([
    ['the weekly cadence, after is exclusive', at('09-11'), at('09-25'), [at('09-18'), at('09-25')]],
    [
      'the hand-over: no weekly review once the daily one runs',
      at('10-30'),
      at('11-06'),
      [at('11-03'), at('11-04'), at('11-05'), at('11-06')],
    ],
    ['the event start and later', at('11-09'), '2026-12-31T00:00:00.000Z', []],
  ])('lists the instants within (after, until] across %s', (_label, after, until, expected) => {
    expect(reviewInstants(reviewEvent(), after, until)).toEqual(expected);
  });

  // order.routes done (police has nothing open), plan.cyber blocked.
  const blockReason = 'waiting for the pen-test vendor';
  const beforeFirstReview = () =>
    given(reviewEvent(), [
      ['police.nam', { type: 'completeItem', itemId: 'order.routes' }],
      ['cyber.hung', { type: 'blockItem', itemId: 'plan.cyber', reason: blockReason }],
    ]);
  const opened = () => tickAt(beforeFirstReview(), [shift(at('09-11'), { minutes: 30 })]);

  it('opens a review with the blockers as agenda and the units with open items as expected', () => {
    const { state, effects } = opened();
    expect(state.reviews).toEqual([
      {
        id: 'review-1',
        at: at('09-11'),
        dueBy: at('09-12'),
        agenda: { blockers: [{ itemId: 'plan.cyber', unit: 'cyber', reason: blockReason }], overdue: [] },
        expectedUnits: ['cyber', 'office'],
        reports: {},
      },
    ]);
    expect(effects.map(essentials)).toEqual([
      {
        kind: 'reviewOpened',
        at: at('09-11'),
        subject: { type: 'review', id: 'review-1' },
        to: { units: ['cyber', 'office'], roles: [] },
      },
    ]);
  });

  it('collapses reviews missed during an outage into one, with the overdue items on the agenda', () => {
    const { state } = tickAt(reviewEvent(), [shift(at('09-18'), { hours: 1 })]);
    expect(state.reviews).toHaveLength(1);
    expect(state.reviews[0]).toMatchObject({
      at: at('09-18'),
      agenda: { blockers: [], overdue: [{ itemId: 'plan.master', unit: 'office', due, escalationLevel: 1 }] },
      expectedUnits: ['cyber', 'office', 'police'],
    });
  });

  describe('reports', () => {
    const officeReport: Step = [
      'office.mai',
      { type: 'submitProgressReport', reviewId: 'review-1', unit: 'office', status: 'on_track' },
      shift(at('09-11'), { hours: 11 }),
    ];
    const cyberReport: Step = [
      'cyber.hung',
      {
        type: 'submitProgressReport',
        reviewId: 'review-1',
        unit: 'cyber',
        status: 'at_risk',
        summary: 'vendor found, contract pending',
        blockers: ['contract signature'],
      },
    ];
    /** The office reports on time, then the clock runs past the report deadline. */
    const pastDeadline = () =>
      runClock(given(opened().state, [officeReport]), officeReport[2]!, shift(at('09-12'), { hours: 1 }));

    it('records an on-time report', () => {
      const state = given(opened().state, [officeReport]);
      expect(state.reviews[0]!.reports).toEqual({
        office: {
          by: 'office.mai',
          at: officeReport[2],
          status: 'on_track',
          blockers: [],
          recommendations: [],
          late: false,
        },
      });
    });

    it('wakes at the report deadline and lists the units that did not report as missed', () => {
      const run = pastDeadline();
      expect(run.wakeUps).toContain(at('09-12'));
      expect(run.state.reviews[0]!.missed).toEqual(['cyber']);
      expect(run.effects.filter((n) => n.kind === 'reviewMissed').map(essentials)).toEqual([
        {
          kind: 'reviewMissed',
          at: at('09-12'),
          subject: { type: 'review', id: 'review-1' },
          to: { units: ['cyber'], roles: ['duty-officer'] },
        },
      ]);
      expect(toEventView(run.state, at('09-12')).units.find((u) => u.id === 'cyber')?.missedReview).toBe('review-1');
      expect(
        tickAt(run.state, [shift(at('09-12'), { hours: 2 })]).effects.filter((n) => n.kind === 'reviewMissed'),
      ).toEqual([]);
    });

    it('records a late report as late and takes the unit off the missed list', () => {
      const lateAt = shift(at('09-12'), { hours: 2 });
      const { state, result } = play(pastDeadline().state, [when(cyberReport, lateAt)]);
      expect(result).toMatchObject({
        type: 'reportSubmitted',
        reviewId: 'review-1',
        unit: 'cyber',
        report: { by: 'cyber.hung', at: lateAt, status: 'at_risk', blockers: ['contract signature'], late: true },
      });
      expect(state.reviews[0]!.missed).toEqual([]);
      expect(toEventView(state, lateAt).units.find((u) => u.id === 'cyber')?.missedReview).toBeUndefined();
    });

    it.each([
      ['an unknown review', 'office.mai', 'review-9', 'office', 'REVIEW_NOT_FOUND'],
      ['a unit the sender is not in', 'police.nam', 'review-1', 'cyber', 'NOT_UNIT_MEMBER'],
      ['a planner for a unit they are not in', 'planner.linh', 'review-1', 'office', 'NOT_UNIT_MEMBER'],
      ['a unit with nothing open at the review', 'police.nam', 'review-1', 'police', 'UNIT_NOT_EXPECTED'],
      ['a second report of the same unit', 'office.mai', 'review-1', 'office', 'REPORT_ALREADY_SUBMITTED'],
    ])('refuses %s (%s, %s, %s): %s', (_label, actor, reviewId, unit, code) => {
      const state = given(opened().state, [officeReport]);
      const report: Step = [actor, { type: 'submitProgressReport', reviewId, unit, status: 'off_track' }];
      expect(play(state, [report]).code).toBe(code);
    });
  });
});
