import { type CheckSpec } from './checks';

/**
 * What the rules ask the outside world to do. The domain returns effects;
 * the workflow runs them as activities. JSON-safe.
 */
export type NotificationKind =
  | 'reminder'
  | 'escalation'
  | 'gateOpened'
  | 'gateRejected'
  | 'itemBlocked'
  | 'waiverRequested'
  | 'waiverExpired'
  | 'reviewOpened'
  | 'reviewMissed'
  | 'rescheduled'
  | 'eventCancelled'
  | 'drillFailed'
  | 'remediationAssigned'
  | 'readinessDeclared'
  | 'noGo'
  | 'phaseEntered'
  | 'incidentReported'
  | 'incidentResolved'
  | 'incidentReopened'
  | 'handoverMissed'
  | 'correctiveActionAssigned'
  | 'checkFailed'
  | 'checkRegressed';

/** Run an item's automated check; the activity reports the result back as `recordCheckResult`. */
export interface CheckRequest {
  eventId: string;
  itemId: string;
  /** The scheduled instant of this run: the result names it, so late results never overwrite newer ones. */
  runAt: string;
  spec: CheckSpec;
  /** A certificate must stay valid at least until the event ends. */
  mustBeValidUntil: string;
}

export interface Notification {
  /** Stable across retries and replays: receivers dedupe on it. */
  id: string;
  eventId: string;
  kind: NotificationKind;
  /** The instant the notification was due (not when it happened to be sent). */
  at: string;
  subject: { type: 'item' | 'gate' | 'review' | 'event' | 'drill' | 'incident' | 'shift'; id: string };
  /** Audience, by unit and role (resolved to addresses by the delivery channel). */
  to: { units: string[]; roles: string[] };
  /** Escalation step, 1-based. */
  level?: number;
  summary: string;
  details?: Record<string, unknown>;
}
