import { type Notification, type NotificationKind } from './effects';
import { type EventState } from './state';

/** Builds a notification with a deterministic id, so retries and replays deliver it once. */
export function notification(
  state: Pick<EventState, 'eventId'>,
  kind: NotificationKind,
  subject: Notification['subject'],
  at: string,
  to: Notification['to'],
  summary: string,
  extra: { level?: number; details?: Record<string, unknown>; key?: string } = {},
): Notification {
  const level = extra.level === undefined ? '' : `:${extra.level}`;
  // Two notifications of one kind about one subject at one instant (two phase changes) need a key apart.
  const key = extra.key === undefined ? '' : `:${extra.key}`;
  const { key: _key, ...rest } = extra;
  return {
    id: `${state.eventId}:${kind}:${subject.type}:${subject.id}:${at}${level}${key}`,
    eventId: state.eventId,
    kind,
    at,
    subject,
    to: { units: [...new Set(to.units)].sort(), roles: [...new Set(to.roles)].sort() },
    summary,
    ...rest,
  };
}

/**
 * Who receives a notification, from the event's roster: members of its units,
 * and holders of its roles in those units or their parents (every holder of
 * the role when none is that close, as escalation does). Only people with an
 * email address; viewers never.
 */
export function recipientsOf(
  state: Pick<EventState, 'roster' | 'template'>,
  to: Notification['to'],
): { address: string; name: string }[] {
  const lineage = new Set<string>();
  for (const unit of to.units) {
    let current: string | undefined = unit;
    while (current && !lineage.has(current)) {
      lineage.add(current);
      current = state.template.units.find((u) => u.id === current)?.parent;
    }
  }
  const people = state.roster.filter((p) => !p.roles.includes('viewer'));
  const chosen = new Set(people.filter((p) => p.units.some((u) => to.units.includes(u))).map((p) => p.id));
  for (const role of to.roles) {
    const holders = people.filter((p) => p.roles.includes(role));
    const near = to.units.length ? holders.filter((p) => p.units.some((u) => lineage.has(u))) : holders;
    for (const p of near.length ? near : holders) chosen.add(p.id);
  }
  return people.filter((p) => chosen.has(p.id) && p.email).map((p) => ({ address: p.email!, name: p.name }));
}
