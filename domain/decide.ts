import { type Command, type CompleteItemCommand, type SignOffGateCommand } from './commands';
import { type Rejection } from './errors';
import { gateBlockers, ruleMet } from './gates';
import { isTerminal, nextPhase, type LifecyclePhase } from './phases';
import { findGate, findItem, ownerUnit, type Actor, type EventState, type GateState, type ItemState } from './state';
import { type Person } from './template';

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
    };

const reject = (code: Rejection['code'], message: string, details?: Record<string, unknown>): Verdict => ({
  ok: false,
  rejection: { code, message, ...(details ? { details } : {}) },
});

export function validate(state: EventState, command: Command, actor: Actor, _now: string): Verdict {
  const person = state.roster.find((p) => p.id === actor.id);
  if (!person) return reject('NOT_IN_ROSTER', `"${actor.id}" is not on this event's roster`);
  if (isTerminal(state.phase)) return reject('EVENT_CLOSED', `the event is ${state.phase}`);
  switch (command.type) {
    case 'completeItem':
      return validateCompleteItem(state, command, person);
    case 'signOffGate':
      return validateSignOffGate(state, command, person);
  }
}

function validateCompleteItem(state: EventState, command: CompleteItemCommand, person: Person): Verdict {
  const item = findItem(state, command.itemId);
  const itemState = state.items[command.itemId];
  if (!item || !itemState) return reject('ITEM_NOT_FOUND', `no item "${command.itemId}" in this event`);
  const unit = ownerUnit(state, item.id) ?? '';
  if (!person.units.includes(unit)) {
    return reject('NOT_ITEM_OWNER', `item "${item.id}" belongs to unit "${unit}"`, { unit });
  }
  if (itemState.status === 'done') return reject('ITEM_ALREADY_DONE', `item "${item.id}" is already done`);
  const open = item.dependsOn.filter((dep) => state.items[dep]?.status !== 'done');
  if (open.length > 0) {
    return reject('DEPENDENCIES_OPEN', `item "${item.id}" waits for ${open.join(', ')}`, { dependencies: open });
  }
  if (item.evidenceRequired && command.evidence.length === 0) {
    return reject('EVIDENCE_REQUIRED', `item "${item.id}" needs evidence to be completed`);
  }
  return { ok: true, person };
}

function validateSignOffGate(state: EventState, command: SignOffGateCommand, person: Person): Verdict {
  const gate = findGate(state, command.gateId);
  const gateState = state.gates[command.gateId];
  if (!gate || !gateState) return reject('GATE_NOT_FOUND', `no gate "${command.gateId}" in this event`);
  const roles = person.roles.filter((role) => gate.approval.roles.includes(role));
  if (roles.length === 0) {
    return reject('NOT_GATE_APPROVER', `gate "${gate.id}" is signed by ${gate.approval.roles.join(', ')}`, {
      roles: gate.approval.roles,
    });
  }
  if (gateState.status === 'passed') return reject('GATE_ALREADY_PASSED', `gate "${gate.id}" has already passed`);
  if (gate.phase !== state.phase) {
    return reject(
      'GATE_NOT_IN_CURRENT_PHASE',
      `gate "${gate.id}" belongs to ${gate.phase}; the event is in ${state.phase}`,
    );
  }
  const blockers = gateBlockers(state, gate.id);
  if (blockers.length > 0) {
    return reject('GATE_NOT_OPEN', `gate "${gate.id}" waits for ${blockers.length} item(s)`, { items: blockers });
  }
  if (command.decision === 'approve' && gateState.approvals.some((s) => s.by === person.id)) {
    return reject('ALREADY_SIGNED', `"${person.id}" has already approved gate "${gate.id}"`);
  }
  const stray = command.reopen.filter((itemId) => !gate.covers.includes(itemId));
  if (stray.length > 0) {
    return reject('REOPEN_NOT_COVERED', `gate "${gate.id}" does not cover ${stray.join(', ')}`, { items: stray });
  }
  return { ok: true, person };
}

export interface Applied {
  state: EventState;
  result: CommandResult;
}

/** Runs a command that `validate` accepted. Returns a new state; the input is not modified. */
export function apply(state: EventState, command: Command, person: Person, now: string): Applied {
  switch (command.type) {
    case 'completeItem':
      return applyCompleteItem(state, command, person, now);
    case 'signOffGate':
      return applySignOffGate(state, command, person, now);
  }
}

function applyCompleteItem(state: EventState, command: CompleteItemCommand, person: Person, now: string): Applied {
  const before = state.items[command.itemId] as ItemState;
  const item: ItemState = {
    status: 'done',
    due: before.due,
    completedBy: person.id,
    completedAt: now,
    evidence: command.evidence,
    ...(command.note ? { note: command.note } : {}),
  };
  const next: EventState = { ...state, updatedAt: now, items: { ...state.items, [command.itemId]: item } };
  const gatesOpened = state.template.gates
    .filter((g) => g.covers.includes(command.itemId) && gateBlockers(next, g.id).length === 0)
    .map((g) => g.id);
  return { state: next, result: { type: 'itemCompleted', itemId: command.itemId, item, gatesOpened } };
}

function applySignOffGate(state: EventState, command: SignOffGateCommand, person: Person, now: string): Applied {
  const gate = findGate(state, command.gateId)!;
  const before = state.gates[command.gateId] as GateState;
  const signature = { by: person.id, at: now, roles: person.roles.filter((r) => gate.approval.roles.includes(r)) };
  let next: EventState;
  let gateState: GateState;
  if (command.decision === 'reject') {
    // A rejection voids the approvals so far: the reworked items must be signed off afresh.
    gateState = {
      ...before,
      approvals: [],
      rejections: [...before.rejections, { ...signature, reason: command.reason ?? '', reopened: command.reopen }],
    };
    const items = { ...state.items };
    for (const itemId of command.reopen) {
      const reopened = items[itemId] as ItemState;
      items[itemId] = { status: 'todo', due: reopened.due };
    }
    next = { ...state, updatedAt: now, items, gates: { ...state.gates, [gate.id]: gateState } };
  } else {
    const approvals = [...before.approvals, signature];
    const passed = ruleMet(gate.approval, approvals, state);
    gateState = { ...before, approvals, ...(passed ? { status: 'passed' as const, passedAt: now } : {}) };
    next = { ...state, updatedAt: now, gates: { ...state.gates, [gate.id]: gateState } };
    if (passed) next = advancePhase(next);
  }
  return {
    state: next,
    result: { type: 'gateDecided', gateId: gate.id, decision: command.decision, gate: gateState, phase: next.phase },
  };
}

/** A phase ends when every gate of that phase has passed. */
function advancePhase(state: EventState): EventState {
  if (isTerminal(state.phase)) return state;
  const phase = state.phase as LifecyclePhase;
  const gates = state.template.gates.filter((g) => g.phase === phase);
  if (gates.length === 0 || gates.some((g) => state.gates[g.id]?.status !== 'passed')) return state;
  return { ...state, phase: nextPhase(phase) };
}
