import { describe, expect, it } from 'vitest';
import {
  commandAuthority,
  commandSchema,
  createEventState,
  eventWindowSchema,
  listAccess,
  participantKey,
  readAccess,
  rosterParticipants,
  type EventState,
  type Reader,
} from '../../domain';
import { tinyTemplate, tinyWindow } from '../support/fixtures';
import { everyCommand, given, lifecycleEvent, play, t0, type RawCommand, type Step } from './scenario';

const reader = (id: string, claims: Partial<Omit<Reader, 'id'>> = {}): Reader => ({
  id,
  roles: [],
  units: [],
  programs: [],
  ...claims,
});

/** The lifecycle event, with one delegation from head.tuan to duty.lan. */
const event = (): EventState =>
  given(lifecycleEvent(), [
    ['head.tuan', { type: 'delegate', to: 'duty.lan', validUntil: '2026-12-01T00:00:00.000Z' }],
  ]);

describe('read and list access', () => {
  const state = { ...event(), program: 'asean-2020' };

  it.each([
    ['a planner (claim)', reader('anyone', { roles: ['planner'] }), 'full'],
    ['an admin (claim)', reader('anyone', { roles: ['admin'] }), 'full'],
    ["a reader of the event's program", reader('anyone', { programs: ['asean-2020'] }), 'full'],
    ['a reader of every program', reader('anyone', { programs: ['*'] }), 'full'],
    ['a roster member without claims', reader('police.nam'), 'scoped'],
    ['a roster viewer', reader('viewer.trang'), 'scoped'],
    ['someone off the roster claiming its units and roles', reader('hx.stranger', { units: ['police'] }), 'none'],
    ['a reader of another program', reader('anyone', { programs: ['other'] }), 'none'],
  ])('gives %s %s read access', (_who, who, level) => {
    expect(readAccess(state, who).level).toBe(level);
  });

  it('scopes a roster member by their roster entry, never by their claims', () => {
    expect(readAccess(state, reader('police.nam', { units: ['cyber', 'office'], roles: ['steering-head'] }))).toEqual({
      level: 'scoped',
      units: ['police'],
      roles: [],
    });
  });

  it('lists everything to full readers and, to anyone else, the events whose roster holds them or whose program they read', () => {
    expect(listAccess(reader('r', { roles: ['planner'] }))).toEqual({ all: true });
    expect(listAccess(reader('r', { roles: ['admin'] }))).toEqual({ all: true });
    expect(listAccess(reader('r', { programs: ['*'] }))).toEqual({ all: true });
    expect(listAccess(reader('r', { roles: ['viewer'], units: ['police'], programs: ['asean-2020'] }))).toEqual({
      all: false,
      participants: [participantKey('r')],
      programs: ['asean-2020'],
    });
  });

  it("matches a list only where a read is allowed: the participants are the roster's people", () => {
    const participants = rosterParticipants(state.roster);
    const lists = (who: Reader) => {
      const access = listAccess(who);
      return access.all || access.participants.some((p) => participants.includes(p));
    };
    for (const person of state.roster) expect(lists(reader(person.id)), person.id).toBe(true);
    expect(lists(reader('hx.stranger', { units: ['police'], roles: ['steering-head'] }))).toBe(false);
    expect(participants.join(',')).not.toMatch(/police\.nam|unit:|role:/);
  });
});

describe('who may run a command kind, from the roster alone', () => {
  const state = event();
  const kinds = (personId: string) => {
    const person = state.roster.find((p) => p.id === personId)!;
    return everyCommand
      .map(([, raw]) => commandSchema.parse(raw))
      .filter((command) => commandAuthority(state, command, person) === undefined)
      .map((command) => command.type)
      .sort();
  };
  const items = ['blockItem', 'completeItem', 'requestWaiver', 'startItem', 'unblockItem'];
  const incidents = ['acknowledgeIncident', 'reopenIncident', 'resolveIncident'];
  const review = ['addCorrectiveAction', 'addLesson', 'carryOverCorrectiveAction'];
  const planner = [...review, ...incidents, 'cancel', 'handOverDuty', 'reportIncident', 'requestWaiver', 'reschedule'];

  it.each([
    ['planner.linh', 'a planner', [...planner, 'updateIncidentStep']],
    ['admin.root', 'an admin', [...planner, 'revokeDelegation', 'updateIncidentStep']],
    [
      'head.tuan',
      'the steering head (approver, delegator)',
      ['decideGoNoGo', 'decideWaiver', 'delegate', 'revokeDelegation', 'signOffGate', 'waiveDrill'],
    ],
    [
      'office.mai',
      'the office chief (approver and unit member)',
      [
        ...items,
        'decideGoNoGo',
        'decideWaiver',
        'delegate',
        'reportIncident',
        'signOffGate',
        'submitProgressReport',
        'updateIncidentStep',
      ],
    ],
    ['police.nam', 'a unit member', [...items, 'reportIncident', 'updateIncidentStep']],
    ['duty.khoa', 'a duty officer', [...incidents, 'handOverDuty', 'reportIncident', 'updateIncidentStep']],
    ['eval.an', 'an evaluator', ['recordDrillResult']],
    [
      'duty.lan',
      'a duty officer holding a delegation',
      [...incidents, 'handOverDuty', 'reportIncident', 'updateIncidentStep'],
    ],
  ])('lets %s (%s) run only their kinds', (personId, _who, expected) => {
    expect(kinds(personId)).toEqual([...new Set(expected)].sort());
  });

  it('refuses check results to every roster person: they come from the check activity only', () => {
    const command = commandSchema.parse(everyCommand.find(([, c]) => c.type === 'recordCheckResult')![1]);
    for (const person of state.roster) expect(commandAuthority(state, command, person)?.code).toBe('NOT_SYSTEM');
  });

  it('lets a delegate sign on behalf of their delegator, and no one else who holds no approver role', () => {
    const onBehalf: RawCommand = { type: 'signOffGate', gateId: 'nope', decision: 'approve', onBehalfOf: 'head.tuan' };
    expect(play(state, [['duty.lan', onBehalf]]).code).toBe('GATE_NOT_FOUND');
    expect(play(state, [['duty.khoa', onBehalf]]).code).toBe('NO_ACTIVE_DELEGATION');
  });

  it('leaves viewers and people off the roster no command at all', () => {
    for (const [, command] of everyCommand.filter(([, c]) => c.type !== 'recordCheckResult')) {
      expect(play(state, [['viewer.trang', command]]).code).toBe('READ_ONLY');
      expect(play(state, [['hx.stranger', command]]).code).toBe('NOT_IN_ROSTER');
    }
  });
});

describe('who may act is checked before what exists and the phase', () => {
  // [probe, someone on the roster without the authority, their refusal, someone with it, what they hear]
  const probes: [string, RawCommand, string, string, string, string][] = [
    [
      'an incident',
      { type: 'acknowledgeIncident', incidentId: 'inc-9' },
      'police.nam',
      'NOT_DUTY_STAFF',
      'duty.khoa',
      'INCIDENT_NOT_FOUND',
    ],
    [
      'an incident step',
      { type: 'updateIncidentStep', incidentId: 'inc-9', stepId: 'isolate', outcome: 'done' },
      'head.tuan',
      'NOT_UNIT_MEMBER',
      'cyber.hung',
      'INCIDENT_NOT_FOUND',
    ],
    [
      'a progress review',
      { type: 'submitProgressReport', reviewId: 'review-9', unit: 'office', status: 'on_track' },
      'police.nam',
      'NOT_UNIT_MEMBER',
      'office.mai',
      'REVIEW_NOT_FOUND',
    ],
    [
      'the phase of incident reports',
      { type: 'reportIncident', incidentType: 'power', severity: 'low', description: 'flicker' },
      'head.tuan',
      'NOT_DUTY_STAFF',
      'duty.khoa',
      'WRONG_PHASE',
    ],
    [
      'the phase of handovers',
      { type: 'handOverDuty', shiftId: 'day-1', to: 'duty.lan' },
      'police.nam',
      'NOT_DUTY_STAFF',
      'duty.khoa',
      'WRONG_PHASE',
    ],
    [
      'the phase of the review',
      { type: 'addLesson', title: 'x', observation: 'y' },
      'police.nam',
      'NOT_PLANNER',
      'planner.linh',
      'WRONG_PHASE',
    ],
    [
      'a drill scenario',
      { type: 'recordDrillResult', scenarioId: 'nope', ratings: [{ targetId: 't', rating: 'performed' }] },
      'police.nam',
      'NOT_EVALUATOR',
      'eval.an',
      'SCENARIO_NOT_FOUND',
    ],
    [
      'a drill to waive',
      { type: 'waiveDrill', scenarioId: 'nope', justification: 'x' },
      'office.mai',
      'NOT_GATE_APPROVER',
      'head.tuan',
      'SCENARIO_NOT_FOUND',
    ],
    [
      'an item',
      { type: 'completeItem', itemId: 'nope' },
      'head.tuan',
      'NOT_ITEM_OWNER',
      'office.mai',
      'ITEM_NOT_FOUND',
    ],
    [
      'a waiver',
      { type: 'decideWaiver', itemId: 'nope', decision: 'approve' },
      'police.nam',
      'NOT_WAIVER_APPROVER',
      'head.tuan',
      'ITEM_NOT_FOUND',
    ],
    [
      'a gate',
      { type: 'signOffGate', gateId: 'nope', decision: 'approve' },
      'police.nam',
      'NOT_GATE_APPROVER',
      'head.tuan',
      'GATE_NOT_FOUND',
    ],
    [
      'a go/no-go gate',
      { type: 'decideGoNoGo', gateId: 'nope', decision: 'go' },
      'police.nam',
      'NOT_GATE_APPROVER',
      'head.tuan',
      'GATE_NOT_FOUND',
    ],
    [
      'a delegation',
      { type: 'revokeDelegation', delegationId: 'dlg-9' },
      'police.nam',
      'NOT_DELEGATOR',
      'admin.root',
      'DELEGATION_NOT_FOUND',
    ],
    [
      'a corrective action',
      { type: 'carryOverCorrectiveAction', itemId: 'nope', reason: 'x' },
      'police.nam',
      'NOT_PLANNER',
      'planner.linh',
      'WRONG_PHASE',
    ],
  ];

  it.each(probes)(
    'tells a member without authority nothing about %s',
    (_what, command, outsider, refusal, insider, answer) => {
      const state = event();
      expect(play(state, [[outsider, command]]).code).toBe(refusal);
      expect(play(state, [[insider, command]]).code).toBe(answer);
    },
  );

  it('refuses a member without authority before saying the event is closed', () => {
    const closed = given(event(), [['planner.linh', { type: 'cancel', reason: 'called off' }]]);
    const sign: Step = ['police.nam', { type: 'signOffGate', gateId: 'plan-approval', decision: 'approve' }];
    expect(play(closed, [sign]).code).toBe('NOT_GATE_APPROVER');
    expect(play(closed, [['head.tuan', sign[1]]]).code).toBe('EVENT_CLOSED');
  });
});

describe('the planner who started an event can always cancel it', () => {
  const template = tinyTemplate();
  const startedWith = (roster: EventState['roster']) =>
    createEventState({
      eventId: 'e',
      template,
      templateHash: 'sha256:test',
      window: eventWindowSchema.parse(tinyWindow),
      roster,
      createdBy: 'planner.linh',
      now: t0,
    });
  const cancel: RawCommand = { type: 'cancel', reason: 'called off' };
  const withoutStarter = template.people.filter((p) => p.id !== 'planner.linh');

  it('off the roster, and nothing else there', () => {
    const state = startedWith(withoutStarter);
    const cancelled = play(state, [['planner.linh', cancel]]);
    expect(cancelled.code).toBe('OK');
    expect(cancelled.state.cancelled?.by).toBe('planner.linh');
    expect(play(state, [['planner.linh', { type: 'reschedule', window: tinyWindow, reason: 'x' }]]).code).toBe(
      'NOT_IN_ROSTER',
    );
    expect(play(state, [['hx.stranger', cancel]]).code).toBe('NOT_IN_ROSTER');
  });

  it('on the roster as a viewer or a unit member', () => {
    for (const entry of [
      { id: 'planner.linh', name: 'Linh', roles: ['viewer'], units: [] },
      { id: 'planner.linh', name: 'Linh', roles: [], units: ['police'] },
    ]) {
      expect(play(startedWith([...withoutStarter, entry]), [['planner.linh', cancel]]).code).toBe('OK');
    }
  });

  it('but not once the event has ended', () => {
    const state = given(startedWith(withoutStarter), [['planner.linh', cancel]]);
    expect(play(state, [['planner.linh', cancel]]).code).toBe('EVENT_CLOSED');
  });
});
