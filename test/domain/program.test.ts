import { describe, expect, it } from 'vitest';
import {
  applyProgramCommand,
  AT_RISK_LIMIT,
  carriedItemIds,
  checkProgramCommand,
  createEventState,
  createProgramInputSchema,
  createProgramState,
  dueConflicts,
  eventWindowSchema,
  planTemplateSchema,
  programCommandRequestSchema,
  programReportOf,
  programRollUp,
  riskScore,
  SYSTEM_PROGRAM,
  withCarriedItems,
  type ProgramCommand,
  type ProgramEventSummary,
  type ProgramReport,
  type ProgramResult,
  type ProgramState,
} from '../../domain';
import { tinyTemplate, tinyWindow } from '../support/fixtures';
import { eventEnd, given, liveEvent, shift, tickAt, type Step } from './scenario';

const now = '2027-01-01T00:00:00.000Z';
const system = { id: SYSTEM_PROGRAM };
const planner = { id: 'planner.linh' };

const program = (carryOver: 'offer' | 'require' = 'require') =>
  createProgramState({
    ...createProgramInputSchema.parse({ id: 'asean-2027', title: 'ASEAN 2027', policy: { carryOver } }),
    createdBy: 'planner.linh',
    now,
  });

function run(state: ProgramState, command: ProgramCommand, actor = system, at = now) {
  const refusal = checkProgramCommand(state, command, actor);
  if (refusal) throw new Error(`refused: ${refusal.code}`);
  return applyProgramCommand(state, command, actor, at);
}

const report = (eventId: string, change: Partial<ProgramReport> = {}): ProgramReport => ({
  eventId,
  program: 'asean-2027',
  phase: 'review',
  at: now,
  lessons: [],
  carriedOver: [],
  carriedItems: [],
  ...change,
});
const carried = (itemId: string, unit: string, title = `Action ${itemId}`) => ({
  itemId,
  title,
  unit,
  reason: 'not done before the event closed',
  by: 'planner.linh',
  at: now,
});
const takeUp = (eventId: string, units: string[], existingItemIds: string[] = []): ProgramCommand => ({
  type: 'takeUpCarriedActions',
  eventId,
  units,
  existingItemIds,
});
const takenUp = (result: ProgramResult) => {
  if (result.type !== 'carriedActionsTakenUp') throw new Error(result.type);
  return result;
};

/** A program with two actions carried over by event e1: one for cyber, one for the navy (absent from the tiny plan). */
const withTwoActions = (carryOver: 'offer' | 'require' = 'require') =>
  run(
    program(carryOver),
    {
      type: 'reportEvent',
      report: report('e1', { carriedOver: [carried('corrective.1', 'cyber'), carried('corrective.2', 'navy')] }),
    },
    system,
  ).state;

describe('a program', () => {
  it('defaults to offering carried actions and refuses ids outside the closed alphabet', () => {
    expect(createProgramInputSchema.parse({ id: 'p', title: 'P' }).policy).toEqual({ carryOver: 'offer' });
    expect(createProgramInputSchema.safeParse({ id: "p' OR 1=1", title: 'P' }).success).toBe(false);
    expect(createProgramInputSchema.safeParse({ id: 'p', title: 'P', policy: { carryOver: 'maybe' } }).success).toBe(
      false,
    );
    expect(JSON.parse(JSON.stringify(program()))).toEqual(program());
  });
});

describe('what an event reports', () => {
  const lesson: Step = [
    'planner.linh',
    { type: 'addLesson', title: 'Failover runbook', observation: 'The failover took 25 minutes' },
    shift(eventEnd, { days: 1 }),
  ];
  const action: Step = [
    'planner.linh',
    {
      type: 'addCorrectiveAction',
      title: 'Write the failover runbook',
      unit: 'cyber',
      due: shift(eventEnd, { days: 30 }),
      lessonId: 'lesson-1',
    },
    shift(eventEnd, { days: 1 }),
  ];
  const carryOver: Step = [
    'planner.linh',
    { type: 'carryOverCorrectiveAction', itemId: 'corrective.1', reason: 'needs the new platform' },
    shift(eventEnd, { days: 2 }),
  ];

  it('is nothing for an event outside any program', () => {
    expect(programReportOf(liveEvent())).toBeUndefined();
  });

  it('carries the lessons, the corrective actions carried over with their unit and reason, and its carried items', () => {
    const inReview = { ...tickAt(liveEvent(), [eventEnd]).state, program: 'asean-2027' };
    const state = given(inReview, [lesson, action, carryOver]);
    expect(programReportOf(state)).toEqual({
      eventId: 'e',
      program: 'asean-2027',
      phase: 'review',
      at: shift(eventEnd, { days: 2 }),
      lessons: [
        {
          id: 'lesson-1',
          title: 'Failover runbook',
          observation: 'The failover took 25 minutes',
          by: 'planner.linh',
          at: shift(eventEnd, { days: 1 }),
        },
      ],
      carriedOver: [
        {
          itemId: 'corrective.1',
          title: 'Write the failover runbook',
          unit: 'cyber',
          reason: 'needs the new platform',
          by: 'planner.linh',
          at: shift(eventEnd, { days: 2 }),
          lessonId: 'lesson-1',
        },
      ],
      carriedItems: [],
    });
    expect(
      programCommandRequestSchema.safeParse({
        actor: system,
        command: { type: 'reportEvent', report: programReportOf(state) },
      }).success,
    ).toBe(true);
  });
});

describe('carry-over rules', () => {
  it('takes reports only from the system actor, for its own program', () => {
    const command: ProgramCommand = { type: 'reportEvent', report: report('e1') };
    expect(checkProgramCommand(program(), command, planner)?.code).toBe('NOT_SYSTEM');
    expect(
      checkProgramCommand(program(), { type: 'reportEvent', report: { ...report('e1'), program: 'other' } }, system)
        ?.code,
    ).toBe('PROGRAM_MISMATCH');
    expect(checkProgramCommand(program(), takeUp('e2', ['cyber']), system)?.code).toBe('SYSTEM_ACTOR');
  });

  it('merges reports idempotently: the same snapshot twice adds nothing', () => {
    const lessons = [{ id: 'lesson-1', title: 'L', observation: 'O', by: 'planner.linh', at: now }];
    const snapshot = report('e1', { lessons, carriedOver: [carried('corrective.1', 'cyber')] });
    const first = run(program(), { type: 'reportEvent', report: snapshot });
    expect(first.result).toEqual({
      type: 'eventReported',
      eventId: 'e1',
      newActions: ['e1:corrective.1'],
      newLessons: ['e1:lesson-1'],
      resolved: [],
      returned: [],
    });
    expect(first.state.actions).toEqual([
      expect.objectContaining({
        id: 'e1:corrective.1',
        from: { eventId: 'e1', itemId: 'corrective.1' },
        unit: 'cyber',
        status: 'open',
      }),
    ]);
    expect(first.state.lessons).toEqual([
      expect.objectContaining({ id: 'e1:lesson-1', eventId: 'e1', lessonId: 'lesson-1' }),
    ]);
    const again = run(first.state, { type: 'reportEvent', report: snapshot }, system, '2027-01-02T00:00:00.000Z');
    expect(again.state).toBe(first.state);
    expect(again.result).toMatchObject({ newActions: [], newLessons: [] });
    // An older snapshot arriving late changes nothing either.
    const older = run(first.state, {
      type: 'reportEvent',
      report: { ...report('e1'), at: '2026-12-01T00:00:00.000Z' },
    });
    expect(older.state.events).toEqual([{ eventId: 'e1', phase: 'review', reportedAt: now }]);
  });

  it('under require, gives a new event the open actions whose unit its plan has, and reports the others not applicable', () => {
    const { state, result } = run(withTwoActions(), takeUp('e2', ['office', 'cyber', 'police']), planner);
    expect(takenUp(result)).toEqual({
      type: 'carriedActionsTakenUp',
      eventId: 'e2',
      required: [
        {
          actionId: 'e1:corrective.1',
          itemId: 'carried.1',
          title: 'Action corrective.1',
          unit: 'cyber',
          from: { eventId: 'e1', itemId: 'corrective.1' },
          reason: 'not done before the event closed',
        },
      ],
      notApplicable: [{ actionId: 'e1:corrective.2', title: 'Action corrective.2', unit: 'navy' }],
      repeated: false,
    });
    expect(
      state.actions.map((a) => [a.id, a.status, a.takenUp?.eventId, a.notApplicable.map((n) => n.eventId)]),
    ).toEqual([
      ['e1:corrective.1', 'taken_up', 'e2', []],
      ['e1:corrective.2', 'open', undefined, ['e2']],
    ]);
    // A retried start of the same event gets the same answer; a later event gets only what is still open.
    expect(takenUp(run(state, takeUp('e2', ['cyber']), planner).result)).toMatchObject({
      repeated: true,
      required: [{ itemId: 'carried.1' }],
    });
    expect(
      takenUp(run(state, takeUp('e3', ['cyber', 'navy']), planner).result).required.map((r) => r.actionId),
    ).toEqual(['e1:corrective.2']);
  });

  it('numbers carried items from 1, skipping ids the plan already has', () => {
    expect(carriedItemIds(3, [])).toEqual(['carried.1', 'carried.2', 'carried.3']);
    expect(carriedItemIds(2, ['carried.1', 'carried.3'])).toEqual(['carried.2', 'carried.4']);
    const state = run(program(), {
      type: 'reportEvent',
      report: report('e1', { carriedOver: [carried('corrective.1', 'cyber'), carried('corrective.2', 'cyber')] }),
    }).state;
    expect(
      takenUp(run(state, takeUp('e2', ['cyber'], ['carried.1']), planner).result).required.map((r) => r.itemId),
    ).toEqual(['carried.2', 'carried.3']);
  });

  it('gives the reservation back when the event could not start', () => {
    const taken = run(withTwoActions(), takeUp('e2', ['cyber']), planner).state;
    const { state, result } = run(taken, { type: 'releaseCarriedActions', eventId: 'e2' }, planner);
    expect(result).toEqual({ type: 'carriedActionsReleased', eventId: 'e2', released: ['e1:corrective.1'] });
    expect(state.actions.map((a) => [a.status, a.notApplicable])).toEqual([
      ['open', []],
      ['open', []],
    ]);
    expect(state.takeUps).toEqual([]);
    expect(run(state, { type: 'releaseCarriedActions', eventId: 'e2' }, planner).result).toMatchObject({
      released: [],
    });
  });

  it('resolves an action when the event that took it up settles its item, and reopens it when that event ends without', () => {
    const taken = run(withTwoActions(), takeUp('e2', ['cyber']), planner).state;
    const inWork = run(taken, {
      type: 'reportEvent',
      report: report('e2', { phase: 'planning', carriedItems: [{ itemId: 'carried.1', status: 'in_progress' }] }),
    });
    expect(inWork.result).toMatchObject({ resolved: [], returned: [] });
    const done = run(taken, {
      type: 'reportEvent',
      report: report('e2', { phase: 'preparation', carriedItems: [{ itemId: 'carried.1', status: 'done' }] }),
    });
    expect(done.result).toMatchObject({ resolved: ['e1:corrective.1'] });
    expect(done.state.actions[0]).toMatchObject({
      status: 'resolved',
      resolved: { eventId: 'e2', itemId: 'carried.1', status: 'done' },
    });

    const cancelled = run(taken, {
      type: 'reportEvent',
      report: report('e2', { phase: 'cancelled', carriedItems: [{ itemId: 'carried.1', status: 'todo' }] }),
    });
    expect(cancelled.result).toMatchObject({ returned: ['e1:corrective.1'] });
    expect(cancelled.state.actions[0]).toMatchObject({
      status: 'open',
      returned: [{ eventId: 'e2', itemId: 'carried.1' }],
    });
    expect(cancelled.state.actions[0]!.takenUp).toBeUndefined();
    // Another event's report never touches e2's actions.
    const other = run(taken, {
      type: 'reportEvent',
      report: report('e9', { phase: 'cancelled', carriedItems: [{ itemId: 'carried.1', status: 'done' }] }),
    });
    expect(other.state.actions[0]!.status).toBe('taken_up');
  });

  it('adds required actions as planning items of the unit, covered by the first planning gate and due with it', () => {
    const input = tinyTemplate();
    const gated = {
      ...input,
      gates: input.gates.map((g) =>
        g.id === 'plan-approval' ? { ...g, due: { daysBefore: 40, at: '17:00', from: 'start' as const } } : g,
      ),
    };
    const template = withCarriedItems(gated, [
      { itemId: 'carried.1', title: 'Write the failover runbook', unit: 'cyber' },
    ]);
    expect(template.items.at(-1)).toEqual({
      id: 'carried.1',
      title: 'Write the failover runbook',
      workGroup: 'cyber',
      unit: 'cyber',
      phase: 'planning',
      due: { daysBefore: 40, at: '17:00', from: 'start' },
      dependsOn: [],
      evidenceRequired: false,
    });
    expect(template.gates.find((g) => g.id === 'plan-approval')!.covers).toContain('carried.1');
    expect(planTemplateSchema.safeParse(template).success).toBe(true);
    const window = eventWindowSchema.parse(tinyWindow);
    expect(dueConflicts(template, window)).toEqual([]);
    const state = createEventState({
      eventId: 'e2',
      template,
      templateHash: 'h',
      window,
      createdBy: 'planner.linh',
      now,
    });
    expect(state.items['carried.1']).toMatchObject({ status: 'todo' });
    // Without a deadline on the gate, the item falls due at the event start; nothing required leaves the plan as it was.
    expect(withCarriedItems(input, [{ itemId: 'carried.1', title: 'T', unit: 'police' }]).items.at(-1)).toMatchObject({
      workGroup: 'order',
      due: { daysBefore: 0, from: 'start' },
    });
    expect(withCarriedItems(input, [])).toBe(input);
  });

  it("reports the status of the plan's carried items back", () => {
    const template = withCarriedItems(tinyTemplate(), [{ itemId: 'carried.1', title: 'T', unit: 'cyber' }]);
    const state = createEventState({
      eventId: 'e2',
      program: 'asean-2027',
      template,
      templateHash: 'h',
      window: eventWindowSchema.parse(tinyWindow),
      createdBy: 'planner.linh',
      now,
    });
    expect(programReportOf(state)?.carriedItems).toEqual([{ itemId: 'carried.1', status: 'todo' }]);
  });
});

describe('the risk score', () => {
  const at = '2027-03-01T00:00:00.000Z';
  const event = (change: Partial<ProgramEventSummary> = {}): ProgramEventSummary => ({
    eventId: 'e',
    status: 'RUNNING',
    phase: 'preparation',
    eventStart: shift(at, { days: 30 }),
    percentComplete: 100,
    overdueCount: 0,
    openIncidents: 0,
    ...change,
  });

  it('weighs 3 per overdue item, 10 per open incident and the readiness gap by nearness of the start', () => {
    expect(riskScore(event({ overdueCount: 4 }), at)).toEqual({
      score: 12,
      overdue: 12,
      incidents: 0,
      readinessGap: 0,
    });
    expect(riskScore(event({ openIncidents: 2, phase: 'live' }), at).score).toBe(20);
    // 40 % missing: fully at the start, half 30 days before, a quarter 90 days before.
    expect(riskScore(event({ percentComplete: 60, eventStart: at }), at).readinessGap).toBe(40);
    expect(riskScore(event({ percentComplete: 60, eventStart: shift(at, { days: -2 }) }), at).readinessGap).toBe(40);
    expect(riskScore(event({ percentComplete: 60 }), at).readinessGap).toBe(20);
    expect(riskScore(event({ percentComplete: 60, eventStart: shift(at, { days: 90 }) }), at).readinessGap).toBe(10);
    expect(riskScore(event({ percentComplete: 60, overdueCount: 1, openIncidents: 1 }), at).score).toBe(33);
  });

  it('counts an unpublished percent as 0 %, ignores the gap in review and scores ended events 0', () => {
    expect(riskScore(event({ percentComplete: undefined, eventStart: at }), at).readinessGap).toBe(100);
    expect(riskScore(event({ phase: 'review', percentComplete: 10, overdueCount: 1 }), at)).toEqual({
      score: 3,
      overdue: 3,
      incidents: 0,
      readinessGap: 0,
    });
    expect(riskScore(event({ phase: 'closed', overdueCount: 5 }), at).score).toBe(0);
    expect(riskScore(event({ status: 'TERMINATED', overdueCount: 5 }), at).score).toBe(0);
  });

  it('rolls up by phase and over active events, and lists the ten most at risk', () => {
    const events: ProgramEventSummary[] = [
      ...Array.from({ length: 12 }, (_, i) =>
        event({ eventId: `p${String(i).padStart(2, '0')}`, overdueCount: i, percentComplete: 100 }),
      ),
      event({ eventId: 'fresh', phase: 'planning', percentComplete: undefined, overdueCount: undefined }),
      event({ eventId: 'done', phase: 'closed', status: 'COMPLETED', percentComplete: 100, overdueCount: 9 }),
      event({ eventId: 'gone', phase: 'planning', status: 'TERMINATED', overdueCount: 9 }),
      event({ eventId: 'burning', phase: 'live', openIncidents: 3, percentComplete: 80, eventStart: at }),
    ];
    const rollUp = programRollUp(events, at);
    expect(rollUp).toMatchObject({
      events: 16,
      active: 14,
      byPhase: { preparation: 12, planning: 1, closed: 1, terminated: 1, live: 1 },
      meanPercentComplete: Math.round(((12 * 100 + 80) / 13) * 10) / 10,
      overdueItems: 66,
      escalatingEvents: 11,
      openIncidents: 3,
    });
    expect(rollUp.atRisk).toHaveLength(AT_RISK_LIMIT);
    // burning: 30 + 20 = 50; fresh: 100 × ½ = 50, later start; then p11 (33), p10 (30)…
    expect(rollUp.atRisk.map((e) => [e.eventId, e.risk.score])).toEqual([
      ['burning', 50],
      ['fresh', 50],
      ['p11', 33],
      ['p10', 30],
      ['p09', 27],
      ['p08', 24],
      ['p07', 21],
      ['p06', 18],
      ['p05', 15],
      ['p04', 12],
    ]);
    expect(programRollUp([], at)).toMatchObject({ events: 0, meanPercentComplete: null, atRisk: [] });
  });
});
