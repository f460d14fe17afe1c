import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { type UpdateDefinition } from '@temporalio/common';
import { commandSchema } from '../domain';
import type {
  Actor,
  Command,
  CommandOf,
  CommandResult,
  EventState,
  EventWindow,
  Person,
  PlanTemplate,
  RecentRequest,
} from '../domain';

/**
 * Messages of the event workflow, shared by every layer that talks to it.
 * Side-effect free: the API imports this module as well as the workflow.
 */

export const eventWorkflowType = 'eventWorkflow';
export const eventWorkflowId = (eventId: string): string => `event/${eventId}`;

/** What the shell carries across continue-as-new besides the domain state. */
export interface ShellState {
  /** Recent idempotency keys with a fingerprint of their body and their result (the server dedupes only within a run). */
  recentRequests: RecentRequest[];
  /** Notifications that gave up after their retries: shown to ops, never blocking the lifecycle. */
  notificationFailures: NotificationFailure[];
  /** The latest side effects (notifications, checks) and how they went. */
  deliveries?: DeliveryRecord[];
  /** The state the last after-action report was rendered for (phase and last change). */
  reportKey?: string;
  /** The last report sent to the program: a fingerprint of its content, and how many were sent (activity ids). */
  programReport?: { key: string; count: number };
}

export interface DeliveryRecord {
  /** The notification id, or `check:<item>:<run>`. */
  id: string;
  /** The activity that carries it, for matching retries the server reports (events started since the log). */
  activityId?: string;
  kind: string;
  at: string;
  activity: 'notify' | 'check' | 'report' | 'program';
  status: 'pending' | 'sent' | 'gave_up';
  scheduledAt?: string;
  completedAt?: string;
  /** What each notification channel did. */
  channels?: Record<string, string>;
  error?: string;
}

export interface NotificationFailure {
  id: string;
  kind: string;
  at: string;
  failedAt: string;
  error: string;
}

export type EventWorkflowInput =
  | {
      kind: 'start';
      eventId: string;
      program?: string;
      template: PlanTemplate;
      templateHash: string;
      window: EventWindow;
      roster?: Person[];
      createdBy: string;
    }
  | { kind: 'continue'; state: EventState; shell?: ShellState };

export interface CommandRequest<C> {
  actor: Actor;
  command: C;
  idempotencyKey?: string;
}

const update = <T extends Command['type']>(name: T) =>
  defineUpdate<CommandResult, [CommandRequest<CommandOf<T>>], T>(name);

// The wire name of each update is its command type.
export const completeItemUpdate = update('completeItem');
export const signOffGateUpdate = update('signOffGate');
export const delegateUpdate = update('delegate');
export const revokeDelegationUpdate = update('revokeDelegation');
export const startItemUpdate = update('startItem');
export const blockItemUpdate = update('blockItem');
export const unblockItemUpdate = update('unblockItem');
export const requestWaiverUpdate = update('requestWaiver');
export const decideWaiverUpdate = update('decideWaiver');
export const submitProgressReportUpdate = update('submitProgressReport');
export const rescheduleUpdate = update('reschedule');
export const cancelUpdate = update('cancel');
export const recordDrillResultUpdate = update('recordDrillResult');
export const waiveDrillUpdate = update('waiveDrill');
export const decideGoNoGoUpdate = update('decideGoNoGo');
export const reportIncidentUpdate = update('reportIncident');
export const acknowledgeIncidentUpdate = update('acknowledgeIncident');
export const updateIncidentStepUpdate = update('updateIncidentStep');
export const resolveIncidentUpdate = update('resolveIncident');
export const reopenIncidentUpdate = update('reopenIncident');
export const handOverDutyUpdate = update('handOverDuty');
export const addLessonUpdate = update('addLesson');
export const addCorrectiveActionUpdate = update('addCorrectiveAction');
export const carryOverCorrectiveActionUpdate = update('carryOverCorrectiveAction');
export const recordCheckResultUpdate = update('recordCheckResult');

/** One update per command type, derived from the command schema: the workflow registers them all. */
export const commandUpdates: UpdateDefinition<CommandResult, [CommandRequest<Command>], string>[] =
  commandSchema.options.map((option) =>
    defineUpdate<CommandResult, [CommandRequest<Command>], string>(option.shape.type.value),
  );

export const stateQuery = defineQuery<EventState>('state');
export const deliveriesQuery = defineQuery<DeliveryRecord[]>('deliveries');
export const notificationFailuresQuery = defineQuery<NotificationFailure[]>('notificationFailures');
