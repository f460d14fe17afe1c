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
  extra: { level?: number; details?: Record<string, unknown> } = {},
): Notification {
  const level = extra.level === undefined ? '' : `:${extra.level}`;
  return {
    id: `${state.eventId}:${kind}:${subject.type}:${subject.id}:${at}${level}`,
    eventId: state.eventId,
    kind,
    at,
    subject,
    to: { units: [...new Set(to.units)].sort(), roles: [...new Set(to.roles)].sort() },
    summary,
    ...extra,
  };
}
