import { approvalConflict, signingAuthority } from './authority';
import { SYSTEM_CHECKS } from './automated-checks';
import { type CommandOf } from './commands';
import { isDrillSettled } from './drills';
import { type Notification } from './effects';
import { rejection, type Rejection } from './errors';
import { ruleMet } from './gates';
import { notification } from './notifications';
import { phases, type Phase } from './phases';
import {
  findGate,
  isOpenStatus,
  type AcceptedRisk,
  type EventState,
  type GateState,
  type LaunchBlocker,
  type Signature,
} from './state';
import { itemUnit, type Person } from './template';
import { toMs } from './time';

/**
 * Readiness: the go/no-go gates and the launch-blocking list they decide on,
 * and the phase changes the clock drives (live at the event's start once
 * readiness is declared, review at its end).
 */

export interface GoNoGoResult {
  type: 'goNoGoDecided';
  gateId: string;
  decision: 'go' | 'no_go';
  gate: GateState;
  phase: Phase;
  /** The list as it stood when the decision was taken. */
  blocking: LaunchBlocker[];
}

const beforeLive = new Set<Phase>(phases.slice(0, phases.indexOf('readiness') + 1));

/**
 * Everything that stands between the event and a "go", each with its owner
 * unit: open items of the phases up to readiness (a blocked one as a
 * blocker, a remediation item as remediation) and drill scenarios that have
 * neither passed nor had their failure waived.
 */
export function launchBlockingList(state: EventState, now: string): LaunchBlocker[] {
  const entries: LaunchBlocker[] = [];
  for (const item of state.template.items) {
    const s = state.items[item.id]!;
    if (!beforeLive.has(item.phase) || !isOpenStatus(s.status)) continue;
    const kind =
      s.status !== 'blocked'
        ? s.origin?.kind === 'remediation'
          ? 'remediation'
          : 'item'
        : s.blocked?.by === SYSTEM_CHECKS
          ? 'check'
          : 'blocker';
    entries.push({
      key: `item:${item.id}`,
      kind,
      id: item.id,
      title: item.title,
      unit: itemUnit(state.template, item),
      due: s.due,
      overdue: s.due < now,
      ...(s.blocked ? { reason: s.blocked.reason } : {}),
    });
  }
  for (const scenario of state.template.drills?.scenarios ?? []) {
    const drill = state.drills[scenario.id];
    if (!drill || isDrillSettled(drill)) continue;
    const last = drill.attempts.at(-1);
    entries.push({
      key: `drill:${scenario.id}`,
      kind: 'drill',
      id: scenario.id,
      title: scenario.title,
      unit: scenario.units[0]!,
      due: drill.due,
      overdue: drill.due < now,
      reason: last ? `failed at attempt ${last.attempt}` : 'not yet evaluated',
    });
  }
  return entries.sort((a, b) => (a.due ?? '').localeCompare(b.due ?? '') || a.key.localeCompare(b.key));
}

/** Entries of the list that no approver has accepted as a risk yet. */
export function unacceptedBlockers(state: EventState, gateId: string, now: string): LaunchBlocker[] {
  const accepted = new Set((state.gates[gateId]?.acceptedRisks ?? []).map((r) => r.key));
  return launchBlockingList(state, now).filter((entry) => !accepted.has(entry.key));
}

export function checkGoNoGo(
  state: EventState,
  command: CommandOf<'decideGoNoGo'>,
  person: Person,
  now: string,
): Rejection | undefined {
  const gate = findGate(state, command.gateId);
  const gateState = state.gates[command.gateId];
  if (!gate || !gateState) return rejection('GATE_NOT_FOUND', `no gate "${command.gateId}" in this event`);
  if (gate.phase !== 'readiness') {
    return rejection('NOT_GO_NO_GO_GATE', `gate "${gate.id}" is a ${gate.phase} sign-off, not a go/no-go`);
  }
  const authority = signingAuthority(state, gate, person, command.onBehalfOf, now);
  if (!authority.ok) return authority.rejection;
  if (gateState.status === 'passed') return rejection('GATE_ALREADY_PASSED', `gate "${gate.id}" has already passed`);
  if (state.phase !== 'readiness') {
    return rejection('GATE_NOT_IN_CURRENT_PHASE', `go/no-go is decided in readiness; the event is in ${state.phase}`);
  }
  if (command.decision === 'no_go') return undefined;
  const conflict = approvalConflict(state, gate, person, authority.principal);
  if (conflict) return conflict;
  const listed = new Set(launchBlockingList(state, now).map((e) => e.key));
  const unknown = command.acceptRisks.map((r) => r.key).filter((key) => !listed.has(key));
  if (unknown.length > 0) {
    return rejection('UNKNOWN_RISK', `not on the launch-blocking list: ${unknown.join(', ')}`, { keys: unknown });
  }
  const accepting = new Set(command.acceptRisks.map((r) => r.key));
  const remaining = unacceptedBlockers(state, gate.id, now).filter((e) => !accepting.has(e.key));
  if (remaining.length > 0) {
    return rejection(
      'LAUNCH_BLOCKED',
      `${remaining.length} launch-blocking entr${remaining.length === 1 ? 'y is' : 'ies are'} neither cleared nor accepted as a risk`,
      { entries: remaining },
    );
  }
  return undefined;
}

export function applyGoNoGo(
  state: EventState,
  command: CommandOf<'decideGoNoGo'>,
  person: Person,
  now: string,
): { state: EventState; result: GoNoGoResult; effects: Notification[] } {
  const gate = findGate(state, command.gateId)!;
  const before = state.gates[gate.id]!;
  const authority = signingAuthority(state, gate, person, command.onBehalfOf, now);
  if (!authority.ok) throw new Error('apply called with a command that validate refused');
  const delegated = authority.principal !== person.id;
  const signature: Signature = {
    by: person.id,
    ...(delegated ? { onBehalfOf: authority.principal, delegationId: authority.delegationId } : {}),
    at: now,
    roles: authority.roles,
  };
  const blocking = launchBlockingList(state, now);
  const allUnits = state.template.units.map((u) => u.id);
  const chainRoles = state.template.escalation.map((s) => s.role);

  if (command.decision === 'no_go') {
    // A no-go voids the approvals and accepted risks so far: the next "go" judges the list afresh.
    const gateState: GateState = {
      ...before,
      approvals: [],
      acceptedRisks: [],
      rejections: [...before.rejections, { ...signature, reason: command.reason!, reopened: [], blocking }],
    };
    const next: EventState = { ...state, updatedAt: now, gates: { ...state.gates, [gate.id]: gateState } };
    const effects = [
      notification(
        state,
        'noGo',
        { type: 'gate', id: gate.id },
        now,
        { units: blocking.map((e) => e.unit), roles: [...chainRoles, ...gate.approval.roles] },
        gate.title,
        { details: { reason: command.reason, blocking: blocking.map((e) => ({ key: e.key, unit: e.unit })) } },
      ),
    ];
    return {
      state: next,
      result: {
        type: 'goNoGoDecided',
        gateId: gate.id,
        decision: 'no_go',
        gate: gateState,
        phase: next.phase,
        blocking,
      },
      effects,
    };
  }

  const byKey = new Map(blocking.map((e) => [e.key, e]));
  // A risk is accepted once: a second acceptance of the same entry adds nothing.
  const already = new Set((before.acceptedRisks ?? []).map((r) => r.key));
  const fresh = command.acceptRisks.filter(
    (risk, i) => !already.has(risk.key) && command.acceptRisks.findIndex((r) => r.key === risk.key) === i,
  );
  const accepted: AcceptedRisk[] = fresh.map((risk) => ({
    ...byKey.get(risk.key)!,
    justification: risk.justification,
    by: person.id,
    ...(delegated ? { onBehalfOf: authority.principal } : {}),
    at: now,
  }));
  const approvals = [...before.approvals, signature];
  const passed = ruleMet(gate.approval, approvals, state);
  const gateState: GateState = {
    ...before,
    approvals,
    acceptedRisks: [...(before.acceptedRisks ?? []), ...accepted],
    ...(passed ? { status: 'passed' as const, passedAt: now } : {}),
  };
  let next: EventState = { ...state, updatedAt: now, gates: { ...state.gates, [gate.id]: gateState } };
  const effects: Notification[] = [];
  const readinessGates = state.template.gates.filter((g) => g.phase === 'readiness');
  if (passed && readinessGates.every((g) => next.gates[g.id]?.status === 'passed')) {
    const signers = readinessGates.flatMap((g) => next.gates[g.id]!.approvals);
    const acceptedRisks = readinessGates.flatMap((g) => next.gates[g.id]!.acceptedRisks ?? []);
    next = { ...next, readiness: { declaredAt: now, signers, acceptedRisks } };
    effects.push(
      notification(
        state,
        'readinessDeclared',
        { type: 'event', id: state.eventId },
        now,
        { units: allUnits, roles: chainRoles },
        state.template.title,
        {
          details: {
            signers: signers.map((s) => ({ by: s.by, ...(s.onBehalfOf ? { onBehalfOf: s.onBehalfOf } : {}) })),
            acceptedRisks: acceptedRisks.map((r) => r.key),
          },
        },
      ),
    );
    const moved = advanceByClock(next, now);
    next = moved.state;
    effects.push(...moved.effects);
  }
  return {
    state: next,
    result: { type: 'goNoGoDecided', gateId: gate.id, decision: 'go', gate: gateState, phase: next.phase, blocking },
    effects,
  };
}

/** Readiness declared: every readiness gate has passed (vacuously, when the template has none). */
export function readinessDeclared(state: EventState): boolean {
  return state.template.gates
    .filter((g) => g.phase === 'readiness')
    .every((g) => state.gates[g.id]?.status === 'passed');
}

/**
 * The phase changes the clock drives: readiness → live at the event start
 * once readiness is declared, live → review at the event end. Each change is
 * dated when it was due, so a late tick records the same instants.
 */
export function advanceByClock(state: EventState, now: string): { state: EventState; effects: Notification[] } {
  let next = state;
  const effects: Notification[] = [];
  const enter = (phase: Phase, at: string) => {
    next = { ...next, phase, phaseChanges: [...next.phaseChanges, { phase, at }] };
    effects.push(
      notification(
        next,
        'phaseEntered',
        { type: 'event', id: next.eventId },
        at,
        { units: next.template.units.map((u) => u.id), roles: ['duty-officer'] },
        next.template.title,
        { details: { phase }, key: phase },
      ),
    );
  };
  if (next.phase === 'readiness' && readinessDeclared(next) && toMs(next.window.start) <= toMs(now)) {
    const declaredAt = next.readiness?.declaredAt;
    enter('live', declaredAt && declaredAt > next.window.start ? declaredAt : next.window.start);
  }
  if (next.phase === 'live' && toMs(next.window.end) <= toMs(now)) {
    // A "go" declared after the window ended opens live and review at once: never dated before live.
    const liveAt = next.phaseChanges.at(-1)?.at ?? next.window.end;
    enter('review', liveAt > next.window.end ? liveAt : next.window.end);
  }
  return { state: next, effects };
}

/** The next instant the clock changes the phase. */
export function nextPhaseChange(state: EventState): string | undefined {
  if (state.phase === 'readiness' && readinessDeclared(state)) return state.window.start;
  if (state.phase === 'live') return state.window.end;
  return undefined;
}
