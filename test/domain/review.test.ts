import { describe, expect, it } from 'vitest';
import { afterActionRecord, eventWindowSchema, planTemplateSchema, reconstruct, type HistoryStep } from '../../domain';
import { lifecycleTemplateInput, tinyWindow } from '../support/fixtures';
import {
  eventEnd,
  eventStart,
  given,
  liveEvent,
  play,
  runClock,
  shift,
  t0,
  throughReadiness,
  tickAt,
  type Step,
} from './scenario';

const inReview = () => tickAt(liveEvent(), [eventEnd]).state;
const later = (days: number) => shift(eventEnd, { days });
const lesson: Step = [
  'planner.linh',
  { type: 'addLesson', title: 'Failover runbook', observation: 'The failover took 25 minutes' },
  later(1),
];
const action = (unit: string, title = 'Write the failover runbook'): Step => [
  'planner.linh',
  { type: 'addCorrectiveAction', title, unit, due: later(30), lessonId: 'lesson-1' },
  later(1),
];
const closeReview: Step = [
  'head.tuan',
  { type: 'signOffGate', gateId: 'review-closure', decision: 'approve' },
  later(3),
];

describe('the review', () => {
  it('opens by the clock at the event end', () => {
    const state = inReview();
    expect(state.phase).toBe('review');
    expect(state.phaseChanges.at(-1)).toEqual({ phase: 'review', at: eventEnd });
  });

  it('adds lessons and corrective actions owned by units, tracked like items', () => {
    const played = play(inReview(), [lesson, action('cyber')]);
    expect(played.code).toBe('OK');
    expect(played.state.lessons).toEqual([
      {
        id: 'lesson-1',
        title: 'Failover runbook',
        observation: 'The failover took 25 minutes',
        by: 'planner.linh',
        at: later(1),
      },
    ]);
    expect(played.state.items['corrective.1']).toMatchObject({
      status: 'todo',
      due: later(30),
      origin: { kind: 'corrective', lessonId: 'lesson-1', by: 'planner.linh' },
    });
    expect(played.state.template.items.at(-1)).toMatchObject({ id: 'corrective.1', unit: 'cyber', phase: 'review' });
    expect(played.effects.map((e) => [e.kind, e.to.units])).toEqual([['correctiveActionAssigned', ['cyber']]]);
  });

  it('escalates an overdue corrective action like any item', () => {
    const state = given(inReview(), [lesson, action('police')]);
    const { effects } = runClock(state, later(1), later(31));
    expect(
      effects.filter((e) => e.kind === 'escalation' && e.subject.id === 'corrective.1').map((e) => e.to.roles),
    ).toEqual([['office-chief'], ['steering-head']]);
  });

  it.each<[string, Step[], string]>([
    ['a lesson from a unit member', [['office.mai', lesson[1], later(1)]], 'NOT_PLANNER'],
    ['an action for an unknown unit', [lesson, action('navy')], 'UNKNOWN_REFERENCE'],
    [
      'an action already due',
      [['planner.linh', { type: 'addCorrectiveAction', title: 'x', unit: 'cyber', due: eventEnd }, later(1)]],
      'INVALID_DUE',
    ],
    [
      'carrying over an ordinary item',
      [['planner.linh', { type: 'carryOverCorrectiveAction', itemId: 'cyber.pentest', reason: 'x' }, later(1)]],
      'NOT_CORRECTIVE_ACTION',
    ],
  ])('refuses %s', (_what, steps, code) => {
    expect(play(inReview(), steps).code).toBe(code);
  });

  it('refuses lessons before the review (WRONG_PHASE)', () => {
    expect(play(liveEvent(), [[lesson[0], lesson[1], eventStart]]).code).toBe('WRONG_PHASE');
  });

  it('keeps the review gate shut while a corrective action is open, and closes the event once all are closed or carried over', () => {
    const open = given(inReview(), [lesson, action('cyber'), action('police', 'Move the generator')]);
    expect(play(open, [closeReview]).code).toBe('GATE_NOT_OPEN');
    const played = play(open, [
      ['cyber.hung', { type: 'completeItem', itemId: 'corrective.1' }, later(2)],
      [
        'planner.linh',
        { type: 'carryOverCorrectiveAction', itemId: 'corrective.2', reason: 'Needs next year budget' },
        later(2),
      ],
      closeReview,
    ]);
    expect(played.code).toBe('OK');
    expect(played.state.items['corrective.2']).toMatchObject({
      status: 'carried_over',
      carriedOver: { by: 'planner.linh', reason: 'Needs next year budget', at: later(2) },
    });
    expect(played.state.phase).toBe('closed');
    expect(played.state.phaseChanges.at(-1)).toEqual({ phase: 'closed', at: later(3) });
  });
});

describe('the after-action record', () => {
  /** A whole lifecycle as the workflow's history would hold it: a start, commands and timer ticks. */
  function lifecycleHistory(): HistoryStep[] {
    const steps: Step[] = [
      ...throughReadiness,
      ['duty.khoa', { type: 'handOverDuty', shiftId: 'day-1', to: 'duty.khoa' }, shift(eventStart, { minutes: 1 })],
      [
        'duty.khoa',
        {
          type: 'reportIncident',
          incidentType: 'power',
          severity: 'critical',
          sessionId: 'plenary',
          description: 'Mất điện',
        },
        shift(eventStart, { hours: 3 }),
      ],
      ['duty.lan', { type: 'acknowledgeIncident', incidentId: 'inc-1' }, shift(eventStart, { hours: 3, minutes: 4 })],
      [
        'police.nam',
        { type: 'updateIncidentStep', incidentId: 'inc-1', stepId: 'generator', outcome: 'done' },
        shift(eventStart, { hours: 3, minutes: 10 }),
      ],
      [
        'duty.lan',
        { type: 'resolveIncident', incidentId: 'inc-1', resolution: 'Máy phát chạy' },
        shift(eventStart, { hours: 3, minutes: 34 }),
      ],
      lesson,
      action('cyber'),
    ];
    const history: HistoryStep[] = [
      {
        kind: 'started',
        at: t0,
        args: {
          eventId: 'e',
          template: planTemplateSchema.parse(lifecycleTemplateInput()),
          templateHash: 'sha256:test',
          window: eventWindowSchema.parse(tinyWindow),
          createdBy: 'planner.linh',
        },
      },
    ];
    steps.forEach(([actor, command, at = t0], i) => {
      if (at >= eventStart && !history.some((h) => h.kind === 'tick' && h.at === eventStart)) {
        history.push({ kind: 'tick', at: eventStart });
      }
      if (at >= eventEnd && !history.some((h) => h.kind === 'tick' && h.at === eventEnd)) {
        history.push({ kind: 'tick', at: eventEnd });
      }
      history.push({ kind: 'command', at, updateId: `u-${i}`, actor: { id: actor }, command });
    });
    return history;
  }

  it('gathers the lifecycle from history: phases, completion, drills, readiness, incidents, lessons and actions', () => {
    const { state, timeline } = reconstruct(lifecycleHistory());
    expect(timeline.filter((e) => e.type === 'unreplayable')).toEqual([]);
    const record = afterActionRecord(state!, timeline, later(2));

    expect(record.phases.map((p) => p.phase)).toEqual([
      'planning',
      'preparation',
      'rehearsal',
      'readiness',
      'live',
      'review',
    ]);
    expect(record.completion.overall).toMatchObject({ total: 5, done: 3, open: 2 });
    expect(record.completion.workGroups.find((g) => g.id === 'cyber')).toMatchObject({ total: 3, done: 1, open: 2 });
    expect(record.drills.map((d) => [d.id, d.status, d.attempts.length])).toEqual([
      ['ddos', 'passed', 1],
      ['power', 'passed', 1],
    ]);
    expect(record.readiness.signers.map((s) => s.by)).toEqual(['office.mai', 'head.tuan']);
    expect(record.readiness.risksAccepted.map((r) => [r.key, r.justification])).toEqual([
      ['item:cyber.pentest', 'Tested last month'],
    ]);
    expect(record.incidents).toMatchObject({ total: 1, open: 0, bySeverity: { critical: 1, high: 0 } });
    expect(record.incidents.list[0]).toMatchObject({
      sessionId: 'plenary',
      minutesToAcknowledge: 4,
      minutesToResolve: 34,
      typeTitle: 'Mất điện',
    });
    expect(record.incidents.meanMinutesToAcknowledge).toBe(4);
    // The critical incident escalated along the chain at once: one escalation of an incident.
    expect(record.overdue.escalations.incidents).toBe(1);
    expect(record.sessions.find((s) => s.id === 'plenary')?.incidents).toBe(1);
    expect(record.handovers).toHaveLength(1);
    expect(record.lessons.map((l) => l.id)).toEqual(['lesson-1']);
    expect(record.correctiveActions).toEqual([
      {
        id: 'corrective.1',
        title: 'Write the failover runbook',
        unit: 'cyber',
        due: later(30),
        status: 'todo',
        lessonId: 'lesson-1',
      },
    ]);
    expect(record.timeline.some((e) => e.type === 'decideGoNoGo')).toBe(true);
  });

  it('counts items completed after their deadline as late, per work group', () => {
    const { state, timeline } = reconstruct(lifecycleHistory());
    // Every item of the tiny plan was completed at t0, before its deadline; the pentest stayed open past it.
    const record = afterActionRecord(state!, timeline, later(2));
    expect(record.overdue.itemsCompletedLate).toBe(0);
    expect(record.overdue.itemsOpenPastDue).toBe(1);
    expect(record.overdue.byUnit).toEqual([{ unit: 'cyber', completedLate: 0, openPastDue: 1 }]);
    expect(record.completion.workGroups.find((g) => g.id === 'plan')).toMatchObject({
      onTime: 1,
      late: 0,
      percentOnTime: 100,
    });
  });

  it('plots done against planned by day for the burn-up', () => {
    const { state, timeline } = reconstruct(lifecycleHistory());
    const { burnUp } = afterActionRecord(state!, timeline, later(2));
    expect(burnUp[0]).toEqual({ date: t0.slice(0, 10), planned: 0, done: 3 });
    expect(burnUp.at(-1)).toMatchObject({ planned: 5, done: 3 });
    const planned = burnUp.map((p) => p.planned);
    expect(planned).toEqual([...planned].sort((a, b) => a - b));
  });
});
