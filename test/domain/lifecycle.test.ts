import { describe, expect, it } from 'vitest';
import { admissionRefusal, commandSchema, nextWakeUp, tick, type EventState, type Phase } from '../../domain';
import { tinyWindow } from '../support/fixtures';
import {
  about,
  eventWith,
  everyCommand,
  given,
  play,
  runClock,
  shift,
  t0,
  tickAt,
  type RawCommand,
  type Step,
  type TemplateChange,
} from './scenario';

// Besides the tiny template's items (60, 45 and 3 days before the start), an item with an absolute
// deadline, one due 2 days after the end at 09:00, a 40-days-before deadline on plan-approval, and a
// two-step escalation chain.
const permitDue = '2026-10-01T03:00:00.000Z';
const withDeadlines: TemplateChange = (t) => {
  t.escalation = [
    { after: { hours: 4 }, role: 'duty-officer' },
    { after: { days: 1 }, role: 'steering-head' },
  ];
  t.gates![0]!.due = { daysBefore: 40, at: '17:00' };
  t.items.push(
    {
      id: 'plan.permit',
      title: 'Airspace permit',
      workGroup: 'plan',
      phase: 'planning',
      due: { absolute: '2026-10-01T10:00:00+07:00' },
    },
    {
      id: 'plan.debrief',
      title: 'Debrief report',
      workGroup: 'plan',
      phase: 'review',
      due: { daysAfter: 2, at: '09:00', from: 'end' },
    },
  );
};

const berlinWindow = { start: '2026-11-10T07:00:00.000Z', end: '2026-11-12T16:00:00.000Z', timeZone: 'Europe/Berlin' };
const reschedule = (window: Record<string, unknown>, reason = 'the summit moved'): RawCommand => ({
  type: 'reschedule',
  window,
  reason,
});
const byPlanner = (command: RawCommand, at = shift(t0, { days: 1 })): Step => ['planner.linh', command, at];

describe('rescheduling', () => {
  it.each([
    {
      zone: 'Asia/Ho_Chi_Minh, a week later (plan.cyber crosses from September into October)',
      window: tinyWindow,
      to: { start: '2026-11-17T01:00:00.000Z', end: '2026-11-22T10:00:00.000Z' },
      dues: {
        'plan.master': ['2026-09-11T10:00:00.000Z', '2026-09-18T10:00:00.000Z'],
        'plan.cyber': ['2026-09-26T10:00:00.000Z', '2026-10-03T10:00:00.000Z'],
        'order.routes': ['2026-11-07T01:00:00.000Z', '2026-11-14T01:00:00.000Z'],
        'plan.debrief': ['2026-11-17T02:00:00.000Z', '2026-11-24T02:00:00.000Z'],
      },
      gate: ['2026-10-01T10:00:00.000Z', '2026-10-08T10:00:00.000Z'],
    },
    {
      // Berlin leaves summer time on 2026-10-25: 17:00 is 15:00Z before and 16:00Z after.
      zone: 'Europe/Berlin, 30 days later (plan.cyber and the gate cross the end of summer time)',
      window: berlinWindow,
      to: { start: '2026-12-10T07:00:00.000Z', end: '2026-12-12T16:00:00.000Z' },
      dues: {
        'plan.master': ['2026-09-11T15:00:00.000Z', '2026-10-11T15:00:00.000Z'],
        'plan.cyber': ['2026-09-26T15:00:00.000Z', '2026-10-26T16:00:00.000Z'],
        'order.routes': ['2026-11-07T07:00:00.000Z', '2026-12-07T07:00:00.000Z'],
        'plan.debrief': ['2026-11-14T08:00:00.000Z', '2026-12-14T08:00:00.000Z'],
      },
      gate: ['2026-10-01T15:00:00.000Z', '2026-10-31T16:00:00.000Z'],
    },
  ])('moves relative deadlines by the shift on the local calendar in $zone', ({ window, to, dues, gate }) => {
    const state = eventWith(withDeadlines, { window });
    for (const [itemId, [before]] of Object.entries(dues)) expect(state.items[itemId]!.due).toBe(before);
    expect(state.gates['plan-approval']!.due).toBe(gate[0]);

    const { code, state: after, result } = play(state, [byPlanner(reschedule(to))]);
    expect(code).toBe('OK');
    expect(result).toEqual({
      type: 'rescheduled',
      window: { ...to, timeZone: window.timeZone },
      moved: Object.entries(dues).map(([itemId, [from, movedTo]]) => ({ itemId, from, to: movedTo })),
      impossible: [],
    });
    for (const [itemId, [, moved]] of Object.entries(dues)) expect(after.items[itemId]!.due).toBe(moved);
    expect(after.items['plan.permit']!.due).toBe(permitDue);
    expect(after.gates['plan-approval']!.due).toBe(gate[1]);
  });

  it('admits a reschedule only into a window that has not ended by now (WINDOW_ENDED)', () => {
    const now = '2026-11-20T00:00:00.000Z';
    const command = (end: string) => commandSchema.parse(reschedule({ start: '2026-11-18T00:00:00.000Z', end }));
    expect(admissionRefusal(command('2026-11-19T23:59:59.999Z'), now)?.code).toBe('WINDOW_ENDED');
    expect(admissionRefusal(command('2026-11-20T07:00:00+07:00'), now)?.code).toBe('WINDOW_ENDED');
    // A window already under way but not over is still a window the event can run in.
    expect(admissionRefusal(command('2026-11-20T00:00:00.001Z'), now)).toBeUndefined();
  });

  it('records who moved the event, when, why, and the window it had', () => {
    const at = shift(t0, { days: 2 });
    const to = { start: '2026-11-17T01:00:00.000Z', end: '2026-11-22T10:00:00.000Z' };
    const after = given(eventWith(withDeadlines), [byPlanner(reschedule(to, 'typhoon season'), at)]);
    expect(after.window).toEqual({ ...to, timeZone: 'Asia/Ho_Chi_Minh' });
    expect(after.rescheduled).toEqual([{ by: 'planner.linh', at, reason: 'typhoon season', from: tinyWindow }]);
  });

  it('starts escalation over against the new deadlines and leaves absolute deadlines alone', () => {
    const outageEnd = '2026-10-03T00:00:00.000Z';
    const escalated = tickAt(eventWith(withDeadlines), [outageEnd]).state;
    for (const itemId of ['plan.master', 'plan.cyber', 'plan.permit']) {
      expect(escalated.items[itemId]!.escalationLevel).toBe(2);
    }
    expect(escalated.gates['plan-approval']!.escalationLevel).toBe(2);

    // 60 days later: plan.master is now due 2026-11-10T10:00Z.
    const to = { start: '2027-01-09T01:00:00.000Z', end: '2027-01-14T10:00:00.000Z' };
    const moved = given(escalated, [byPlanner(reschedule(to), outageEnd)]);
    expect(moved.items['plan.master']).toMatchObject({ due: '2026-11-10T10:00:00.000Z', escalationLevel: 0 });
    expect(moved.items['plan.cyber']!.escalationLevel).toBe(0);
    expect(moved.gates['plan-approval']!.escalationLevel).toBe(0);
    expect(moved.items['plan.permit']).toMatchObject({ due: permitDue, escalationLevel: 2 });

    const { effects } = runClock(moved, outageEnd, '2026-11-12T00:00:00.000Z');
    expect(effects.filter(about('plan.master')).map((n) => [n.kind, n.at, n.level])).toEqual([
      ['escalation', '2026-11-10T14:00:00.000Z', 1],
      ['escalation', '2026-11-11T10:00:00.000Z', 2],
    ]);
  });

  // Five days earlier, on 2026-09-20: plan.master's deadline becomes 2026-09-06 (past), plan.cyber's
  // 2026-09-21 (still ahead).
  it.each([
    ['open', [], ['plan.master']],
    ['done', [['office.mai', { type: 'completeItem', itemId: 'plan.master' }]], []],
  ] as [string, Step[], string[]][])(
    'reports as impossible the open items already late (plan.master %s: %j)',
    (_label, setup, impossible) => {
      const now = '2026-09-20T00:00:00.000Z';
      const to = { start: '2026-11-05T01:00:00.000Z', end: '2026-11-10T10:00:00.000Z' };
      const { result, effects } = play(given(eventWith(withDeadlines), setup), [byPlanner(reschedule(to), now)]);
      expect(result).toMatchObject({ type: 'rescheduled', impossible });
      expect(effects).toMatchObject([
        {
          kind: 'rescheduled',
          at: now,
          subject: { type: 'event', id: 'e' },
          to: { units: ['cyber', 'office', 'police'], roles: [] },
          details: { impossible },
        },
      ]);
    },
  );

  const valid = { start: '2026-11-17T01:00:00.000Z', end: '2026-11-22T10:00:00.000Z' };
  it.each<[string, string, Record<string, unknown>, Phase, string]>([
    ['a unit member', 'office.mai', valid, 'planning', 'NOT_PLANNER'],
    ['an approver', 'head.tuan', valid, 'planning', 'NOT_PLANNER'],
    [
      'a window ending before it starts',
      'planner.linh',
      { ...valid, end: '2026-11-16T01:00:00.000Z' },
      'planning',
      'INVALID_WINDOW',
    ],
    ['a window ending when it starts', 'planner.linh', { ...valid, end: valid.start }, 'planning', 'INVALID_WINDOW'],
    ['an unknown time zone', 'planner.linh', { ...valid, timeZone: 'Mars/Olympus_Mons' }, 'planning', 'INVALID_WINDOW'],
    ['an event that is live', 'planner.linh', valid, 'live', 'EVENT_LIVE'],
    ['an event under review', 'planner.linh', valid, 'review', 'EVENT_LIVE'],
    ['an event in readiness', 'planner.linh', valid, 'readiness', 'OK'],
    ['an admin', 'admin.root', valid, 'planning', 'OK'],
  ])('by %s gives the expected verdict (%s, %j, %s → %s)', (_label, actor, window, phase, code) => {
    const state: EventState = { ...eventWith(withDeadlines), phase };
    expect(play(state, [[actor, reschedule(window)]]).code).toBe(code);
  });
});

describe('cancelling', () => {
  const at = shift(t0, { days: 5 });
  const cancel: Step = ['planner.linh', { type: 'cancel', reason: 'the summit was called off' }, at];
  const cancelled = () => play(eventWith(withDeadlines), [cancel]);

  it('moves the event to cancelled, records why, and tells every unit', () => {
    const { state, result, effects } = cancelled();
    expect(state.phase).toBe('cancelled');
    const record = { by: 'planner.linh', at, reason: 'the summit was called off' };
    expect(state.cancelled).toEqual(record);
    expect(result).toEqual({ type: 'cancelled', cancelled: record });
    expect(effects).toMatchObject([
      {
        kind: 'eventCancelled',
        at,
        subject: { type: 'event', id: 'e' },
        to: { units: ['cyber', 'office', 'police'], roles: [] },
      },
    ]);
  });

  it.each([
    ['office.mai', 'NOT_PLANNER'],
    ['head.tuan', 'NOT_PLANNER'],
    ['admin.root', 'OK'],
  ])('by %s gives %s', (actor, code) => {
    expect(play(eventWith(withDeadlines), [[actor, cancel[1]]]).code).toBe(code);
  });

  it('the shared list holds one command of every type', () => {
    const types = commandSchema.options.map((option) => option.shape.type.value);
    expect(everyCommand.map(([, command]) => command.type).sort()).toEqual([...types].sort());
  });

  // This plan has no drills, no go/no-go gate and no delegation: no one may run those, and who may act is checked first.
  const noOneMay: Partial<Record<string, string>> = {
    revokeDelegation: 'NOT_DELEGATOR',
    recordDrillResult: 'NOT_EVALUATOR',
    waiveDrill: 'NOT_GATE_APPROVER',
    decideGoNoGo: 'NOT_GATE_APPROVER',
  };
  it.each(everyCommand.map(([actor, command]) => ({ actor, command })))(
    'refuses $command.type afterwards (EVENT_CLOSED, unless the plan lets no one run it)',
    ({ actor, command }) => {
      expect(play(cancelled().state, [[actor, command, shift(at, { minutes: 1 })]]).code).toBe(
        noOneMay[command.type] ?? 'EVENT_CLOSED',
      );
    },
  );

  it('stops the clock: tick fires nothing and changes nothing, nextWakeUp has nothing', () => {
    const far = '2027-06-01T00:00:00.000Z';
    const live = eventWith(withDeadlines);
    expect(nextWakeUp(live, at)).toBeDefined();
    expect(tick(live, far).effects).not.toEqual([]);

    const { state } = cancelled();
    const ticked = tick(state, far);
    expect(ticked.effects).toEqual([]);
    expect(ticked.state).toEqual(state);
    expect(nextWakeUp(state, at)).toBeUndefined();
  });
});
