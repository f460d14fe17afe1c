import { describe, expect, it } from 'vitest';
import {
  commandSchema,
  decideGoNoGo,
  launchBlockingList,
  nextWakeUp,
  validate,
  type EventState,
  type LaunchBlocker,
} from '../../domain';
import {
  given,
  lifecycleEvent,
  passAll,
  play,
  shift,
  t0,
  throughPreparation,
  throughRehearsal,
  tickAt,
  type Step,
} from './scenario';

const inReadiness = () => given(lifecycleEvent(), throughRehearsal);
const start = '2026-11-10T01:00:00.000Z';
const end = '2026-11-15T10:00:00.000Z';

const go = (actor: string, acceptRisks: { key: string; justification: string }[] = [], at = t0): Step => [
  actor,
  { type: 'decideGoNoGo', gateId: 'go-no-go', decision: 'go', acceptRisks },
  at,
];
const accept = (key: string) => ({ key, justification: `Risk ${key} accepted: contingency in place` });
const refusal = (state: EventState, [actor, raw, at = t0]: Step) => {
  const verdict = validate(state, commandSchema.parse(raw), { id: actor }, at);
  return verdict.ok ? undefined : verdict.rejection;
};

describe('the launch-blocking list', () => {
  it('lists open items, blockers, remediation and unsettled drills, each with its owner unit', () => {
    const failed = given(lifecycleEvent(), [
      ...throughPreparation,
      [
        'eval.an',
        {
          type: 'recordDrillResult',
          scenarioId: 'power',
          ratings: [{ targetId: 'restore', rating: 'unable' }],
        },
      ],
      ['cyber.hung', { type: 'blockItem', itemId: 'cyber.pentest', reason: 'Vendor contract not signed' }],
    ]);
    const list = launchBlockingList(failed, t0);
    // By deadline: the unheld drill (T-3), the remediation (T-2), the failed drill's re-test (T-1), the pentest.
    expect(list.map((e: LaunchBlocker) => [e.key, e.kind, e.unit])).toEqual([
      ['drill:ddos', 'drill', 'cyber'],
      ['item:remediation.power.1.restore', 'remediation', 'police'],
      ['drill:power', 'drill', 'police'],
      ['item:cyber.pentest', 'blocker', 'cyber'],
    ]);
    expect(list.find((e) => e.kind === 'blocker')?.reason).toBe('Vendor contract not signed');
    expect(list.find((e) => e.key === 'drill:power')?.reason).toBe('failed at attempt 1');
  });
});

describe('go / no-go', () => {
  it('refuses a go while an entry is neither cleared nor accepted, listing what remains', () => {
    const rejection = refusal(inReadiness(), go('office.mai'));
    expect(rejection?.code).toBe('LAUNCH_BLOCKED');
    expect((rejection?.details?.entries as LaunchBlocker[]).map((e) => e.key)).toEqual(['item:cyber.pentest']);
  });

  it('refuses accepting a risk that is not on the list', () => {
    expect(refusal(inReadiness(), go('office.mai', [accept('item:plan.master')]))?.code).toBe('UNKNOWN_RISK');
  });

  it('declares readiness when every approver has said go, recording signers and accepted risks, and tells every unit', () => {
    const played = play(inReadiness(), [go('office.mai', [accept('item:cyber.pentest')]), go('head.tuan')]);
    expect(played.code).toBe('OK');
    const { readiness, gates, phase } = played.state;
    expect(gates['go-no-go']!.status).toBe('passed');
    expect(readiness?.signers.map((s) => s.by)).toEqual(['office.mai', 'head.tuan']);
    expect(readiness?.acceptedRisks).toEqual([
      expect.objectContaining({ key: 'item:cyber.pentest', by: 'office.mai', unit: 'cyber', kind: 'item' }),
    ]);
    // Before the start the event stays in readiness: live begins by the clock.
    expect(phase).toBe('readiness');
    const declared = played.effects.find((e) => e.kind === 'readinessDeclared');
    expect(declared?.to.units).toEqual(['cyber', 'office', 'police']);
  });

  it('counts an accepted risk once: a later approver need not accept it again', () => {
    const first = given(inReadiness(), [go('office.mai', [accept('item:cyber.pentest')])]);
    expect(refusal(first, go('head.tuan'))).toBeUndefined();
  });

  it('records a no-go with the list that stood, voids approvals and accepted risks, and escalates the list', () => {
    const played = play(inReadiness(), [
      go('office.mai', [accept('item:cyber.pentest')]),
      ['head.tuan', { type: 'decideGoNoGo', gateId: 'go-no-go', decision: 'no_go', reason: 'Pentest findings open' }],
    ]);
    expect(played.code).toBe('OK');
    const gate = played.state.gates['go-no-go']!;
    expect(gate.approvals).toEqual([]);
    expect(gate.acceptedRisks).toEqual([]);
    expect(gate.rejections.at(-1)).toMatchObject({ by: 'head.tuan', reason: 'Pentest findings open' });
    expect(gate.rejections.at(-1)?.blocking?.map((e) => e.key)).toEqual(['item:cyber.pentest']);
    expect(played.state.phase).toBe('readiness');
    const noGo = played.effects.find((e) => e.kind === 'noGo');
    expect(noGo?.to).toEqual({ units: ['cyber'], roles: ['office-chief', 'steering-head'] });
  });

  it('needs a reason for a no-go and accepts risks only with a go', () => {
    const noReason = decideGoNoGo.body.safeParse({ decision: 'no_go' });
    expect(noReason.error?.issues.map((i) => i.path)).toEqual([['reason']]);
    const risky = decideGoNoGo.body.safeParse({ decision: 'no_go', reason: 'x', acceptRisks: [accept('item:x')] });
    expect(risky.error?.issues.map((i) => i.path)).toEqual([['acceptRisks']]);
  });

  it('is the only way to decide a readiness gate, and only readiness gates', () => {
    const state = inReadiness();
    expect(refusal(state, ['head.tuan', { type: 'signOffGate', gateId: 'go-no-go', decision: 'approve' }])?.code).toBe(
      'GO_NO_GO_REQUIRED',
    );
    expect(refusal(state, ['head.tuan', { type: 'decideGoNoGo', gateId: 'plan-approval', decision: 'go' }])?.code).toBe(
      'NOT_GO_NO_GO_GATE',
    );
    expect(refusal(state, go('cyber.hung'))?.code).toBe('NOT_GATE_APPROVER');
  });

  it('is refused before readiness (GATE_NOT_IN_CURRENT_PHASE)', () => {
    const rehearsal = given(lifecycleEvent(), throughPreparation);
    expect(refusal(rehearsal, go('office.mai'))?.code).toBe('GATE_NOT_IN_CURRENT_PHASE');
  });
});

describe('the clock of the event', () => {
  const declared = () => given(inReadiness(), [go('office.mai', [accept('item:cyber.pentest')]), go('head.tuan')]);

  it('wakes at the start once readiness is declared, enters live then, and review at the end', () => {
    const state = declared();
    expect(nextWakeUp(state, t0)! <= start).toBe(true);
    const { state: live, effects } = tickAt(state, [start]);
    expect(live.phase).toBe('live');
    expect(effects.filter((e) => e.kind === 'phaseEntered').map((e) => [e.at, e.details?.phase])).toEqual([
      [start, 'live'],
    ]);
    expect(nextWakeUp(live, start)! <= end).toBe(true);
    const review = tickAt(live, [end]).state;
    expect(review.phase).toBe('review');
    expect(review.phaseChanges.slice(-2)).toEqual([
      { phase: 'live', at: start },
      { phase: 'review', at: end },
    ]);
  });

  it('dates the phase changes when they were due, even when the tick comes late', () => {
    const late = tickAt(declared(), [shift(end, { hours: 2 })]).state;
    expect(late.phaseChanges.slice(-2)).toEqual([
      { phase: 'live', at: start },
      { phase: 'review', at: end },
    ]);
  });

  it('stays in readiness at the start when no go was declared', () => {
    expect(tickAt(inReadiness(), [shift(start, { hours: 1 })]).state.phase).toBe('readiness');
  });

  it('goes live at once when the go comes after the start', () => {
    const after = shift(start, { minutes: 30 });
    const played = play(inReadiness(), [
      go('office.mai', [accept('item:cyber.pentest')], after),
      go('head.tuan', [], after),
    ]);
    expect(played.state.phase).toBe('live');
    expect(played.state.phaseChanges.at(-1)).toEqual({ phase: 'live', at: after });
  });

  it('keeps the rehearsal of a passed drill out of the list', () => {
    const state = given(lifecycleEvent(), [...throughPreparation, passAll('power', ['restore'])]);
    expect(launchBlockingList(state, t0).map((e) => e.key)).not.toContain('drill:power');
  });
});

describe('a go declared after the window ended', () => {
  it('opens live and review at the declaration, in order, with two distinct notifications', () => {
    const after = shift(end, { hours: 1 });
    const played = play(given(lifecycleEvent(), throughRehearsal), [
      [
        'office.mai',
        { type: 'decideGoNoGo', gateId: 'go-no-go', decision: 'go', acceptRisks: [accept('item:cyber.pentest')] },
        after,
      ],
      ['head.tuan', { type: 'decideGoNoGo', gateId: 'go-no-go', decision: 'go' }, after],
    ]);
    const ticked = tickAt(played.state, [after]);
    expect(ticked.state.phaseChanges.slice(-2)).toEqual([
      { phase: 'live', at: after },
      { phase: 'review', at: after },
    ]);
    const ids = [...played.effects, ...ticked.effects].filter((e) => e.kind === 'phaseEntered').map((e) => e.id);
    expect(new Set(ids).size).toBe(2);
  });
});

describe('accepting a risk twice', () => {
  it('keeps one acceptance per entry: the first', () => {
    const played = play(inReadiness(), [
      go('office.mai', [accept('item:cyber.pentest')]),
      go('head.tuan', [accept('item:cyber.pentest')]),
    ]);
    expect(played.state.readiness?.acceptedRisks.map((r) => [r.key, r.by])).toEqual([
      ['item:cyber.pentest', 'office.mai'],
    ]);
  });
});
