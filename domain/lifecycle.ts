import { instantRangeRefusal, type Command, type CommandOf } from './commands';
import { type Notification } from './effects';
import { rejection, type Rejection } from './errors';
import { notification } from './notifications';
import { isTerminal, phases } from './phases';
import {
  eventWindowSchema,
  isOpenStatus,
  ownerUnit,
  remindersPassed,
  resolveDue,
  type EventState,
  type EventWindow,
  type ItemState,
} from './state';
import { type Person, type PlanTemplate } from './template';
import { toIso, toMs } from './time';

/** Units that still have open items: who is told about changes to the whole event. */
export function unitsWithOpenItems(state: EventState): string[] {
  return [
    ...new Set(
      state.template.items
        .filter((i) => isOpenStatus(state.items[i.id]?.status))
        .map((i) => ownerUnit(state, i.id) ?? ''),
    ),
  ].sort();
}

export function checkLifecycle(
  state: EventState,
  command: CommandOf<'reschedule' | 'cancel'>,
  _person: Person,
): Rejection | undefined {
  // Who may reschedule or cancel (planners; for a cancel, also whoever started the event) is `commandAuthority`'s.
  if (command.type === 'reschedule') {
    if (['live', 'review'].includes(state.phase) || isTerminal(state.phase)) {
      return rejection('EVENT_LIVE', `the event is ${state.phase}: it can no longer be rescheduled`);
    }
    const window = eventWindowSchema.safeParse({
      ...command.window,
      timeZone: command.window.timeZone ?? state.window.timeZone,
    });
    if (!window.success) {
      return rejection('INVALID_WINDOW', 'the new window is not valid', {
        issues: window.error.issues.map((i) => ({ path: ['window', ...i.path.map(String)], message: i.message })),
      });
    }
  }
  return undefined;
}

/** A window that has ended by `now`: no event can run in it, whether started or rescheduled into it. */
export function windowEnded(window: { end: string }, now: string): Rejection | undefined {
  if (toMs(window.end) > toMs(now)) return undefined;
  return rejection('WINDOW_ENDED', 'the window has already ended', { end: toIso(toMs(window.end)), now });
}

/**
 * Items this window makes fall due after the event's end, in phases up to live: no one could do
 * them while the event still needs them (the clock moves the event to review at its end). Items of
 * the review phase come after the end by nature and are not listed.
 */
export function dueAfterEnd(template: PlanTemplate, window: EventWindow): { itemId: string; due: string }[] {
  const review = phases.indexOf('review');
  return template.items.flatMap((item) => {
    if (phases.indexOf(item.phase) >= review) return [];
    const due = resolveDue(item.due, window);
    return toMs(due) > toMs(window.end) ? [{ itemId: item.id, due }] : [];
  });
}

/**
 * Rules a command must pass when it is admitted (the workflow's update validator), beyond
 * `validate`. They came after events were already running: the update handler and the history
 * fold re-run `validate` over commands accepted before them, so they must not apply these, and a
 * refusal here never enters history.
 */
export function admissionRefusal(command: Command, now: string): Rejection | undefined {
  const outOfRange = instantRangeRefusal(command);
  if (outOfRange) return outOfRange;
  if (command.type === 'reschedule') return windowEnded(command.window, now);
  return undefined;
}

export interface RescheduleResult {
  type: 'rescheduled';
  window: EventWindow;
  moved: { itemId: string; from: string; to: string }[];
  /** Open items whose new deadline has already passed. */
  impossible: string[];
}

/** Moves every relative deadline with the window; absolute ones stay. Past reminders are not replayed. */
export function applyReschedule(state: EventState, command: CommandOf<'reschedule'>, person: Person, now: string) {
  const window = eventWindowSchema.parse({
    ...command.window,
    timeZone: command.window.timeZone ?? state.window.timeZone,
  });
  const moved: RescheduleResult['moved'] = [];
  const items: Record<string, ItemState> = {};
  for (const item of state.template.items) {
    const before = state.items[item.id]!;
    const due = resolveDue(item.due, window);
    if (due === before.due) {
      items[item.id] = before;
      continue;
    }
    moved.push({ itemId: item.id, from: before.due, to: due });
    items[item.id] = {
      ...before,
      due,
      remindersSent: remindersPassed(state.template, item, due, now),
      escalationLevel: 0,
    };
  }
  const gates = { ...state.gates };
  for (const gate of state.template.gates) {
    if (!gate.due) continue;
    const due = resolveDue(gate.due, window);
    if (due !== gates[gate.id]!.due) gates[gate.id] = { ...gates[gate.id]!, due, escalationLevel: 0 };
  }
  const next: EventState = {
    ...state,
    updatedAt: now,
    window,
    items,
    gates,
    rescheduled: [...(state.rescheduled ?? []), { by: person.id, at: now, reason: command.reason, from: state.window }],
  };
  const impossible = state.template.items
    .filter((i) => isOpenStatus(items[i.id]!.status) && items[i.id]!.due < now)
    .map((i) => i.id);
  const effects: Notification[] = [
    notification(
      state,
      'rescheduled',
      { type: 'event', id: state.eventId },
      now,
      { units: unitsWithOpenItems(next), roles: [] },
      state.template.title,
      {
        details: { from: state.window, to: window, impossible },
      },
    ),
  ];
  const result: RescheduleResult = { type: 'rescheduled', window, moved, impossible };
  return { state: next, result, effects };
}

export function applyCancel(state: EventState, command: CommandOf<'cancel'>, person: Person, now: string) {
  const next: EventState = {
    ...state,
    updatedAt: now,
    phase: 'cancelled',
    cancelled: { by: person.id, at: now, reason: command.reason },
  };
  const effects: Notification[] = [
    notification(
      state,
      'eventCancelled',
      { type: 'event', id: state.eventId },
      now,
      {
        units: state.template.units.map((u) => u.id),
        roles: [],
      },
      state.template.title,
      { details: { reason: command.reason } },
    ),
  ];
  return { state: next, result: { type: 'cancelled' as const, cancelled: next.cancelled! }, effects };
}

export function checkReport(
  state: EventState,
  command: CommandOf<'submitProgressReport'>,
  person: Person,
): Rejection | undefined {
  if (!person.units.includes(command.unit))
    return rejection('NOT_UNIT_MEMBER', `"${person.id}" does not belong to unit "${command.unit}"`);
  const review = state.reviews.find((r) => r.id === command.reviewId);
  if (!review) return rejection('REVIEW_NOT_FOUND', `no progress review "${command.reviewId}"`);
  if (!review.expectedUnits.includes(command.unit)) {
    return rejection('UNIT_NOT_EXPECTED', `unit "${command.unit}" had no open items at review "${review.id}"`);
  }
  if (review.reports[command.unit])
    return rejection('REPORT_ALREADY_SUBMITTED', `unit "${command.unit}" has already reported`);
  return undefined;
}

export function applyReport(
  state: EventState,
  command: CommandOf<'submitProgressReport'>,
  person: Person,
  now: string,
) {
  const reviews = state.reviews.map((review) => {
    if (review.id !== command.reviewId) return review;
    const report = {
      by: person.id,
      at: now,
      status: command.status,
      ...(command.summary ? { summary: command.summary } : {}),
      blockers: command.blockers,
      recommendations: command.recommendations,
      late: now > review.dueBy,
    };
    const missed = review.missed?.filter((unit) => unit !== command.unit);
    return { ...review, reports: { ...review.reports, [command.unit]: report }, ...(missed ? { missed } : {}) };
  });
  const review = reviews.find((r) => r.id === command.reviewId)!;
  return {
    state: { ...state, updatedAt: now, reviews },
    result: {
      type: 'reportSubmitted' as const,
      reviewId: review.id,
      unit: command.unit,
      report: review.reports[command.unit]!,
    },
    effects: [] as Notification[],
  };
}
