import {
  type Command,
  type CompleteItemCommand,
  type DelegateCommand,
  type RevokeDelegationCommand,
  type SignOffGateCommand,
} from './commands';
import { commandAuthority, startedEvent, starterAsPerson } from './access';
import { type Notification } from './effects';
import { rejection, type Rejection } from './errors';
import { applyItemCommand, checkItemCommand, checkWaiverDecision, gateOpenedEffects, reopenItems } from './items';
import {
  applyCancel,
  applyReport,
  applyReschedule,
  checkLifecycle,
  checkReport,
  type RescheduleResult,
} from './lifecycle';
import { applyCheckResult, checkCheckResult, systemChecksPerson } from './automated-checks';
import { applyDrillCommand, checkDrillCommand, type DrillResult } from './drills';
import {
  applyHandover,
  applyIncidentCommand,
  checkHandover,
  checkIncidentCommand,
  type IncidentResult,
} from './incidents';
import { notification } from './notifications';
import { applyGoNoGo, checkGoNoGo, type GoNoGoResult } from './readiness';
import { applyReviewCommand, checkReviewCommand, type ReviewResult } from './review';
import { approvalConflict, signingAuthority } from './authority';
import { gateWaitsFor, ruleMet } from './gates';
import { isTerminal, nextPhase, type LifecyclePhase } from './phases';
import {
  findGate,
  findItem,
  isSettled,
  ownerUnit,
  type Actor,
  type Delegation,
  type EventState,
  type GateState,
  type ItemState,
  type Signature,
} from './state';
import { type Person, type PlanTemplate } from './template';
import { toMs } from './time';

/**
 * The rules. `validate` answers whether a command may run now; `apply` runs
 * a validated command. Both are pure and take the time as an argument, so the
 * workflow's update validator and handler, and any test, call the same code.
 *
 * Authority comes from the event's roster, not from what the caller claims:
 * a client that reaches Temporal directly still cannot act outside its remit.
 */

export type Verdict = { ok: true; person: Person } | { ok: false; rejection: Rejection };

export type CommandResult =
  | { type: 'itemCompleted'; itemId: string; item: ItemState; gatesOpened: string[] }
  | {
      type: 'gateDecided';
      gateId: string;
      decision: 'approve' | 'reject';
      gate: GateState;
      phase: EventState['phase'];
    }
  | { type: 'delegated'; delegation: Delegation }
  | { type: 'delegationRevoked'; delegation: Delegation }
  | { type: 'itemUpdated'; itemId: string; item: ItemState }
  | {
      type: 'reportSubmitted';
      reviewId: string;
      unit: string;
      report: EventState['reviews'][number]['reports'][string];
    }
  | RescheduleResult
  | { type: 'cancelled'; cancelled: NonNullable<EventState['cancelled']> }
  | DrillResult
  | GoNoGoResult
  | IncidentResult
  | ReviewResult
  | { type: 'checkRecorded'; itemId: string; item: ItemState };

const reject = (code: Rejection['code'], message: string, details?: Record<string, unknown>): Verdict => ({
  ok: false,
  rejection: rejection(code, message, details),
});

export function validate(state: EventState, command: Command, actor: Actor, now: string): Verdict {
  // Check results come from the check activity, the one actor outside the roster.
  if (command.type === 'recordCheckResult') {
    return verdictOf(checkCheckResult(state, command, actor.id), systemChecksPerson);
  }
  // The planner who started the event can always cancel it: no roster can leave an event nobody may end.
  const starterCancels = command.type === 'cancel' && startedEvent(state, actor.id);
  const person = state.roster.find((p) => p.id === actor.id) ?? (starterCancels ? starterAsPerson(actor) : undefined);
  if (!person) return reject('NOT_IN_ROSTER', `"${actor.id}" is not on this event's roster`);
  // Viewers belong to units so that they can read them; the role itself never acts.
  if (person.roles.includes('viewer') && !starterCancels) {
    return reject('READ_ONLY', `"${person.id}" has read-only access`);
  }
  // Who may act comes before what exists and the phase: a refusal tells an outsider nothing about the event.
  const unauthorised = commandAuthority(state, command, person);
  if (unauthorised) return { ok: false, rejection: unauthorised };
  if (isTerminal(state.phase)) return reject('EVENT_CLOSED', `the event is ${state.phase}`);
  switch (command.type) {
    case 'completeItem':
      return validateCompleteItem(state, command, person);
    case 'signOffGate':
      return validateSignOffGate(state, command, person, now);
    case 'delegate':
      return validateDelegate(state, command, person, now);
    case 'revokeDelegation':
      return validateRevoke(state, command, person);
    case 'startItem':
    case 'blockItem':
    case 'unblockItem':
    case 'requestWaiver':
      return verdictOf(checkItemCommand(state, command, person), person);
    case 'decideWaiver':
      return verdictOf(checkWaiverDecision(state, command, person), person);
    case 'submitProgressReport':
      return verdictOf(checkReport(state, command, person), person);
    case 'reschedule':
    case 'cancel':
      return verdictOf(checkLifecycle(state, command, person), person);
    case 'recordDrillResult':
    case 'waiveDrill':
      return verdictOf(checkDrillCommand(state, command, person, now), person);
    case 'decideGoNoGo':
      return verdictOf(checkGoNoGo(state, command, person, now), person);
    case 'reportIncident':
    case 'acknowledgeIncident':
    case 'updateIncidentStep':
    case 'resolveIncident':
    case 'reopenIncident':
      return verdictOf(checkIncidentCommand(state, command, person), person);
    case 'handOverDuty':
      return verdictOf(checkHandover(state, command, person), person);
    case 'addLesson':
    case 'addCorrectiveAction':
    case 'carryOverCorrectiveAction':
      return verdictOf(checkReviewCommand(state, command, person, now), person);
  }
}

const verdictOf = (rejection: Rejection | undefined, person: Person): Verdict =>
  rejection ? { ok: false, rejection } : { ok: true, person };

/** Roles that sign some gate of the template: the rights that can be delegated. */
function approverRoles(template: PlanTemplate): Set<string> {
  return new Set(template.gates.flatMap((g) => g.approval.roles));
}

function validateCompleteItem(state: EventState, command: CompleteItemCommand, person: Person): Verdict {
  const item = findItem(state, command.itemId);
  const itemState = state.items[command.itemId];
  if (!item || !itemState) return reject('ITEM_NOT_FOUND', `no item "${command.itemId}" in this event`);
  const unit = ownerUnit(state, item.id) ?? '';
  if (!person.units.includes(unit)) {
    return reject('NOT_ITEM_OWNER', `item "${item.id}" belongs to unit "${unit}"`, { unit });
  }
  if (isSettled(itemState)) {
    return reject('ITEM_ALREADY_DONE', `item "${item.id}" is already ${itemState.status}`);
  }
  if (itemState.status === 'blocked') return reject('ITEM_BLOCKED', `item "${item.id}" is blocked; unblock it first`);
  const open = item.dependsOn.filter((dep) => !isSettled(state.items[dep]));
  if (open.length > 0) {
    return reject('DEPENDENCIES_OPEN', `item "${item.id}" waits for ${open.join(', ')}`, { dependencies: open });
  }
  if (item.evidenceRequired && command.evidence.length === 0) {
    return reject('EVIDENCE_REQUIRED', `item "${item.id}" needs evidence to be completed`);
  }
  return { ok: true, person };
}

function validateSignOffGate(state: EventState, command: SignOffGateCommand, person: Person, now: string): Verdict {
  const gate = findGate(state, command.gateId);
  const gateState = state.gates[command.gateId];
  if (!gate || !gateState) return reject('GATE_NOT_FOUND', `no gate "${command.gateId}" in this event`);
  const authority = signingAuthority(state, gate, person, command.onBehalfOf, now);
  if (!authority.ok) return { ok: false, rejection: authority.rejection };
  if (gateState.status === 'passed') return reject('GATE_ALREADY_PASSED', `gate "${gate.id}" has already passed`);
  if (gate.phase === 'readiness') {
    return reject('GO_NO_GO_REQUIRED', `gate "${gate.id}" is decided by go/no-go, with its launch-blocking list`);
  }
  if (gate.phase !== state.phase) {
    return reject(
      'GATE_NOT_IN_CURRENT_PHASE',
      `gate "${gate.id}" belongs to ${gate.phase}; the event is in ${state.phase}`,
    );
  }
  const waits = gateWaitsFor(state, gate.id);
  if (waits.items.length > 0 || waits.scenarios.length > 0) {
    return reject(
      'GATE_NOT_OPEN',
      `gate "${gate.id}" waits for ${waits.items.length} item(s) and ${waits.scenarios.length} drill scenario(s)`,
      waits,
    );
  }
  if (command.decision === 'approve') {
    const conflict = approvalConflict(state, gate, person, authority.principal);
    if (conflict) return { ok: false, rejection: conflict };
  }
  const stray = command.reopen.filter((itemId) => !gate.covers.includes(itemId));
  if (stray.length > 0) {
    return reject('REOPEN_NOT_COVERED', `gate "${gate.id}" does not cover ${stray.join(', ')}`, { items: stray });
  }
  return { ok: true, person };
}

const MAX_DELEGATION_MS = 366 * 86_400_000;

function validateDelegate(state: EventState, command: DelegateCommand, person: Person, now: string): Verdict {
  const signable = approverRoles(state.template);
  const own = person.roles.filter((r) => signable.has(r));
  if (own.length === 0) return reject('NOT_AN_APPROVER', `"${person.id}" holds no approver role to delegate`);
  const roles = command.roles ?? own;
  const foreign = roles.filter((r) => !own.includes(r));
  if (foreign.length > 0) {
    return reject(
      'INVALID_DELEGATION',
      `"${person.id}" cannot delegate roles they do not hold: ${foreign.join(', ')}`,
      {
        roles: foreign,
      },
    );
  }
  if (command.to === person.id) return reject('INVALID_DELEGATION', 'a delegation goes to someone else');
  if (!state.roster.some((p) => p.id === command.to)) {
    return reject('INVALID_DELEGATION', `"${command.to}" is not on this event's roster`);
  }
  for (const gateId of command.gates ?? []) {
    const gate = findGate(state, gateId);
    if (!gate) return reject('GATE_NOT_FOUND', `no gate "${gateId}" in this event`);
    if (!gate.approval.roles.some((r) => roles.includes(r))) {
      return reject('INVALID_DELEGATION', `gate "${gateId}" is not signed by any delegated role`);
    }
  }
  const from = command.validFrom ? toMs(command.validFrom) : toMs(now);
  const until = toMs(command.validUntil);
  if (until <= Math.max(from, toMs(now)))
    return reject('INVALID_DELEGATION', 'the delegation must end in the future, after it starts');
  if (until - from > MAX_DELEGATION_MS) return reject('INVALID_DELEGATION', 'a delegation lasts at most a year');
  return { ok: true, person };
}

function validateRevoke(state: EventState, command: RevokeDelegationCommand, person: Person): Verdict {
  const delegation = state.delegations.find((d) => d.id === command.delegationId);
  if (!delegation) return reject('DELEGATION_NOT_FOUND', `no delegation "${command.delegationId}"`);
  if (delegation.from !== person.id && !person.roles.includes('admin')) {
    return reject('NOT_DELEGATOR', `only "${delegation.from}" or an admin can revoke this delegation`);
  }
  if (delegation.revokedAt) return reject('DELEGATION_REVOKED', `delegation "${delegation.id}" is already revoked`);
  return { ok: true, person };
}

export interface Applied {
  state: EventState;
  result: CommandResult;
  effects: Notification[];
}

/** Runs a command that `validate` accepted. Returns a new state; the input is not modified. */
export function apply(state: EventState, command: Command, person: Person, now: string): Applied {
  switch (command.type) {
    case 'completeItem':
      return applyCompleteItem(state, command, person, now);
    case 'signOffGate':
      return applySignOffGate(state, command, person, now);
    case 'delegate':
      return applyDelegate(state, command, person, now);
    case 'revokeDelegation':
      return applyRevoke(state, command, person, now);
    case 'startItem':
    case 'blockItem':
    case 'unblockItem':
    case 'requestWaiver':
    case 'decideWaiver': {
      const outcome = applyItemCommand(state, command, person, now);
      return {
        state: outcome.state,
        result: { type: 'itemUpdated', itemId: command.itemId, item: outcome.item },
        effects: outcome.effects,
      };
    }
    case 'submitProgressReport':
      return applyReport(state, command, person, now);
    case 'reschedule':
      return applyReschedule(state, command, person, now);
    case 'cancel':
      return applyCancel(state, command, person, now);
    case 'recordDrillResult':
    case 'waiveDrill':
      return withGatesOpened(state, applyDrillCommand(state, command, person, now), now);
    case 'decideGoNoGo':
      return applyGoNoGo(state, command, person, now);
    case 'reportIncident':
    case 'acknowledgeIncident':
    case 'updateIncidentStep':
    case 'resolveIncident':
    case 'reopenIncident':
      return applyIncidentCommand(state, command, person, now);
    case 'handOverDuty':
      return applyHandover(state, command, person, now);
    case 'addLesson':
    case 'addCorrectiveAction':
    case 'carryOverCorrectiveAction':
      return withGatesOpened(state, applyReviewCommand(state, command, person, now), now);
    case 'recordCheckResult':
      return applyCheckResult(state, command, now);
  }
}

/** Adds the requests for sign-off of gates the change has just opened. */
function withGatesOpened(before: EventState, applied: Applied, now: string): Applied {
  return { ...applied, effects: [...applied.effects, ...gateOpenedEffects(before, applied.state, now)] };
}

function applyDelegate(state: EventState, command: DelegateCommand, person: Person, now: string): Applied {
  const signable = approverRoles(state.template);
  const delegation: Delegation = {
    id: `dlg-${state.delegations.length + 1}`,
    from: person.id,
    to: command.to,
    roles: command.roles ?? person.roles.filter((r) => signable.has(r)),
    ...(command.gates ? { gates: command.gates } : {}),
    validFrom: command.validFrom ? new Date(command.validFrom).toISOString() : now,
    validUntil: new Date(command.validUntil).toISOString(),
    ...(command.reason ? { reason: command.reason } : {}),
    createdAt: now,
  };
  return {
    state: { ...state, updatedAt: now, delegations: [...state.delegations, delegation] },
    result: { type: 'delegated', delegation },
    effects: [],
  };
}

function applyRevoke(state: EventState, command: RevokeDelegationCommand, person: Person, now: string): Applied {
  let revoked: Delegation | undefined;
  const delegations = state.delegations.map((d) => {
    if (d.id !== command.delegationId) return d;
    revoked = {
      ...d,
      revokedAt: now,
      revokedBy: person.id,
      ...(command.reason ? { revocationReason: command.reason } : {}),
    };
    return revoked;
  });
  return {
    state: { ...state, updatedAt: now, delegations },
    result: { type: 'delegationRevoked', delegation: revoked! },
    effects: [],
  };
}

function applyCompleteItem(state: EventState, command: CompleteItemCommand, person: Person, now: string): Applied {
  const before = state.items[command.itemId] as ItemState;
  const { blocked: _blocked, ...kept } = before;
  const item: ItemState = {
    ...kept,
    status: 'done',
    completedBy: person.id,
    completedAt: now,
    // Empty evidence lists are left out: state carried across continue-as-new stays compact.
    ...(command.evidence.length ? { evidence: command.evidence } : {}),
    ...(command.note ? { note: command.note } : {}),
    // Completing settles the item: a waiver request still waiting is withdrawn, not left to be approved later.
    ...(before.waiver?.status === 'requested' ? { waiver: { ...before.waiver, status: 'withdrawn' as const } } : {}),
  };
  const next: EventState = { ...state, updatedAt: now, items: { ...state.items, [command.itemId]: item } };
  const effects = gateOpenedEffects(state, next, now);
  const gatesOpened = effects.map((e) => e.subject.id);
  return { state: next, result: { type: 'itemCompleted', itemId: command.itemId, item, gatesOpened }, effects };
}

function applySignOffGate(state: EventState, command: SignOffGateCommand, person: Person, now: string): Applied {
  const gate = findGate(state, command.gateId)!;
  const before = state.gates[command.gateId] as GateState;
  const authority = signingAuthority(state, gate, person, command.onBehalfOf, now);
  if (!authority.ok) throw new Error('apply called with a command that validate refused');
  const signature: Signature = {
    by: person.id,
    ...(authority.principal !== person.id
      ? { onBehalfOf: authority.principal, delegationId: authority.delegationId }
      : {}),
    at: now,
    roles: authority.roles,
  };
  let next: EventState;
  let gateState: GateState;
  let effects: Notification[] = [];
  if (command.decision === 'reject') {
    // A rejection voids the approvals so far: the reworked items must be signed off afresh.
    const reopen = gate.rework === 'all' ? gate.covers : command.reopen;
    gateState = {
      ...before,
      approvals: [],
      rejections: [...before.rejections, { ...signature, reason: command.reason ?? '', reopened: reopen }],
    };
    next = reopenItems({ ...state, gates: { ...state.gates, [gate.id]: gateState } }, reopen, now);
    next = { ...next, updatedAt: now };
    gateState = next.gates[gate.id]!;
    const units = reopen.map((itemId) => ownerUnit(state, itemId) ?? '');
    effects = [
      notification(
        state,
        'gateRejected',
        { type: 'gate', id: gate.id },
        now,
        { units, roles: gate.approval.roles },
        gate.title,
        {
          details: { reason: command.reason, reopened: reopen },
        },
      ),
    ];
  } else {
    const approvals = [...before.approvals, signature];
    const passed = ruleMet(gate.approval, approvals, state);
    gateState = { ...before, approvals, ...(passed ? { status: 'passed' as const, passedAt: now } : {}) };
    next = { ...state, updatedAt: now, gates: { ...state.gates, [gate.id]: gateState } };
    if (passed) next = advancePhase(next, now);
  }
  return {
    state: next,
    result: { type: 'gateDecided', gateId: gate.id, decision: command.decision, gate: gateState, phase: next.phase },
    effects,
  };
}

/**
 * A phase ends when every gate of that phase has passed. Readiness ends by
 * go/no-go and the clock, live by the clock (see readiness.ts).
 */
function advancePhase(state: EventState, now: string): EventState {
  if (isTerminal(state.phase) || state.phase === 'readiness' || state.phase === 'live') return state;
  const phase = state.phase as LifecyclePhase;
  const gates = state.template.gates.filter((g) => g.phase === phase);
  if (gates.length === 0 || gates.some((g) => state.gates[g.id]?.status !== 'passed')) return state;
  const next = nextPhase(phase);
  return { ...state, phase: next, phaseChanges: [...state.phaseChanges, { phase: next, at: now }] };
}
