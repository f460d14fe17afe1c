import { describe, expect, it } from 'vitest';
import { nextWakeUp, updateIncidentStep, type Incident } from '../../domain';
import {
  essentials,
  eventStart,
  given,
  lifecycleEvent,
  liveEvent,
  play,
  shift,
  throughReadiness,
  throughRehearsal,
  tickAt,
  when,
  type Step,
} from './scenario';

const at = (minutes: number) => shift(eventStart, { minutes });
const report = (severity: string, incidentType = 'cyber', actor = 'duty.khoa'): Step => [
  actor,
  { type: 'reportIncident', incidentType, severity, sessionId: 'opening', description: 'Lưu lượng bất thường' },
  at(5),
];
const incident = (action: string, actor = 'duty.khoa', extra: Record<string, unknown> = {}, minutes = 10): Step => [
  actor,
  { type: action, incidentId: 'inc-1', ...extra },
  at(minutes),
];
const step = (stepId: string, actor: string, outcome = 'done', note?: string): Step =>
  incident('updateIncidentStep', actor, { stepId, outcome, ...(note ? { note } : {}) });
const firstIncident = (state: { incidents: Incident[] }) => state.incidents[0]!;

describe('reporting an incident', () => {
  it('carries its type procedure as a checklist and alerts duty staff and the units of its steps', () => {
    const played = play(liveEvent(), [report('high')]);
    expect(played.code).toBe('OK');
    expect(firstIncident(played.state)).toMatchObject({
      id: 'inc-1',
      type: 'cyber',
      severity: 'high',
      sessionId: 'opening',
      status: 'reported',
      reportedBy: 'duty.khoa',
      reportedAt: at(5),
    });
    expect(firstIncident(played.state).steps.map((s) => [s.id, s.unit, s.status])).toEqual([
      ['isolate', 'cyber', 'open'],
      ['restore', 'cyber', 'open'],
      ['report', 'office', 'open'],
    ]);
    expect(played.effects.map(essentials)).toEqual([
      {
        kind: 'incidentReported',
        at: at(5),
        subject: { type: 'incident', id: 'inc-1' },
        to: { units: ['cyber', 'office'], roles: ['duty-officer'] },
        level: undefined,
      },
    ]);
  });

  it('escalates a critical incident along the whole chain at once', () => {
    const played = play(liveEvent(), [report('critical')]);
    const escalation = played.effects.find((e) => e.kind === 'escalation');
    expect(escalation && essentials(escalation)).toEqual({
      kind: 'escalation',
      at: at(5),
      subject: { type: 'incident', id: 'inc-1' },
      to: { units: ['cyber', 'office'], roles: ['office-chief', 'steering-head'] },
      level: 2,
    });
  });

  it.each<[string, Step, string]>([
    ['an unknown type', report('low', 'flood'), 'UNKNOWN_REFERENCE'],
    ['a viewer', report('low', 'cyber', 'viewer.trang'), 'READ_ONLY'],
    ['someone with neither a unit nor duty', report('low', 'cyber', 'head.tuan'), 'NOT_DUTY_STAFF'],
  ])('refuses a report from %s', (_what, command, code) => {
    expect(play(liveEvent(), [command]).code).toBe(code);
  });

  it('accepts a report from a member of any unit', () => {
    expect(play(liveEvent(), [report('low', 'power', 'police.nam')]).code).toBe('OK');
  });

  it('is refused before readiness (WRONG_PHASE)', () => {
    expect(play(lifecycleEvent(), [report('low')]).code).toBe('WRONG_PHASE');
  });

  it('is accepted during readiness, before the start', () => {
    expect(
      play(given(lifecycleEvent(), throughRehearsal), [when(report('low'), '2026-11-09T00:00:00.000Z')]).code,
    ).toBe('OK');
  });
});

describe('an unacknowledged incident', () => {
  it('escalates again one step further every acknowledgeWithin, and stops when acknowledged', () => {
    const reported = given(liveEvent(), [report('moderate')]);
    expect(nextWakeUp(reported, at(5))).toBe(at(20));
    const { state, effects } = tickAt(reported, [at(20), at(35)]);
    expect(effects.filter((e) => e.kind === 'escalation').map((e) => [e.at, e.level, e.to.roles])).toEqual([
      [at(20), 1, ['duty-officer', 'office-chief']],
      [at(35), 2, ['duty-officer', 'steering-head']],
    ]);
    expect(firstIncident(state).escalations).toBe(2);
    // The chain is exhausted: nothing more is scheduled for it.
    expect(tickAt(state, [at(200)]).effects.filter((e) => e.kind === 'escalation')).toEqual([]);

    const acknowledged = given(reported, [incident('acknowledgeIncident', 'duty.khoa', {}, 12)]);
    expect(tickAt(acknowledged, [at(60)]).effects.filter((e) => e.kind === 'escalation')).toEqual([]);
    expect(firstIncident(acknowledged)).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'duty.khoa' });
  });
});

describe('working an incident', () => {
  const reported = () => given(liveEvent(), [report('high')]);

  it('resolves once acknowledged and every step is done or not needed', () => {
    const played = play(reported(), [
      incident('acknowledgeIncident'),
      step('isolate', 'cyber.hung'),
      step('restore', 'duty.khoa'),
      step('report', 'office.mai', 'not_needed', 'Reported by phone'),
      incident('resolveIncident', 'duty.khoa', { resolution: 'Traffic filtered upstream' }, 40),
    ]);
    expect(played.code).toBe('OK');
    expect(firstIncident(played.state)).toMatchObject({
      status: 'resolved',
      resolvedBy: 'duty.khoa',
      resolvedAt: at(40),
      resolution: 'Traffic filtered upstream',
    });
    expect(played.effects.at(-1)?.kind).toBe('incidentResolved');
  });

  it.each<[string, Step[], string]>([
    [
      'resolving before acknowledging',
      [incident('resolveIncident', 'duty.khoa', { resolution: 'x' })],
      'INCIDENT_NOT_ACKNOWLEDGED',
    ],
    [
      'resolving with steps open',
      [incident('acknowledgeIncident'), incident('resolveIncident', 'duty.khoa', { resolution: 'x' })],
      'INCIDENT_STEPS_OPEN',
    ],
    ['a step by another unit', [step('isolate', 'police.nam')], 'NOT_UNIT_MEMBER'],
    ['a step twice', [step('isolate', 'cyber.hung'), step('isolate', 'cyber.hung')], 'STEP_ALREADY_SETTLED'],
    ['an unknown step', [step('pray', 'duty.khoa')], 'STEP_NOT_FOUND'],
    [
      'acknowledging twice',
      [incident('acknowledgeIncident'), incident('acknowledgeIncident', 'duty.lan')],
      'INCIDENT_ALREADY_ACKNOWLEDGED',
    ],
    ['acknowledging by a unit member', [incident('acknowledgeIncident', 'cyber.hung')], 'NOT_DUTY_STAFF'],
    ['reopening an open incident', [incident('reopenIncident', 'duty.khoa', { reason: 'x' })], 'INCIDENT_NOT_RESOLVED'],
    [
      'an unknown incident',
      [['duty.khoa', { type: 'acknowledgeIncident', incidentId: 'inc-9' }, at(10)]],
      'INCIDENT_NOT_FOUND',
    ],
  ])('refuses %s', (_what, steps, code) => {
    expect(play(reported(), steps).code).toBe(code);
  });

  it('reopens a resolved incident with a reason, keeping its acknowledgement', () => {
    const resolved = given(reported(), [
      incident('acknowledgeIncident'),
      step('isolate', 'cyber.hung'),
      step('restore', 'cyber.hung'),
      step('report', 'office.mai'),
      incident('resolveIncident', 'duty.khoa', { resolution: 'ok' }),
    ]);
    const played = play(resolved, [incident('reopenIncident', 'duty.lan', { reason: 'Attack resumed' }, 50)]);
    expect(played.code).toBe('OK');
    const reopened = firstIncident(played.state);
    expect(reopened.status).toBe('acknowledged');
    expect(reopened.resolvedAt).toBeUndefined();
    expect(reopened.reopened).toEqual([{ by: 'duty.lan', at: at(50), reason: 'Attack resumed' }]);
  });

  it('needs a note for a step that is not needed', () => {
    const parsed = updateIncidentStep.body.safeParse({ outcome: 'not_needed' });
    expect(parsed.error?.issues.map((i) => i.path)).toEqual([['note']]);
  });
});

describe('duty handovers', () => {
  const handover = (actor: string, to: string, shiftId = 'day-1', minutes = 0): Step => [
    actor,
    { type: 'handOverDuty', shiftId, to },
    at(minutes),
  ];

  it('records the outgoing and incoming officer and the open incidents handed over', () => {
    const played = play(liveEvent(), [
      handover('duty.khoa', 'duty.khoa'),
      report('high'),
      handover('duty.khoa', 'duty.lan', 'night-1', 600),
    ]);
    expect(played.code).toBe('OK');
    expect(played.state.handovers).toEqual([
      { id: 'handover-1', shiftId: 'day-1', to: 'duty.khoa', at: at(0), openIncidents: [] },
      {
        id: 'handover-2',
        shiftId: 'night-1',
        from: 'duty.khoa',
        to: 'duty.lan',
        at: at(600),
        openIncidents: ['inc-1'],
      },
    ]);
  });

  it.each<[string, Step[], string]>([
    [
      'taking duty while another officer is on duty',
      [handover('duty.khoa', 'duty.khoa'), handover('duty.lan', 'duty.lan')],
      'NOT_ON_DUTY',
    ],
    [
      'a handover to the officer already on duty',
      [handover('duty.khoa', 'duty.khoa'), handover('duty.khoa', 'duty.khoa')],
      'INVALID_HANDOVER',
    ],
    [
      'a handover from an officer off duty',
      [handover('duty.khoa', 'duty.lan'), handover('duty.khoa', 'duty.khoa')],
      'NOT_ON_DUTY',
    ],
    ['a handover to someone who is not a duty officer', [handover('duty.khoa', 'police.nam')], 'INVALID_HANDOVER'],
    ['an unknown shift', [handover('duty.khoa', 'duty.khoa', 'day-9')], 'SHIFT_NOT_FOUND'],
  ])('refuses %s', (_what, steps, code) => {
    expect(play(liveEvent(), steps).code).toBe(code);
  });

  it('flags a shift that began without a handover, once, after the grace period', () => {
    const shiftStart = '2026-11-09T23:00:00.000Z'; // 06:00 in Hanoi on the first day
    // Declared ready, before the start: the first shift begins two hours before the opening.
    const state = given(lifecycleEvent(), throughReadiness);
    const { effects, state: after } = tickAt(state, [
      shift(shiftStart, { minutes: 16 }),
      shift(shiftStart, { minutes: 30 }),
    ]);
    expect(effects.filter((e) => e.kind === 'handoverMissed').map((e) => [e.subject.id, e.at])).toEqual([
      ['day-1', shift(shiftStart, { minutes: 15 })],
    ]);
    expect(after.missedHandovers).toEqual(['day-1']);
  });
});
