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
