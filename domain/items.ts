import { type CommandOf } from './commands';
import { type Notification } from './effects';
import { rejection, type Rejection } from './errors';
import { gateIsOpen } from './gates';
import { notification } from './notifications';
import { findItem, isSettledStatus, ownerUnit, type EventState, type GateState, type ItemState } from './state';
import { type Person } from './template';

/**
 * The item lifecycle: todo → in_progress → done, with blocked on the side
 * and waived (approved by someone other than the requester) as an alternative
 * to done. Reopening an item voids the approvals of pending gates over it.
 */

export type ItemCheck = Rejection | undefined;

/** The item exists and the person belongs to its owner unit. */
export function checkOwner(state: EventState, itemId: string, person: Person): ItemCheck {
  const item = findItem(state, itemId);
  if (!item || !state.items[itemId]) return rejection('ITEM_NOT_FOUND', `no item "${itemId}" in this event`);
  const unit = ownerUnit(state, itemId) ?? '';
  if (!person.units.includes(unit))
    return rejection('NOT_ITEM_OWNER', `item "${itemId}" belongs to unit "${unit}"`, { unit });
  return undefined;
}

export function checkItemCommand(
  state: EventState,
  command: CommandOf<'startItem' | 'blockItem' | 'unblockItem' | 'requestWaiver'>,
  person: Person,
): ItemCheck {
  const planner = person.roles.includes('planner') || person.roles.includes('admin');
  // Planners may ask for a waiver on any item; everything else is the owner unit's.
  const owner = checkOwner(state, command.itemId, person);
  if (owner && !(command.type === 'requestWaiver' && planner && owner.code === 'NOT_ITEM_OWNER')) return owner;
  const item = state.items[command.itemId]!;
  if (isSettledStatus(item.status))
    return rejection('ITEM_ALREADY_DONE', `item "${command.itemId}" is already ${item.status}`);
  switch (command.type) {
    case 'startItem':
      if (item.status === 'in_progress')
        return rejection('ITEM_ALREADY_STARTED', `item "${command.itemId}" is already in progress`);
      if (item.status === 'blocked')
        return rejection('ITEM_BLOCKED', `item "${command.itemId}" is blocked; unblock it first`);
      return undefined;
    case 'blockItem':
      if (item.status === 'blocked') return rejection('ITEM_BLOCKED', `item "${command.itemId}" is already blocked`);
      return undefined;
    case 'unblockItem':
      if (item.status !== 'blocked') return rejection('ITEM_NOT_BLOCKED', `item "${command.itemId}" is not blocked`);
      return undefined;
    case 'requestWaiver':
      if (item.waiver?.status === 'requested')
        return rejection('WAIVER_PENDING', `a waiver for "${command.itemId}" awaits a decision`);
      return undefined;
  }
}

/** Who may decide a waiver: holders of an approver role of a gate covering the item (any gate's, if none covers it). */
export function waiverApproverRoles(state: EventState, itemId: string): string[] {
  const covering = state.template.gates.filter((g) => g.covers.includes(itemId));
  const gates = covering.length > 0 ? covering : state.template.gates;
  return [...new Set(gates.flatMap((g) => g.approval.roles))];
}

export function checkWaiverDecision(state: EventState, command: CommandOf<'decideWaiver'>, person: Person): ItemCheck {
  const item = state.items[command.itemId];
  if (!item || !findItem(state, command.itemId))
    return rejection('ITEM_NOT_FOUND', `no item "${command.itemId}" in this event`);
  const roles = waiverApproverRoles(state, command.itemId);
  if (!person.roles.some((r) => roles.includes(r))) {
    return rejection('NOT_WAIVER_APPROVER', `waivers of "${command.itemId}" are decided by ${roles.join(', ')}`, {
      roles,
    });
  }
  if (isSettledStatus(item.status)) {
    return rejection('ITEM_ALREADY_DONE', `item "${command.itemId}" is already ${item.status}`);
  }
  if (item.waiver?.status !== 'requested')
    return rejection('NO_WAIVER_REQUESTED', `no waiver of "${command.itemId}" awaits a decision`);
  if (item.waiver.requestedBy === person.id) {
    return rejection('SEPARATION_OF_DUTIES', 'nobody approves their own waiver request');
  }
  return undefined;
}

interface Outcome {
  state: EventState;
  item: ItemState;
  effects: Notification[];
}

function withItem(state: EventState, itemId: string, item: ItemState, now: string): EventState {
  return { ...state, updatedAt: now, items: { ...state.items, [itemId]: item } };
}

export function applyItemCommand(
  state: EventState,
  command: CommandOf<'startItem' | 'blockItem' | 'unblockItem' | 'requestWaiver' | 'decideWaiver'>,
  person: Person,
  now: string,
): Outcome {
  const before = state.items[command.itemId]!;
  const unit = ownerUnit(state, command.itemId) ?? '';
  const title = findItem(state, command.itemId)?.title ?? command.itemId;
  const subject = { type: 'item' as const, id: command.itemId };
  switch (command.type) {
    case 'startItem': {
      const item: ItemState = { ...before, status: 'in_progress', startedBy: person.id, startedAt: now };
      return { state: withItem(state, command.itemId, item, now), item, effects: [] };
    }
    case 'blockItem': {
      const item: ItemState = {
        ...before,
        status: 'blocked',
        blocked: { reason: command.reason, by: person.id, at: now },
      };
      const firstStep = state.template.escalation[0]?.role;
      const effects = [
        notification(
          state,
          'itemBlocked',
          subject,
          now,
          { units: [unit], roles: firstStep ? [firstStep] : [] },
          title,
          {
            details: { reason: command.reason },
          },
        ),
      ];
      return { state: withItem(state, command.itemId, item, now), item, effects };
    }
    case 'unblockItem': {
      const { blocked: _blocked, ...rest } = before;
      const item: ItemState = { ...rest, status: before.startedAt ? 'in_progress' : 'todo' };
      return { state: withItem(state, command.itemId, item, now), item, effects: [] };
    }
    case 'requestWaiver': {
      const item: ItemState = {
        ...before,
        waiver: {
          status: 'requested',
          justification: command.justification,
          requestedBy: person.id,
          requestedAt: now,
          ...(command.expiresAt ? { expiresAt: new Date(command.expiresAt).toISOString() } : {}),
        },
      };
      const effects = [
        notification(
          state,
          'waiverRequested',
          subject,
          now,
          { units: [unit], roles: waiverApproverRoles(state, command.itemId) },
          title,
        ),
      ];
      return { state: withItem(state, command.itemId, item, now), item, effects };
    }
    case 'decideWaiver': {
      const waiver = {
        ...before.waiver!,
        status: command.decision === 'approve' ? ('approved' as const) : ('denied' as const),
        decidedBy: person.id,
        decidedAt: now,
        ...(command.reason ? { reason: command.reason } : {}),
      };
      // A waived item is settled: like a completed one, it is no longer anyone's blocker.
      const { blocked: _blocked, ...unblocked } = before;
      const item: ItemState =
        command.decision === 'approve' ? { ...unblocked, waiver, status: 'waived' } : { ...before, waiver };
      const next = withItem(state, command.itemId, item, now);
      return { state: next, item, effects: command.decision === 'approve' ? gateOpenedEffects(state, next, now) : [] };
    }
  }
}

/** Gate requests for gates that the change has just opened (every covered item settled). */
export function gateOpenedEffects(before: EventState, after: EventState, now: string): Notification[] {
  return after.template.gates
    .filter((g) => after.gates[g.id]?.status === 'pending' && gateIsOpen(after, g.id) && !gateIsOpen(before, g.id))
    .map((g) =>
      notification(
        after,
        'gateOpened',
        { type: 'gate', id: g.id },
        now,
        { units: [], roles: g.approval.roles },
        g.title,
      ),
    );
}

/**
 * Sends items back to todo (keeping their deadline and reminder progress)
 * and voids the approvals of pending gates that cover any of them.
 */
export function reopenItems(state: EventState, itemIds: string[], now: string): EventState {
  if (itemIds.length === 0) return state;
  const items = { ...state.items };
  for (const itemId of itemIds) {
    const before = items[itemId];
    if (!before) continue;
    items[itemId] = {
      status: 'todo',
      due: before.due,
      ...(before.remindersSent !== undefined ? { remindersSent: before.remindersSent } : {}),
      ...(before.escalationLevel !== undefined ? { escalationLevel: before.escalationLevel } : {}),
      ...(before.origin ? { origin: before.origin } : {}),
      ...(before.waiver && before.waiver.status !== 'approved' ? { waiver: before.waiver } : {}),
      ...(before.waiver?.status === 'approved' ? { waiver: { ...before.waiver, status: 'expired' as const } } : {}),
    };
  }
  const gates: Record<string, GateState> = { ...state.gates };
  for (const gate of state.template.gates) {
    const gateState = gates[gate.id];
    if (!gateState || gateState.status === 'passed' || gateState.approvals.length === 0) continue;
    const touched = gate.covers.filter((id) => itemIds.includes(id));
    if (touched.length === 0) continue;
    gates[gate.id] = {
      ...gateState,
      approvals: [],
      revoked: [...(gateState.revoked ?? []), { at: now, items: touched, approvals: gateState.approvals }],
    };
  }
  return { ...state, updatedAt: now, items, gates };
}
