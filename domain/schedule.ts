import { type CheckRequest, type Notification } from './effects';
import { nextCheckWakeUps, requestChecks } from './automated-checks';
import { isDrillSettled } from './drills';
import { nextOperationsWakeUp, tickOperations } from './incidents';
import { reopenItems } from './items';
import { advanceByClock, nextPhaseChange } from './readiness';
import { notification } from './notifications';
import { isTerminal } from './phases';
import {
  isOpenStatus,
  ownerUnit,
  reminderOffsets,
  resolveDue,
  type EventState,
  type GateState,
  type ItemState,
  type ProgressReview,
} from './state';
import { durationMs } from './template';
import { toIso, toMs } from './time';

/**
 * Everything that happens by the clock. The workflow keeps one timer: it
 * sleeps until `nextWakeUp`, then calls `tick(state, now)`, which fires all
 * that is due at or before `now`. Fired work is marked in the state (with the
 * instant it was due, not when it ran), so a tick is idempotent and a late
 * tick — after an outage — catches up without duplicates.
 */

export interface Tick {
  state: EventState;
  effects: Notification[];
  /** Automated checks to run now. */
  checks: CheckRequest[];
}

/** Review instants of the cadence within (after, until], in order; reviews stop at the event start. */
export function reviewInstants(state: EventState, after: string, until: string): string[] {
  const reviews = state.template.reviews;
  if (!reviews) return [];
  const starts = reviews.cadence.map((c) => ({
    start: toMs(resolveDue(c.from, state.window)),
    every: durationMs(c.every),
  }));
  starts.sort((a, b) => a.start - b.start);
  const stop = Math.min(toMs(until), toMs(state.window.start) - 1);
  const out: string[] = [];
  starts.forEach((cadence, i) => {
    const end = Math.min(starts[i + 1]?.start ?? Infinity, stop + 1);
    // Jump straight to the first instant after `after`, so long cadences cost nothing to skip.
    const skip = Math.max(0, Math.ceil((toMs(after) + 1 - cadence.start) / cadence.every));
    for (let t = cadence.start + skip * cadence.every; t < end && out.length < 10_000; t += cadence.every) {
      if (t > toMs(after) && t <= stop) out.push(toIso(t));
    }
  });
  return out;
}

/**
 * Fires every escalation step whose delay past `due` has elapsed, from
 * `level` on, in order; returns the new level. Each step tells its role (and
 * the owner unit, for items).
 */
function escalate(
  state: EventState,
  now: string,
  subject: Notification['subject'],
  title: string,
  due: string,
  from: number,
  units: string[],
  effects: Notification[],
): number {
  const steps = state.template.escalation;
  let level = from;
  while (level < steps.length && toMs(due) + durationMs(steps[level]!.after) <= toMs(now)) {
    const step = steps[level]!;
    level++;
    const at = toIso(toMs(due) + durationMs(step.after));
    effects.push(
      notification(state, 'escalation', subject, at, { units, roles: [step.role] }, title, { level, details: { due } }),
    );
  }
  return level;
}

export function tick(current: EventState, now: string): Tick {
  if (isTerminal(current.phase)) return { state: current, effects: [], checks: [] };
  const effects: Notification[] = [];
  // The clock's phase changes first (live at the start, review at the end), then the live event's own timers.
  const moved = advanceByClock(current, now);
  const operated = tickOperations(moved.state, now);
  effects.push(...moved.effects, ...operated.effects);
  const requested = requestChecks(operated.state, now);
  const state = requested.state;
  const steps = state.template.escalation;
  // Lapsed waivers first: the reopened items then get their reminders and escalation in this
  // same tick, so a second tick at the same instant finds nothing left to do.
  const expired = state.template.items.filter((item) => {
    const waived = state.items[item.id]!;
    return waived.status === 'waived' && waived.waiver?.expiresAt !== undefined && waived.waiver.expiresAt <= now;
  });
  for (const item of expired) {
    effects.push(
      notification(
        state,
        'waiverExpired',
        { type: 'item', id: item.id },
        state.items[item.id]!.waiver!.expiresAt!,
        { units: [ownerUnit(state, item.id) ?? ''], roles: [] },
        item.title,
      ),
    );
  }
  const reopened =
    expired.length > 0
      ? reopenItems(
          state,
          expired.map((i) => i.id),
          now,
        )
      : state;
  const items: Record<string, ItemState> = { ...reopened.items };
  const gates: Record<string, GateState> = { ...reopened.gates };

  for (const item of state.template.items) {
    let s = items[item.id]!;
    const unit = ownerUnit(state, item.id) ?? '';
    if (!isOpenStatus(s.status)) continue;
    // Reminders: only the latest one that fell due is sent; earlier ones it overtook are marked sent.
    const offsets = reminderOffsets(state.template, item);
    const dueNow = offsets.filter((offset) => toMs(s.due) - offset <= toMs(now)).length;
    if (dueNow > (s.remindersSent ?? 0)) {
      const at = toIso(toMs(s.due) - offsets[dueNow - 1]!);
      effects.push(
        notification(state, 'reminder', { type: 'item', id: item.id }, at, { units: [unit], roles: [] }, item.title, {
          details: { due: s.due },
        }),
      );
      s = { ...s, remindersSent: dueNow };
    }
    const level = escalate(
      state,
      now,
      { type: 'item', id: item.id },
      item.title,
      s.due,
      s.escalationLevel ?? 0,
      [unit],
      effects,
    );
    if (level !== (s.escalationLevel ?? 0)) s = { ...s, escalationLevel: level };
    items[item.id] = s;
  }

  for (const gate of state.template.gates) {
    const g = gates[gate.id]!;
    if (g.status === 'passed' || !g.due) continue;
    const level = escalate(
      state,
      now,
      { type: 'gate', id: gate.id },
      gate.title,
      g.due,
      g.escalationLevel ?? 0,
      [],
      effects,
    );
    if (level !== (g.escalationLevel ?? 0)) gates[gate.id] = { ...g, escalationLevel: level };
  }

  const drills = { ...reopened.drills };
  for (const scenario of state.template.drills?.scenarios ?? []) {
    const d = drills[scenario.id];
    if (!d || isDrillSettled(d)) continue;
    const level = escalate(
      state,
      now,
      { type: 'drill', id: scenario.id },
      scenario.title,
      d.due,
      d.escalationLevel ?? 0,
      scenario.units,
      effects,
    );
    if (level !== (d.escalationLevel ?? 0)) drills[scenario.id] = { ...d, escalationLevel: level };
  }

  let next: EventState = { ...reopened, items, gates, drills };

  // Progress reviews: open the latest that fell due (a missed run of them collapses into one).
  const due = reviewInstants(next, next.reviewsThrough ?? next.createdAt, now);
  const at = due.at(-1);
  if (at) {
    const review = openReview(next, at);
    next = { ...next, reviews: [...next.reviews, review], reviewsThrough: at };
    if (review.expectedUnits.length > 0) {
      effects.push(
        notification(
          next,
          'reviewOpened',
          { type: 'review', id: review.id },
          at,
          { units: review.expectedUnits, roles: [] },
          next.template.title,
          {
            details: { dueBy: review.dueBy },
          },
        ),
      );
    }
  }
  // A unit that has not reported by the deadline is itself overdue.
  const firstStep = steps[0]?.role;
  const reviews = next.reviews.map((review) => {
    if (review.missed || review.dueBy > now) return review;
    const missed = review.expectedUnits.filter((unit) => !review.reports[unit]);
    if (missed.length > 0) {
      effects.push(
        notification(
          next,
          'reviewMissed',
          { type: 'review', id: review.id },
          review.dueBy,
          { units: missed, roles: firstStep ? [firstStep] : [] },
          next.template.title,
        ),
      );
    }
    return { ...review, missed };
  });
  next = { ...next, reviews };
  return { state: next, effects, checks: requested.checks };
}

function openReview(state: EventState, at: string): ProgressReview {
  const open = state.template.items.filter((i) => isOpenStatus(state.items[i.id]?.status));
  const reportWithin = durationMs(state.template.reviews?.reportWithin ?? { hours: 24 });
  return {
    id: `review-${state.reviews.length + 1}`,
    at,
    dueBy: toIso(toMs(at) + reportWithin),
    agenda: {
      blockers: open
        .filter((i) => state.items[i.id]!.status === 'blocked')
        .map((i) => ({
          itemId: i.id,
          unit: ownerUnit(state, i.id) ?? '',
          reason: state.items[i.id]!.blocked?.reason ?? '',
        })),
      overdue: open
        .filter((i) => state.items[i.id]!.due < at)
        .map((i) => ({
          itemId: i.id,
          unit: ownerUnit(state, i.id) ?? '',
          due: state.items[i.id]!.due,
          escalationLevel: state.items[i.id]!.escalationLevel ?? 0,
        })),
    },
    expectedUnits: [...new Set(open.map((i) => ownerUnit(state, i.id) ?? ''))].sort(),
    reports: {},
  };
}

/** The next instant at which something is due: the one timer the workflow sleeps on. */
export function nextWakeUp(state: EventState, now: string): string | undefined {
  if (isTerminal(state.phase)) return undefined;
  const steps = state.template.escalation;
  const candidates: number[] = [];
  const later = (t: number) => t > toMs(now) && candidates.push(t);
  for (const item of state.template.items) {
    const s = state.items[item.id]!;
    if (s.status === 'waived' && s.waiver?.expiresAt) later(toMs(s.waiver.expiresAt));
    if (!isOpenStatus(s.status)) continue;
    const offsets = reminderOffsets(state.template, item);
    const nextReminder = offsets[s.remindersSent ?? 0];
    if (nextReminder !== undefined) later(toMs(s.due) - nextReminder);
    later(toMs(s.due));
    const step = steps[s.escalationLevel ?? 0];
    if (step) later(toMs(s.due) + durationMs(step.after));
  }
  for (const gate of state.template.gates) {
    const g = state.gates[gate.id]!;
    if (g.status === 'passed' || !g.due) continue;
    later(toMs(g.due));
    const step = steps[g.escalationLevel ?? 0];
    if (step) later(toMs(g.due) + durationMs(step.after));
  }
  for (const scenario of state.template.drills?.scenarios ?? []) {
    const d = state.drills[scenario.id];
    if (!d || isDrillSettled(d)) continue;
    later(toMs(d.due));
    const step = steps[d.escalationLevel ?? 0];
    if (step) later(toMs(d.due) + durationMs(step.after));
  }
  const phaseChange = nextPhaseChange(state);
  if (phaseChange) candidates.push(Math.max(toMs(phaseChange), toMs(now) + 1));
  for (const t of nextOperationsWakeUp(state, now)) later(t);
  for (const t of nextCheckWakeUps(state, now)) later(t);
  const nextReview = reviewInstants(state, state.reviewsThrough ?? state.createdAt, state.window.start)[0];
  if (nextReview) later(toMs(nextReview));
  for (const review of state.reviews) if (!review.missed) later(toMs(review.dueBy));
  return candidates.length ? toIso(Math.min(...candidates)) : undefined;
}
