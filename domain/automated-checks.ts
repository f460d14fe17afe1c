import { DEFAULT_CHECK_CADENCE_MS, cadenceMs } from './checks';
import { type CommandOf } from './commands';
import { type CheckRequest, type Notification } from './effects';
import { rejection, type Rejection } from './errors';
import { gateOpenedEffects, reopenItems } from './items';
import { notification } from './notifications';
import { isTerminal } from './phases';
import {
  findItem,
  isOpenStatus,
  isSettled,
  ownerUnit,
  type EventState,
  type ItemCheckState,
  type ItemState,
} from './state';
import { type Person, type PlanTemplate } from './template';
import { toIso, toMs } from './time';

/**
 * Automated readiness checks. The clock requests a run of each item's check
 * on its cadence from the event's creation until the event ends; the check
 * activity reports the result back as the `recordCheckResult` update (so it
 * is in history, like any action). A pass completes the item with the result
 * as evidence; a fail blocks it with the reason; a fail after a pass reopens
 * it (a regression) and alerts ops.
 */

/** The only actor that may record check results; it can do nothing else. */
export const SYSTEM_CHECKS = 'system:checks';
export const systemChecksPerson: Person = { id: SYSTEM_CHECKS, name: 'Automated checks', roles: [], units: [] };

type Item = PlanTemplate['items'][number];

const cadenceOf = (item: Item) => (item.check?.every ? cadenceMs(item.check.every) : DEFAULT_CHECK_CADENCE_MS);

/** Checks stop when the event ends: after that nothing depends on the target any more. */
const checking = (state: EventState, now: string) =>
  !isTerminal(state.phase) && state.phase !== 'review' && toMs(now) < toMs(state.window.end);

const checked = (state: EventState, item: Item) => {
  const status = state.items[item.id]?.status;
  return item.check !== undefined && status !== 'waived' && status !== 'carried_over';
};

/** When the next run of an item's check falls due: at creation first, then every cadence. */
function nextRun(state: EventState, item: Item): number {
  const requested = state.items[item.id]?.check?.requestedAt;
  return requested ? toMs(requested) + cadenceOf(item) : toMs(state.createdAt);
}

/** Requests the runs that fell due; a run missed during an outage is not repeated, the latest stands for it. */
export function requestChecks(state: EventState, now: string): { state: EventState; checks: CheckRequest[] } {
  if (!checking(state, now)) return { state, checks: [] };
  const checks: CheckRequest[] = [];
  let items = state.items;
  for (const item of state.template.items) {
    if (!checked(state, item)) continue;
    const due = nextRun(state, item);
    if (due > toMs(now)) continue;
    const every = cadenceOf(item);
    const runAt = toIso(due + Math.floor((toMs(now) - due) / every) * every);
    const before = items[item.id]!;
    items = { ...items, [item.id]: { ...before, check: { ...emptyCheck, ...before.check, requestedAt: runAt } } };
    checks.push({
      eventId: state.eventId,
      itemId: item.id,
      runAt,
      spec: item.check!,
      mustBeValidUntil: state.window.end,
    });
  }
  return { state: checks.length ? { ...state, items } : state, checks };
}

export function nextCheckWakeUps(state: EventState, now: string): number[] {
  if (!checking(state, now)) return [];
  return state.template.items
    .filter((item) => checked(state, item))
    .map((item) => nextRun(state, item))
    .filter((t) => t < toMs(state.window.end));
}

const emptyCheck: ItemCheckState = { passes: 0, failures: 0, regressions: 0 };

export function checkCheckResult(
  state: EventState,
  command: CommandOf<'recordCheckResult'>,
  actorId: string,
): Rejection | undefined {
  if (actorId !== SYSTEM_CHECKS) return rejection('NOT_SYSTEM', 'check results are recorded by the check activity');
  if (isTerminal(state.phase)) return rejection('EVENT_CLOSED', `the event is ${state.phase}`);
  const item = findItem(state, command.itemId);
  if (!item || !state.items[item.id]) return rejection('ITEM_NOT_FOUND', `no item "${command.itemId}" in this event`);
  if (!item.check) return rejection('NO_CHECK', `item "${item.id}" has no automated check`);
  const last = state.items[item.id]!.check?.lastRunAt;
  if (last !== undefined && toMs(command.runAt) < toMs(last)) {
    return rejection('STALE_CHECK_RESULT', `a later run of "${item.id}" was already recorded`, { lastRunAt: last });
  }
  return undefined;
}

export function applyCheckResult(
  state: EventState,
  command: CommandOf<'recordCheckResult'>,
  now: string,
): { state: EventState; result: { type: 'checkRecorded'; itemId: string; item: ItemState }; effects: Notification[] } {
  const item = findItem(state, command.itemId)!;
  const before = state.items[item.id]!;
  const { result } = command;
  const reason = result.failure ? `${result.failure.code}: ${result.summary}` : result.summary;
  const check: ItemCheckState = {
    ...emptyCheck,
    ...before.check,
    lastRunAt: toIso(toMs(command.runAt)),
    last: {
      ok: result.ok,
      target: result.target,
      checkedAt: result.checkedAt,
      summary: result.summary,
      ...(result.failure ? { code: result.failure.code } : {}),
      ...(Object.keys(result.details).length ? { details: result.details } : {}),
    },
    passes: (before.check?.passes ?? 0) + (result.ok ? 1 : 0),
    failures: (before.check?.failures ?? 0) + (result.ok ? 0 : 1),
  };
  const unit = ownerUnit(state, item.id) ?? '';
  const byCheck = before.blocked?.by === SYSTEM_CHECKS;
  const effects: Notification[] = [];
  let next: EventState = state;
  let itemState: ItemState = { ...before, check };

  if (result.ok) {
    const depsSettled = item.dependsOn.every((dep) => isSettled(state.items[dep]));
    // A person's blocker stands: a passing check does not overrule it.
    const completable = isOpenStatus(before.status) && (before.status !== 'blocked' || byCheck) && depsSettled;
    if (completable) {
      const { blocked: _blocked, ...rest } = itemState;
      itemState = { ...rest, status: 'done', completedBy: SYSTEM_CHECKS, completedAt: now, note: result.summary };
    } else if (byCheck && !depsSettled) {
      const { blocked: _blocked, ...rest } = itemState;
      itemState = { ...rest, status: 'todo' };
    }
  } else if (before.status === 'done') {
    // A regression: the item is no longer ready. Reopening voids pending gates' approvals over it.
    next = reopenItems(state, [item.id], now);
    itemState = {
      ...next.items[item.id]!,
      check: { ...check, regressions: check.regressions + 1 },
      status: 'blocked',
      blocked: { reason, by: SYSTEM_CHECKS, at: now },
    };
    const chain = state.template.escalation[0]?.role;
    effects.push(
      notification(
        state,
        'checkRegressed',
        { type: 'item', id: item.id },
        now,
        { units: [unit], roles: ['duty-officer', ...(chain ? [chain] : [])] },
        item.title,
        {
          details: { code: result.failure?.code, target: result.target, summary: result.summary },
        },
      ),
    );
  } else if (isOpenStatus(before.status) && (before.status !== 'blocked' || byCheck)) {
    const first = !byCheck;
    itemState = {
      ...itemState,
      status: 'blocked',
      blocked: { reason, by: SYSTEM_CHECKS, at: byCheck ? before.blocked!.at : now },
    };
    if (first) {
      effects.push(
        notification(
          state,
          'checkFailed',
          { type: 'item', id: item.id },
          now,
          { units: [unit], roles: [] },
          item.title,
          {
            details: { code: result.failure?.code, target: result.target, summary: result.summary },
          },
        ),
      );
    }
  }
  next = { ...next, updatedAt: now, items: { ...next.items, [item.id]: itemState } };
  return {
    state: next,
    result: { type: 'checkRecorded', itemId: item.id, item: itemState },
    effects: [...effects, ...gateOpenedEffects(state, next, now)],
  };
}
